from __future__ import annotations

import datetime as dt

import pytest

from rongcuo.policy import evaluate
from rongcuo.policy.evaluate import FORMAT

ON = dt.date(2021, 1, 1)
CLEAR = {"violates_discipline_or_law": False, "repeat_error": False, "private_gain": False}


@pytest.fixture
def v2020(demo_policy):
    return demo_policy.version_on(ON)


def test_exempt_with_citations_and_dispositions(v2020) -> None:
    facts = {**CLEAR, "public_interest": True, "collective_decision": True, "exploratory_reform": True}
    r = evaluate(v2020, facts)
    assert r.outcome == "exempt"
    assert r.dispositions == ["免予问责", "从轻处理"]
    assert r.decisive_facts == []
    assert r.citations[0] == "第七条"
    assert {"第三条第一项", "第三条第二项", "第三条第三项", "第四条第一项"} <= set(r.citations)
    assert "第四条第三项" not in r.citations  # a situation that did not hold is not cited


def test_exclusion_defeats_tolerance_and_is_cited(v2020) -> None:
    facts = {
        "violates_discipline_or_law": True,
        "public_interest": True,
        "collective_decision": True,
        "private_gain": False,
        "exploratory_reform": True,
        "remedied": True,
    }
    r = evaluate(v2020, facts)
    assert r.outcome == "not_tolerated"
    assert r.dispositions == ["问责处理"]
    assert "第五条第一项" in r.citations
    assert "违反党纪国法" in r.explanation()


def test_mitigate(v2020) -> None:
    facts = {**CLEAR, "public_interest": False, "remedied": True}
    r = evaluate(v2020, facts)
    assert r.outcome == "mitigate"
    assert r.dispositions == ["从轻处理", "减轻处理"]
    assert "第六条" in r.citations and "第三条第一项" in r.citations


def test_unknown_is_never_false(v2020) -> None:
    # "no private gain" unknown must not grant exemption (the OpenFisca/JSON-logic trap)
    facts = {
        "violates_discipline_or_law": False,
        "repeat_error": False,
        "public_interest": True,
        "collective_decision": True,
        "exploratory_reform": True,
    }
    r = evaluate(v2020, facts)
    assert r.outcome == "undetermined"
    assert r.decisive_facts[0] == "private_gain"
    assert r.dispositions == []
    assert "下一步需要查明" in r.explanation()
    assert "是否为个人、他人或单位谋取私利" in r.explanation()


def test_decisive_facts_are_exact_and_ranked(v2020) -> None:
    # exclusion x_repeat depends on force_majeure only when repeat_error is true
    facts = {
        "violates_discipline_or_law": False,
        "private_gain": False,
        "public_interest": True,
        "collective_decision": True,
        "exploratory_reform": True,
        "repeat_error": True,
    }
    r = evaluate(v2020, facts)
    assert r.outcome == "undetermined"
    assert r.decisive_facts == ["force_majeure", "remedied"] or r.decisive_facts == ["force_majeure"]
    # remedied matters: if repeat without force majeure → excluded → mitigation is also blocked,
    # so remedied cannot change anything: it must not be listed
    assert "remedied" not in r.decisive_facts
    q = r.questions[0]
    assert q.label == "不可抗力" and q.influence == 1.0


def test_trace_lists_every_node_with_facts_read(v2020) -> None:
    r = evaluate(v2020, {"exploratory_reform": True})
    trace = {t["id"]: t for t in r.trace()}
    for n in v2020.all_nodes():
        assert n.id in trace
    assert trace["s_reform"]["value"] == "T"
    assert trace["s_emergency"]["facts"] == {"emergency_response": None, "reported_afterwards": None}
    assert trace["x_law"]["value"] == "U"


def test_json_carries_format_and_partial_note(v2020) -> None:
    d = evaluate(v2020, {}, case_id="c-1").to_dict()
    assert d["format"] == FORMAT and d["id"] == "c-1"
    for key in ("policy", "version", "outcome", "dispositions", "decisive_facts", "citations", "trace", "explanation"):
        assert key in d
    assert d["completeness"] == "partial"
    assert "测试用：仅编码部分条款" in d["explanation"]


def test_local_fact_question_is_asked(demo_policy) -> None:
    v = demo_policy.version_on(dt.date(2018, 1, 1))
    facts = {
        "violates_discipline_or_law": False,
        "public_interest": True,
        "private_gain": False,
        "exploratory_reform": False,
    }
    r = evaluate(v, facts)
    assert r.outcome == "undetermined"
    assert r.questions[0].fact == "listed_in_exemption_list"
    assert r.questions[0].question == "该事项是否列入本县免责清单？"
