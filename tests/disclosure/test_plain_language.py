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
    # 5 = the four red lines inherited from cn-common-red-lines + the measure's own 重特大事故
    assert e.overview == (
        "按照本办法，同时满足全部2项容错条件、属于所列1种容错情形（列举未尽）中的任一情形，且不存在所列5种不予容错情形的，可以容错。"
    )
    exclusions = next(g for g in e.groups if g.key == "exclusions")
    gain = [n for n in exclusions.nodes if "谋取私利" in n.test]
    assert len(gain) == 1 and gain[0].questions  # the inherited red line, explained like the measure's own


def test_open_situation_list_explained() -> None:
    # cn-guidance-2018 lists five situations 「……等等」: the open remainder is not counted as a sixth, nor shown as code
    e = explain_policy(Library.default().get("cn-guidance-2018").latest())
    assert "属于所列5种容错情形（列举未尽）中的任一情形" in e.overview
    situations = next(g for g in e.groups if g.key == "situations")
    assert "unknown" not in situations.nodes[-1].test and "列举未尽" in situations.nodes[-1].test


def test_ordinals() -> None:
    assert [ordinal(i) for i in (1, 10, 11, 20, 23)] == ["（一）", "（十）", "（十一）", "（二十）", "（二十三）"]
