"""The shared red lines (cn-common-red-lines): inherited by reference, decided first, cited, never dropped silently."""

from __future__ import annotations

import pytest

from rongcuo.policy import Library, evaluate
from rongcuo.policy.checks import check_policy
from rongcuo.policy.errors import PolicyError, PolicyErrors
from rongcuo.policy.loader import load_policy_text

from .test_verify import HEAD

BODY = """    situations: [{id: s1, ref: 第一条, text: 先行先试, when: exploratory_reform}]
    outcomes: [{id: o1, ref: 第二条, when: tolerable, outcome: exempt, dispositions: [免予问责]}]
"""
CLEAN = {"exploratory_reform": True, "violates_discipline_or_law": False, "private_gain": False,
         "intentional": False, "defied_explicit_ban": False}


def load(base: str, body: str = BODY):
    return load_policy_text(HEAD + base + body, "probe.yaml")


def errors_of(base: str, body: str = BODY) -> list[PolicyError]:
    with pytest.raises(PolicyError) as exc:
        load(base, body)
    err = exc.value
    return err.errors if isinstance(err, PolicyErrors) else [err]


def test_the_issue_examples_under_the_accountability_regulation() -> None:
    v = Library.default().get("cn-accountability-2019").latest()
    facts = {"exploratory_reform": True, "lacks_precedent": True, "violates_discipline_or_law": False}
    gain = evaluate(v, {**facts, "private_gain": True})
    assert gain.outcome == "not_tolerated"
    assert gain.deciding_rule()["id"] == "o_red_line"
    assert gain.citations[:2] == ["“三个区分开来”；中办发〔2018〕29号", "“三个区分开来”（谋取私利）"]
    assert "为谋取私利的违纪违法行为" in gain.explanation()
    unknown = evaluate(v, facts)
    assert unknown.outcome == "undetermined" and "private_gain" in unknown.decisive_facts
    for flag in ("intentional", "defied_explicit_ban"):
        assert evaluate(v, {**CLEAN, "lacks_precedent": True, flag: True}).outcome == "not_tolerated"


@pytest.mark.parametrize("pid", sorted(Library.default().ids()))
def test_every_shipped_measure_inherits_the_red_lines(pid: str) -> None:
    for v in Library.default().get(pid).versions:
        assert v.base is not None and v.base.policy.id == "cn-common-red-lines"
        assert {n.id for n in v.inherited_nodes()} == {
            "rl_discipline_law", "rl_intentional", "rl_defied_ban", "rl_private_gain"
        }
        assert v.outcomes[0].id == "o_red_line"
        # no file keeps its own copy of a red line: no own exclusion reads only a base fact
        for n in v.nodes["exclusions"]:
            if not n.inherited:
                assert set(n.facts) - {
                    "violates_discipline_or_law", "private_gain", "intentional", "defied_explicit_ban"
                }, (pid, n.id)


def test_cite_puts_the_measure_article_beside_the_base() -> None:
    p = load("""    base:
      id: cn-common-red-lines
      cite: [{node: rl_private_gain, ref: 第三条, text: 不谋取私利}]
""")
    v = p.versions[0]
    r = evaluate(v, {**CLEAN, "private_gain": True})
    assert "第三条" in r.citations and "“三个区分开来”（谋取私利）" in r.citations
    assert "第三条「不谋取私利」" in r.explanation()
    node = r.to_dict()["deciding_nodes"][0]
    assert node["source"] == "cn-common-red-lines@2018" and node["cites"] == [{"ref": "第三条", "text": "不谋取私利"}]


def test_opting_out_needs_a_reading_and_is_a_check_warning() -> None:
    (err,) = errors_of("    base: {id: cn-common-red-lines, opt_out: [rl_intentional]}\n")
    assert err.field == "versions[0].base.opt_out[0]" and "readings" in err.message
    p = load("""    base: {id: cn-common-red-lines, opt_out: [rl_intentional]}
    readings: [{ref: 试验, note: 本办法另有规定, node: rl_intentional}]
""")
    v = p.versions[0]
    assert "rl_intentional" not in {n.id for n in v.inherited_nodes()}
    assert evaluate(v, {**CLEAN, "intentional": True}).outcome == "exempt"
    warnings = [f for f in check_policy(p, "probe.yaml") if f.code == "base-opt-out"]
    assert len(warnings) == 1 and warnings[0].severity == "warning"


def test_bad_base_references_name_the_field() -> None:
    (err,) = errors_of("    base: no-such-base\n")
    assert err.field == "versions[0].base.id" and "no-such-base" in err.message
    (err,) = errors_of("    base: jiangsu-2017\n")
    assert "不是共同红线规则集" in err.message
    (err,) = errors_of("    base: {id: cn-common-red-lines, cite: [{node: rl_nothing, ref: 第一条}]}\n")
    assert err.field == "versions[0].base.cite[0].node"
    errs = errors_of("    base: cn-common-red-lines\n", BODY.replace("id: s1", "id: rl_private_gain"))
    assert any("共同红线" in e.message for e in errs)


def test_a_measure_without_base_fails_check_and_the_base_is_never_evaluated() -> None:
    p = load("")
    assert "no-base" in [f.code for f in check_policy(p, "probe.yaml") if f.severity == "error"]
    base = Library.default().get("cn-common-red-lines").latest()
    with pytest.raises(PolicyError, match="共同红线"):
        evaluate(base, {})
    assert "cn-common-red-lines" not in Library.default().ids()


def test_complete_requires_verified_articles_and_a_procedure() -> None:
    text = HEAD.replace("completeness: partial\n    completeness_note: 试验用\n", "completeness: complete\n")
    articles = "    articles: [{ref: 第一条, text: 某某, verified: false}]\n"
    p = load_policy_text(text + "    base: cn-common-red-lines\n" + articles + BODY, "probe.yaml")
    found = [f.message for f in check_policy(p, "probe.yaml") if f.code == "completeness"]
    assert any("第一条" in m for m in found) and any("procedure.steps" in m for m in found)


def test_open_situations_give_undetermined_outside_the_list() -> None:
    p = load("""    base: cn-common-red-lines
    open_situations: {ref: 第一条（等）, text: 等, note: 所列情形为开放列举}
""")
    v = p.versions[0]
    outside = evaluate(v, {**CLEAN, "exploratory_reform": False})
    assert outside.outcome == "undetermined"
    assert "所列情形之外" in outside.explanation() and "开放列举" in outside.explanation()
    assert evaluate(v, {**CLEAN, "exploratory_reform": True}).outcome == "exempt"
    assert evaluate(v, {**CLEAN, "exploratory_reform": False, "private_gain": True}).outcome == "not_tolerated"
    red_unknown = evaluate(v, {"exploratory_reform": False})
    assert red_unknown.outcome == "undetermined"
    assert set(red_unknown.decisive_facts) == {
        "violates_discipline_or_law", "private_gain", "intentional", "defied_explicit_ban"
    }
