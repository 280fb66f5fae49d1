"""A small set of cases built through the case actions, with the counts a person would make by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from rongcuo.cases import actions
from rongcuo.cases.models import Case

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


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


def application(w, domain: str = "征地拆迁") -> Case:
    return actions.submit_application(
        w.applicant,
        {
            "title": "试点失误",
            "summary": "改革试点失误",
            "statement": "申请容错",
            "conduct_date": "2023-05-01",
            "domain": domain,
        },
    )


def proactive(w, title: str = "项目审批失误问责", domain: str = "应急处置") -> Case:
    _matter, case = actions.open_matter(
        w.handler,
        {
            "unit_id": w.unit.pk,
            "cadre_id": w.cadre.pk,
            "title": title,
            "initiating_organ": "省纪委",
            "started_on": str(TODAY),
            "conduct_date": "2022-03-01",
            "domain": domain,
        },
    )
    assert case is not None  # 江苏: 问责调查与容错认定同步
    return case


def not_tolerated_and_closed(w, case: Case) -> Case:
    actions.set_fact(w.investigator, case.pk, {"fact": "violates_discipline_or_law", "value": True, "comment": "核实"})
    actions.transition(w.investigator, case.pk, "submit_report", {"report": "违反纪律"})
    actions.transition(w.handler, case.pk, "find_not_qualifying", {"finding": "违反党纪，不予容错"})
    actions.transition(w.handler, case.pk, "give_feedback", {"text": "反馈", "delivered_on": str(TODAY)})
    actions.transition(
        w.org_liaison, case.pk, "notify_organisation", {"letter": "函", "sent_on": str(TODAY), "recipient": "组织部"}
    )
    actions.transition(
        w.handler, case.pk, "file_report", {"report": "备案", "filed_on": str(TODAY), "filed_with": "省委"}
    )
    actions.transition(
        w.publisher, case.pk, "withhold_publication", {"reason": "涉及个人隐私", "legal_basis": "《个人信息保护法》"}
    )
    return actions.transition(w.handler, case.pk, "close", {"waived": True})


def exempt_decided(w, case: Case) -> Case:
    actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "党组会讨论", "opinion": "同意"})
    actions.transition(w.handler, case.pk, "accept", {})
    for k, v in CLEAR.items():
        actions.set_fact(w.investigator, case.pk, {"fact": k, "value": v, "comment": "核实"})
    actions.transition(w.investigator, case.pk, "submit_report", {"report": "报告"})
    actions.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形"})
    actions.transition(w.applicant, case.pk, "submit_defence", {"statement": "申辩"})
    actions.transition(
        w.secretary,
        case.pk,
        "deliberate",
        {
            "met_on": str(TODAY),
            "participants": ["甲", "乙", "丙"],
            "opinions": "一致同意",
            "recommendation": "exempt",
            "disposition": "免除相关责任",
        },
    )
    return actions.transition(
        w.secretary,
        case.pk,
        "decide",
        {"disposition": "免除相关责任", "decided_on": str(TODAY), "organ": "省纪委常委会"},
    )


@dataclass
class Dataset:
    a: Case  # individual, 征地拆迁, waiting for the unit committee
    b: Case  # individual, 招商引资, under investigation
    c: Case  # unit application, no domain, refused (closed without outcome)
    d: Case  # proactive, 应急处置, not tolerated, closed
    e: Case  # individual, 征地拆迁, exempt, at feedback
    f: Case  # 昌宁县 (530524), proactive, the outsider's


def build(w) -> Dataset:
    a = application(w)
    b = application(w, "招商引资")
    actions.transition(w.unit_reviewer, b.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    b = actions.transition(w.handler, b.pk, "accept", {})
    c = actions.submit_application(
        w.unit_contact,
        {"unit_id": w.unit.pk, "title": "单位申请", "summary": "x", "statement": "申请", "self_check": "自查"},
    )
    c = actions.transition(w.handler, c.pk, "refuse", {"reason": "不属于受理范围"})
    d = not_tolerated_and_closed(w, proactive(w))
    e = exempt_decided(w, application(w))
    matter, auto = actions.open_matter(
        w.outsider,
        {"unit_id": w.other_unit.pk, "title": "镇项目问责", "initiating_organ": "县纪委", "started_on": str(TODAY)},
    )
    f = auto or actions.open_proactive(w.outsider, matter.pk)
    # Creation times spread over periods; E at 00:30 on 1 January local time is 2025-12-31 in UTC.
    for case, at in ((a, local(2024, 1, 15)), (b, local(2024, 2, 20)), (c, local(2024, 5, 1)), (d, local(2025, 3, 3)),
                     (e, local(2026, 1, 1, 0, 30)), (f, local(2025, 7, 1))):  # fmt: skip
        Case.objects.filter(pk=case.pk).update(created_at=at)
    return Dataset(*(Case.objects.get(pk=x.pk) for x in (a, b, c, d, e, f)))
