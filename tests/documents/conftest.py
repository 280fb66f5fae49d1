"""Cases driven through the lifecycle for the document tests, with an issuing body configured."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongcuo.accounts import actions as accounts
from rongcuo.cases import actions
from rongcuo.cases.models import Case
from rongcuo.documents.models import IssuingBody
from tests.cases.conftest import World, world  # noqa: F401

TODAY = dt.date.today()
CLEAR = {
    "violates_discipline_or_law": False,
    "private_gain": False,
    "public_interest": True,
    "collective_decision": True,
    "exploratory_reform": True,
    "lacks_precedent": True,
    "intentional": False,
    "defied_explicit_ban": False,
    "major_incident": False,
    "superior_decision_illegal": False,
    "emergency_response": False,
}
DISPOSITIONS = {
    "免除相关责任": "exempt",
    "从轻处理": "mitigate",
    "减轻处理": "mitigate",
    "问责处理": "not_tolerated",
}


@pytest.fixture(autouse=True)
def _no_background_pdf(settings: Any) -> None:
    """Tests convert to PDF explicitly (pdf.render_now); nothing runs in a background thread."""
    settings.RONGCUO_DOCUMENTS_PDF = "off"


@pytest.fixture
def body(world: World) -> IssuingBody:  # noqa: F811
    return IssuingBody.objects.create(
        jurisdiction=world.unit.jurisdiction,
        kind="discipline",
        name="中共江苏省纪律检查委员会",
        mark="中共江苏省纪律检查委员会文件",
        code="苏纪",
        signer="李明",
        cc="江苏省委组织部",
        printer="中共江苏省纪委办公厅",
    )


def apply(w: World, *, summary: str | None = None) -> Case:
    return actions.submit_application(
        w.applicant,
        {
            "title": "先行先试土地流转试点出现失误",
            "summary": summary or "张三在推进土地流转改革试点中，因缺乏经验，审批程序存在疏漏，造成一定经济损失。",
            "statement": "本人出于推动改革的公心，未谋取私利，恳请组织予以容错免责。",
            "conduct_date": "2023-05-01",
            "domain": "征地拆迁",
        },
    )


def to_defence(w: World, case: Case, *, major: bool = False) -> Case:
    actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "党组会议集体讨论", "opinion": "同意上报"})
    actions.transition(w.handler, case.pk, "accept", {"note": "材料齐全"})
    actions.add_interview(
        w.investigator, case.pk, {"interviewee": "李四", "held_on": str(TODAY), "content": "李四反映张三出于公心"}
    )
    for k, v in CLEAR.items():
        actions.set_fact(w.investigator, case.pk, {"fact": k, "value": v, "comment": "经调查核实"})
    actions.transition(w.investigator, case.pk, "submit_report", {"report": "经调查，失误属探索性失误，未谋取私利。"})
    return actions.transition(
        w.handler,
        case.pk,
        "find_qualifying",
        {"finding": "符合容错情形", "major_matter": major, "public_interest_involved": major},
    )


def to_decision(w: World, case: Case, disposition: str = "免除相关责任", *, months: int | None = None) -> Case:
    """From the defence stage (with third party and hearing when flagged) to a decision."""
    actions.transition(w.applicant, case.pk, "submit_defence", {"statement": "申辩理由", "witnesses": ["王五"]})
    case.refresh_from_db()
    if case.stage == "third_party":
        accounts.grant_role(None, "evaluator", "evaluator", case_id=case.pk)
        actions.transition(
            w.evaluator,
            case.pk,
            "submit_evaluation",
            {"evaluator_org": "某大学评估中心", "conclusion": "失误属探索性", "report": "评估报告"},
        )
        case.refresh_from_db()
    if case.stage == "hearing":
        accounts.grant_role(None, "hearing_host", "hearing_host", case_id=case.pk)
        actions.transition(
            w.hearing_host,
            case.pk,
            "record_hearing",
            {"held_on": str(TODAY), "participants": ["群众代表甲", "群众代表乙"], "summary": "听证意见一致"},
        )
    rec = DISPOSITIONS[disposition]
    case.refresh_from_db()
    actions.transition(
        w.secretary,
        case.pk,
        "deliberate",
        {
            "met_on": str(TODAY),
            "participants": ["赵六", "钱七", "孙八"],
            "opinions": "一致同意",
            "recommendation": rec,
            "disposition": disposition,
            "departure_reason": "" if rec == case.engine_outcome else "综合考虑一贯表现",
        },
    )
    data: dict[str, Any] = {"disposition": disposition, "decided_on": str(TODAY), "organ": "省纪委常委会"}
    if months is not None:
        data["influence_months"] = months
    if rec != "exempt":
        data["departure_reason"] = "综合考虑一贯表现"
    return actions.transition(w.secretary, case.pk, "decide", data)


def after_decision(w: World, case: Case) -> Case:
    actions.transition(w.handler, case.pk, "give_feedback", {"text": "已当面送达决定书", "delivered_on": str(TODAY)})
    actions.transition(
        w.org_liaison,
        case.pk,
        "notify_organisation",
        {"letter": "请在干部考核中予以运用", "sent_on": str(TODAY), "recipient": "中共江苏省委组织部"},
    )
    return actions.transition(
        w.handler,
        case.pk,
        "file_report",
        {"report": "备案报告", "filed_on": str(TODAY), "filed_with": "中共江苏省委"},
    )


def decided(w: World, disposition: str = "免除相关责任", *, months: int | None = None, major: bool = False) -> Case:
    case = to_defence(w, apply(w), major=major)
    return to_decision(w, case, disposition, months=months)
