"""The plain-language explanation generated from a policy's rule structure."""

from __future__ import annotations

import pytest

from rongcuo.disclosure.plain_language import explain_policy, expr_text, ordinal
from rongcuo.policy import Library
from rongcuo.policy.expr import parse


@pytest.fixture(scope="module")
def jiangsu():
    return Library.default().get("jiangsu-2017").latest()


def test_expressions_in_words(jiangsu) -> None:
    cases = {
        "public_interest": "「出于公心」",
        "not private_gain": "不存在「谋取私利」",
        "collective_decision or (emergency_response and reported_afterwards)": (
            "「集体决策」或者（「应急处置」且「事后报告」）"
        ),
        "at_least(2, remedied, cooperated, diligent)": "以下至少2项成立：「积极补救」、「配合调查」、「勤勉尽责」",
        "intentional == private_gain": "「主观故意」与「谋取私利」相同",
        "not (remedied and cooperated)": "并非（「积极补救」且「配合调查」）",
        "situation and not excluded": "属于容错情形且不存在不予容错情形",
        "c_public_spirited": "「如出以公心、担当尽责」",
    }
    for source, words in cases.items():
        assert expr_text(parse(source), jiangsu) == words, source


def test_every_shipped_policy_explained(jiangsu) -> None:
    lib = Library.default()
    for pid in lib.ids():
        for v in lib.get(pid).versions:
            e = explain_policy(v)
            assert e.overview.startswith("按照本办法")
            assert e.partial == v.partial and (not v.partial or e.completeness_note)
            assert sum(len(g.nodes) for g in e.groups) == len(v.all_nodes())
            assert len(e.outcomes) == len(v.outcomes) and e.otherwise.outcome
    e = explain_policy(jiangsu)
    assert [g.lead for g in e.groups] == [
        "须同时满足以下全部条件：",
        "并且属于以下任一情形：",
        "有下列情形之一的，不予容错：",
    ]
    assert e.overview == (
        "按照本办法，同时满足全部3项容错条件、属于所列1种容错情形中的任一情形，且不存在所列4种不予容错情形的，可以容错。"
    )
    assert e.groups[0].nodes[1].test == "不存在「谋取私利」" and e.groups[0].nodes[1].questions


def test_ordinals() -> None:
    assert [ordinal(i) for i in (1, 10, 11, 20, 23)] == ["（一）", "（十）", "（十一）", "（二十）", "（二十三）"]
