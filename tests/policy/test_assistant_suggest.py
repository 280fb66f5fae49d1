"""Fact suggestions on real item texts, node proposals in the rule-file format, determinism, library purity."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rongcuo.policy import load_policy_file, schema
from rongcuo.policy.assistant import clauses, draft_from_text, rank
from rongcuo.policy.assistant.suggest import negated, propose_node
from rongcuo.policy.assistant.synonyms import TABLE_FILE, build_table
from rongcuo.policy.catalog import catalog
from rongcuo.policy.loader import load_policy_text

from .test_assistant_parts import CHANGNING, JIANGSU_USE
from .test_assistant_split import ART17, ART18, QIONGHAI

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "rongcuo" / "policy" / "assistant"


def top(text: str, k: int = 3) -> list[str]:
    return [s.fact for s in rank(text, limit=k)]


def test_lacks_experience_and_pilot_rank_top() -> None:
    assert set(top("在推进改革中因缺乏经验、先行先试出现的失误", 2)) == {"lacks_precedent", "exploratory_reform"}


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("尚无明确限制的探索性试验中的失误", "no_explicit_restriction"),  # 问责条例第十七条
        ("在集体决策中对错误决策提出明确反对意见或者保留意见的", "objected_in_collective_decision"),
        ("及时采取补救措施，有效挽回损失或者消除不良影响的", "remedied"),  # 问责条例第十八条
        ("积极配合问责调查工作，主动承担责任的", "cooperated"),
        ("权责不对等情况下，积极履行属地或行业管理责任中出现失误的", "authority_mismatch"),  # 琼海
        ("没有为个人、他人或单位谋取不正当利益的", "private_gain"),  # 江苏
        ("未与其他单位或者个人恶意串通", "collusion"),  # 深圳第四十一条
        ("处置突发事件临机决断、事后及时履行报告程序的", "emergency_response"),  # 中办发〔2018〕29号（评论）
    ],
)
def test_real_item_texts_rank_their_fact_first(text: str, fact: str) -> None:
    assert top(text, 1) == [fact]


def test_suggestions_carry_score_and_matched_words() -> None:
    best = rank("因不可抗力、难以预见等因素造成损失的")[0]
    assert best.fact == "force_majeure" and best.label == "不可抗力" and best.group == "situation"
    assert "不可抗力" in best.matched and best.score > 0
    scores = [s.score for s in rank("因不可抗力、难以预见等因素造成损失的")]
    assert scores == sorted(scores, reverse=True)


def test_clauses_split_on_punctuation_and_conjunctions() -> None:
    assert clauses("经过民主决策程序，没有谋取私利，且积极主动消除影响或挽回损失的") == [
        "经过民主决策程序", "没有谋取私利", "积极主动消除影响", "挽回损失的"]


def test_negation_ignores_words_that_only_look_negative() -> None:
    assert negated("没有为个人谋取私利")
    assert not negated("因不可抗力造成损失")
    assert not negated("尚无明确限制的探索性试验", ("尚无明确限制",))


def test_negation_polarity() -> None:
    # 「没有明令禁止」 names no_explicit_restriction (山东); 「虽未达到预期效果」 does not deny the reform (深圳)
    assert propose_node("法律法规和党纪政纪没有明令禁止的", "意见（一）", "conditions", "c1").node["when"].split(
        " and ")[-1] == "no_explicit_restriction"
    reform = propose_node("改革创新虽未达到预期效果", "第四十一条", "situations", "s41")
    assert reform.node["when"] == "exploratory_reform"
    assert propose_node("未经集体决策程序的", "第九条第（一）项", "exclusions", "x9").node["when"] == (
        "not collective_decision")


def test_condition_proposal_negates_a_red_line() -> None:
    p = propose_node("出于公心、担当尽责，没有为个人、他人或单位谋取不正当利益的", "实施意见·容错条件（1）",
                     "conditions", "c1")
    assert p.node["when"] == "public_interest and not private_gain"
    x = propose_node("为个人谋取私利的", "第九条第（二）项", "exclusions", "x9")
    assert x.node["when"] == "private_gain"


def test_draft_nodes_load_as_a_rule_file() -> None:
    p = draft_from_text("中国共产党问责条例\n" + ART17 + ART18)
    s = {n.node["ref"]: n.node for n in p.group("situations")}
    assert s["第十七条第一款第（二）项"]["when"] == "objected_in_collective_decision"
    assert s["第十七条第一款第（三）项"]["when"] == "diligent and force_majeure"
    assert s["第十七条第一款第（二）项"]["id"].startswith("s17_1_2_")
    m = {n.node["ref"]: n.node["when"] for n in p.group("mitigations")}
    assert m["第十八条第（一）项"] == "remedied" and m["第十八条第（二）项"] == "cooperated"
    ids = [n.node["id"] for n in p.nodes]
    assert len(ids) == len(set(ids))
    for n in p.nodes:
        schema.Node.model_validate(n.node)
    # the proposal pasted into a rule file loads: the ids, refs and expressions are valid there
    version = {
        "version": "1", "effective": {"from": "2020-01-01"}, "source": {}, "completeness": "partial",
        "completeness_note": "草稿", "applies_by": "conduct_date",
        **{g: [n.node for n in p.group(g)] for g in ("conditions", "situations", "exclusions", "mitigations")},
        "outcomes": [{"id": "o_exempt", "ref": "第十七条", "when": "tolerable", "outcome": "exempt",
                      "dispositions": ["免予问责"]}],
        "procedure": p.procedure, "result_use": p.result_use,
    }
    doc = {"format": 1, "id": "draft-probe", "title": "草稿", "jurisdiction": {"code": "000000", "name": "中央"},
           "issued_by": "中共中央", "versions": [version]}
    policy = load_policy_text(yaml.safe_dump(doc, allow_unicode=True), "draft-probe.yaml")
    assert len(policy.versions[0].own_nodes()) == len(p.nodes)


def test_heading_style_measure_end_to_end() -> None:
    p = draft_from_text(QIONGHAI)
    s = {n.node["ref"]: n.node["when"] for n in p.group("situations")}
    assert "authority_mismatch" in s["办法·容错免责情形（4）"]
    assert "emergency_response" in s["办法·容错免责情形（5）"]
    assert all(n.node["id"].startswith("s") for n in p.group("situations"))


def test_proposal_is_deterministic_across_processes() -> None:
    text = "中国共产党问责条例\n" + ART17 + ART18 + CHANGNING.split("\n", 1)[1] + JIANGSU_USE.split("\n", 1)[1]
    here = json.dumps(draft_from_text(text).to_dict(), ensure_ascii=False, sort_keys=True)
    assert here == json.dumps(draft_from_text(text).to_dict(), ensure_ascii=False, sort_keys=True)
    code = (
        "import json, sys; from rongcuo.policy.assistant import draft_from_text; "
        "print(json.dumps(draft_from_text(sys.stdin.read()).to_dict(), ensure_ascii=False, sort_keys=True))"
    )
    env = {"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True,
                         env=env, cwd=ROOT, encoding="utf-8").stdout.strip()
    assert out == here
    assert json.loads(here)["format"] == "rongcuo.draft-proposal/1"


def test_bad_text_input() -> None:
    from rongcuo.policy import PolicyError
    from rongcuo.policy.assistant.draft import MAX_CHARS

    with pytest.raises(PolicyError, match="正文过长") as exc:
        draft_from_text("字" * (MAX_CHARS + 1))
    assert exc.value.field == "text"
    with pytest.raises(PolicyError, match="正文应为文本"):
        draft_from_text(b"bytes")  # type: ignore[arg-type]
    empty = draft_from_text("   \n")
    assert empty.nodes == [] and "未能识别出任何条款" in empty.warnings[0]


def test_synonym_table_comes_from_the_tuning_set_only() -> None:
    data = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    bench = (ROOT / "bench" / "bench_assistant.py").read_text(encoding="utf-8")
    tree = ast.parse(bench)
    lists = {t.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name) and t.id in ("TUNING", "HELD_OUT")}
    assert data["sources"] == lists["TUNING"]
    assert not set(lists["HELD_OUT"]) & set(lists["TUNING"])
    assert data["facts"] and set(data["facts"]) <= set(catalog().facts)


def test_build_table_learns_a_word_the_catalog_lacks() -> None:
    nodes = [("为推动发展的无意过失", ("public_interest", "intentional")),
             ("大胆探索创新，先行先试出现无意过失的", ("exploratory_reform", "intentional"))]
    table = build_table(nodes)
    assert "无意" in table["intentional"]
    assert "无意" not in table.get("public_interest", {})


def test_shipped_tuning_measure_matches_the_draft_of_its_own_text() -> None:
    v = load_policy_file(ROOT / "rongcuo/policies/cn-accountability-2019.yaml").versions[0]
    encoded = {n.ref for n in v.own_nodes() if n.group in ("situations", "mitigations")}
    text = v.policy.title + "\n" + "\n".join(f"{a.ref}　{a.text.replace('。 ', '。' + chr(10))}" for a in v.articles)
    proposed = {n.node["ref"] for n in draft_from_text(text).nodes}
    assert encoded <= proposed


def test_assistant_imports_only_the_policy_library() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.level > 2:
                names = ["rongcuo.<outside policy>"]
            for n in names:
                assert n.split(".")[0] != "django", path
                assert not n.startswith("rongcuo") or n.startswith("rongcuo.policy"), (path, n)
    code = (
        "import sys; from rongcuo.policy.assistant import draft_from_text; draft_from_text('第一条 先行先试出现失误的，"
        "可以容错。'); print(sorted(m for m in sys.modules if m.startswith('django') or m.startswith('rongcuo.search')"
        " or (m.startswith('rongcuo.') and not m.startswith('rongcuo.policy'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"
