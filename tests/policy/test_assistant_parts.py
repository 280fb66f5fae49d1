"""Recognising what each article or item is, time limits, and the §5 procedure / result-use proposals."""

from __future__ import annotations

import pytest

from rongcuo.policy import schema
from rongcuo.policy.assistant import draft_from_text, split
from rongcuo.policy.assistant.parts import classify_all, find_cues, time_limits

from .test_assistant_split import ART17, ART18

# 昌宁县 认定程序 and 江苏省 结果运用 (yunnan-changning-2016.yaml, jiangsu-2017.yaml), as 意见-style sections.
CHANGNING = (
    "昌宁县党员干部容错免责实施意见（试行）\n四、认定程序\n经申请、受理、核实、认定、报备五个程序认定免予追责。"
    "单位或本人认为符合免责条件的，应在启动追责程序后尚未作出决定前，向纪检监察机关提出书面申请。各级纪检监察机关受理"
    "容错免责事宜后，对不符合免责条件的申请，及时给予解释答复，对符合免责条件的申请，由受理单位将相关材料上报县纪委"
    "监察局案件审理室，由县纪委常委会研究决定，县纪委案审室会同有关部门开展调查核实。并将认定结果书面向申请单位或个人"
    "反馈，及时函告同级党委组织人事部门，并报同级党委或政府备案。\n"
)
JIANGSU_USE = (
    "关于建立容错纠错机制激励干部改革创新担当作为的实施意见（试行）\n五、结果运用\n对给予容错免责的干部，在平时考核、"
    "年度考核、目标责任考核、绩效考核、任期考核、任职试用期满考核等各类考核和干部提拔任用、职级职称晋升、评先评优、"
    "表彰奖励以及党代表、人大代表、政协委员、后备干部资格等方面同样看待、不受影响；对给予容错酌情从轻、减轻处理的干部，"
    "有影响期的，期满后根据工作需要和干部的德才素质、现实表现，按照有关规定及时合理安排使用。\n"
)


def parts_of(text: str):
    doc = split(text)
    return doc, classify_all(doc.articles)


def test_alternative_situations_and_mitigations() -> None:
    _, parts = parts_of("中国共产党问责条例\n" + ART17 + ART18)
    item = parts["第十七条第一款第（二）项"]
    assert item.part == "situations" and item.combine == "any"
    assert "之一" in item.cues
    assert parts["第十八条"].part == "mitigations"
    assert parts["第十八条第（一）项"].part == "mitigations"
    assert 0 < parts["第十八条"].confidence <= 1


def test_cumulative_conditions() -> None:
    _, parts = parts_of("某某办法\n第五条　同时具备下列条件的，可以容错：\n（一）出于公心；\n（二）经过集体决策。\n")
    assert parts["第五条第（一）项"].part == "conditions"
    assert parts["第五条第（一）项"].combine == "all"
    assert "同时具备" in parts["第五条"].cues


def test_exclusions_hide_the_situation_cue_inside_them() -> None:
    assert [c for c, _, _ in find_cues("不予容错情形")] == ["不予容错情形"]
    _, parts = parts_of("某某办法\n第九条　有下列情形之一的，不予容错：（一）违反党纪国法的；（二）谋取私利的。\n")
    assert parts["第九条"].part == "exclusions"
    assert parts["第九条第（二）项"].part == "exclusions"


def test_exclusion_item_inside_a_situation_list_is_its_own_part() -> None:
    text = (
        "某某办法\n第八条　有下列情形之一的，可以容错：（一）先行先试出现失误的；"
        "（二）但造成重大事故的，不予容错。\n"
    )
    _, parts = parts_of(text)
    assert parts["第八条第（一）项"].part == "situations"
    assert parts["第八条第（二）项"].part == "exclusions"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("应在5个工作日内作出决定", [{"text": "5个工作日内", "days": 5, "workdays": True}]),
        ("十五日内书面申诉", [{"text": "十五日内", "days": 15, "workdays": False}]),
        ("自收到之日起30日内", [{"text": "30日内", "days": 30, "workdays": False}]),
        ("影响期为6个月", [{"text": "6个月", "months": 6}]),
        ("2018年3月印发", []),
    ],
)
def test_time_limits_as_written(text: str, expected: list[dict]) -> None:
    assert [t.to_dict() for t in time_limits(text)] == expected


def test_procedure_steps_and_deciding_body() -> None:
    p = draft_from_text(CHANGNING)
    assert p.parts["实施意见·认定程序"].part == "procedure"
    stages = [s["stage"] for s in p.procedure["steps"]]
    assert stages[:4] == ["application", "acceptance", "investigation", "decision"]
    assert {"feedback", "notify_organisation", "filing"} <= set(stages)
    assert p.procedure["steps"][0]["name"] == "申请"
    assert p.procedure["deciding_body"]["name"] == "县纪委常委会"
    schema.Procedure.model_validate(p.procedure)  # the rule-file format of §5.2


def test_deadlines_and_appeal() -> None:
    text = (
        "某县容错纠错办法\n第十条　纪委监委应当在收到书面申请后5个工作日内决定是否受理，受理后十五日内完成调查核实。\n"
        "第十一条　当事人对认定结果不服的，可以自收到决定之日起15日内提出申诉，受理机关应当在30日内作出处理，"
        "申诉期间不停止执行。\n"
    )
    p = draft_from_text(text)
    assert p.parts["第十条"].part == "procedure"
    assert [t.to_dict() for t in p.parts["第十条"].time_limits] == [
        {"text": "5个工作日内", "days": 5, "workdays": True},
        {"text": "十五日内", "days": 15, "workdays": False},
    ]
    d1, d2 = p.procedure["deadlines"]
    assert (d1["stage"], d1["within"], d1["unit"], d1["from"]) == ("acceptance", 5, "working_days", "收到书面申请后")
    assert (d2["stage"], d2["within"], d2["unit"]) == ("investigation", 15, "days")
    assert p.parts["第十一条"].part == "appeal"
    assert p.procedure["appeal"] == {"ref": "第十一条", "within": 15, "unit": "days", "decided_within": 30,
                                     "suspends_execution": False}
    schema.Procedure.model_validate(p.procedure)


def test_result_use_areas() -> None:
    p = draft_from_text(JIANGSU_USE)
    assert p.parts["实施意见·结果运用"].part == "result_use"
    exempt, lightened = p.result_use
    assert exempt["applies_to"] == "exempt"
    assert exempt["unaffected"] == ["appraisal", "promotion", "rank_promotion", "title_evaluation", "awards",
                                    "commendation", "representative_eligibility", "reserve_cadre"]
    assert lightened["applies_to"] == "mitigate"
    assert lightened["influence_period"] == {"months": None}
    for rule in p.result_use:
        schema.ResultUseRule.model_validate(rule)


def test_scope_principles_and_correction() -> None:
    text = (
        "某县实施意见\n一、适用范围\n本意见适用于全县各级党政机关干部。\n二、基本原则\n坚持实事求是的原则。\n"
        "三、纠错改正\n对存在失误的，督促及时整改，运用“四种形态”分类处置。\n"
    )
    _, parts = parts_of(text)
    assert [parts[r].part for r in ("实施意见·适用范围", "实施意见·基本原则", "实施意见·纠错改正")] == [
        "scope", "principles", "correction"]
