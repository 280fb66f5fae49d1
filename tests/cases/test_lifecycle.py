"""Whole cases through the actions, for each start type and outcome, including appeal."""

from __future__ import annotations

import datetime as dt

import pytest

from rongcuo.accounts import actions as accounts
from rongcuo.cases import actions
from rongcuo.cases.models import Case, Decision
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound

pytestmark = pytest.mark.django_db

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
TODAY = dt.date.today()


def facts(w, case, values) -> None:
    for k, v in values.items():
        actions.set_fact(w.investigator, case.pk, {"fact": k, "value": v, "comment": "调查核实"})


def individual_case(w) -> Case:
    return actions.submit_application(
        w.applicant,
        {
            "title": "先行先试土地流转试点出现失误",
            "summary": "推进改革试点中，因缺乏经验造成损失",
            "statement": "本人申请容错免责",
            "conduct_date": "2023-05-01",
            "domain": "征地拆迁",
        },
    )


def test_individual_application_to_exemption_and_closing(world) -> None:
    w = world
    case = individual_case(w)
    assert case.stage == "unit_review" and case.start_type == "individual"
    assert case.policies[0]["policy"] == "jiangsu-2017"  # most local first, then 中央
    assert {p["policy"] for p in case.policies} >= {"jiangsu-2017", "cn-accountability-2019"}
    assert case.stage_due_on is not None
    case = actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "党组会讨论", "opinion": "同意"})
    assert case.stage == "acceptance"
    case = actions.transition(w.handler, case.pk, "accept", {"note": "材料齐全"})
    assert case.stage == "investigation"
    facts(w, case, CLEAR)
    case.refresh_from_db()
    assert case.engine_outcome == "exempt", case.evaluation[0]
    case = actions.transition(w.investigator, case.pk, "submit_report", {"report": "初步调查报告"})
    case = actions.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形"})
    assert case.stage == "defence"
    case = actions.transition(w.applicant, case.pk, "submit_defence", {"statement": "申辩理由", "witnesses": ["李四"]})
    assert case.stage == "deliberation"
    case = actions.transition(
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
    case = actions.transition(
        w.secretary,
        case.pk,
        "decide",
        {"disposition": "免除相关责任", "decided_on": str(TODAY), "organ": "省纪委常委会"},
    )
    assert case.stage == "feedback" and case.outcome == "exempt"
    d = Decision.objects.get(case=case)
    assert d.policy == "jiangsu-2017" and d.evaluation["trace"]
    case = actions.transition(w.handler, case.pk, "give_feedback", {"text": "书面反馈", "delivered_on": str(TODAY)})
    assert case.stage == "feedback"
    case = actions.transition(
        w.org_liaison,
        case.pk,
        "notify_organisation",
        {"letter": "函告", "sent_on": str(TODAY), "recipient": "省委组织部"},
    )
    case = actions.transition(
        w.handler, case.pk, "file_report", {"report": "备案报告", "filed_on": str(TODAY), "filed_with": "省委"}
    )
    assert case.stage == "publication"
    case = actions.transition(w.publisher, case.pk, "publish", {})
    assert case.stage == "appeal_window"
    with pytest.raises(Invalid):
        actions.transition(w.handler, case.pk, "close", {})
    case = actions.transition(w.handler, case.pk, "close", {"waived": True})
    assert case.status == "closed" and case.closing_reason == "decided"
    verbs = list(case.events.values_list("verb", flat=True))
    assert verbs[0] == "apply" and verbs[-1] == "close" and verbs.count("set_fact") == len(CLEAR)


def test_unit_application_refused(world) -> None:
    w = world
    with pytest.raises(Invalid) as exc:
        actions.submit_application(
            w.unit_contact, {"unit_id": w.unit.pk, "title": "单位申请", "summary": "x", "statement": "申请"}
        )
    assert exc.value.field == "self_check"
    case = actions.submit_application(
        w.unit_contact,
        {
            "unit_id": w.unit.pk,
            "title": "单位申请",
            "summary": "x",
            "statement": "申请",
            "self_check": "对照免责清单自查",
        },
    )
    assert case.stage == "acceptance" and case.start_type == "unit"
    case = actions.transition(w.handler, case.pk, "refuse", {"reason": "不属于受理范围"})
    assert case.status == "closed" and case.closing_reason == "refused"


def test_proactive_not_qualifying_then_appeal(world) -> None:
    w = world
    _matter, auto = actions.open_matter(
        w.handler,
        {
            "unit_id": w.unit.pk,
            "cadre_id": w.cadre.pk,
            "title": "项目审批失误问责",
            "initiating_organ": "省纪委",
            "started_on": str(TODAY),
            "conduct_date": "2022-03-01",
        },
    )
    # 江苏: 问责调查与容错认定同步 → the review opens with the matter
    assert auto is not None and auto.start_type == "proactive" and auto.stage == "investigation"
    case = auto
    facts(w, case, {"violates_discipline_or_law": True})
    case = actions.transition(w.investigator, case.pk, "submit_report", {"report": "违反纪律"})
    case = actions.transition(w.handler, case.pk, "find_not_qualifying", {"finding": "违反党纪，不予容错"})
    assert case.stage == "feedback" and case.outcome == "not_tolerated"
    for verb, data in (
        ("give_feedback", {"text": "反馈", "delivered_on": str(TODAY)}),
        ("notify_organisation", {"letter": "函", "sent_on": str(TODAY), "recipient": "组织部"}),
        ("file_report", {"report": "备案", "filed_on": str(TODAY), "filed_with": "省委"}),
    ):
        case = actions.transition(w.handler, case.pk, verb, data)
    case = actions.transition(
        w.publisher, case.pk, "withhold_publication", {"reason": "涉及个人隐私", "legal_basis": "《个人信息保护法》"}
    )
    case = actions.transition(w.applicant, case.pk, "submit_appeal", {"grounds": "事实认定有误"})
    assert case.stage == "appeal"
    case = actions.transition(w.secretary, case.pk, "decide_appeal", {"result": "upheld", "reasoning": "维持"})
    assert case.status == "closed" and case.appeals.get().status == "upheld"


def test_mitigation_with_departure_reason_and_third_party_and_hearing(world) -> None:
    w = world
    case = individual_case(w)
    case = actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    case = actions.transition(w.handler, case.pk, "accept", {})
    facts(w, case, {"violates_discipline_or_law": False})
    case = actions.transition(w.investigator, case.pk, "submit_report", {"report": "报告"})
    case = actions.transition(
        w.handler,
        case.pk,
        "find_qualifying",
        {"finding": "重大事项", "major_matter": True, "public_interest_involved": True},
    )
    accounts.grant_role(None, "evaluator", "evaluator", case_id=case.pk)
    accounts.grant_role(None, "hearing_host", "hearing_host", case_id=case.pk)
    case = actions.transition(w.applicant, case.pk, "submit_defence", {"statement": "申辩"})
    assert case.stage == "third_party"
    with pytest.raises(Forbidden):
        actions.transition(
            w.handler, case.pk, "submit_evaluation", {"evaluator_org": "x", "conclusion": "y", "report": "z"}
        )
    case = actions.transition(
        w.evaluator,
        case.pk,
        "submit_evaluation",
        {"evaluator_org": "某大学评估中心", "conclusion": "失误属探索性", "report": "评估报告"},
    )
    assert case.stage == "hearing"
    case = actions.transition(
        w.hearing_host,
        case.pk,
        "record_hearing",
        {"held_on": str(TODAY), "participants": ["群众代表"], "summary": "听证"},
    )
    assert case.stage == "deliberation"
    assert case.engine_outcome == "undetermined"
    base = {
        "met_on": str(TODAY),
        "participants": ["甲", "乙", "丙"],
        "opinions": "意见",
        "recommendation": "mitigate",
        "disposition": "从轻处理",
    }
    with pytest.raises(Invalid) as exc:
        actions.transition(w.secretary, case.pk, "deliberate", base)
    assert exc.value.field == "departure_reason"
    case = actions.transition(w.secretary, case.pk, "deliberate", {**base, "departure_reason": "综合考虑一贯表现"})
    with pytest.raises(Invalid):
        actions.transition(
            w.secretary, case.pk, "decide", {"disposition": "从轻处理", "decided_on": str(TODAY), "organ": "省纪委"}
        )
    case = actions.transition(
        w.secretary,
        case.pk,
        "decide",
        {"disposition": "从轻处理", "decided_on": str(TODAY), "organ": "省纪委", "influence_months": 6},
    )
    assert case.outcome == "mitigate" and case.decision.influence_months == 6


def test_scope_and_stage_guards(world) -> None:
    w = world
    case = individual_case(w)
    for user in (w.outsider, w.sysadmin, w.secadmin, w.auditadmin, w.evaluator):
        with pytest.raises(NotFound):
            actions.transition(user, case.pk, "endorse", {"discussion": "x", "opinion": "y"})
        with pytest.raises(NotFound):
            actions.read_case(user, case.pk)
    with pytest.raises(Forbidden):
        actions.transition(w.handler, case.pk, "endorse", {"discussion": "x", "opinion": "y"})
    with pytest.raises(Conflict):
        actions.transition(w.handler, case.pk, "accept", {})
    with pytest.raises(Invalid) as exc:
        actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "", "opinion": "y"})
    assert exc.value.field == "discussion"
    with pytest.raises(Conflict):
        actions.transition(
            w.unit_reviewer, case.pk, "endorse", {"discussion": "x", "opinion": "y"}, expected_version=case.version + 5
        )
    assert actions.read_case(w.handler, case.pk).pk == case.pk


def test_application_only_while_matter_open(world) -> None:
    w = world
    matter, _ = actions.open_matter(
        w.handler,
        {
            "unit_id": w.unit.pk,
            "cadre_id": w.cadre.pk,
            "title": "问责",
            "initiating_organ": "纪委",
            "started_on": str(TODAY),
        },
    )
    matter.status = "decided"
    matter.save()
    with pytest.raises(Invalid) as exc:
        actions.submit_application(
            w.applicant, {"matter_id": matter.pk, "title": "t", "summary": "s", "statement": "申请"}
        )
    assert exc.value.field == "matter_id"


def test_prefiling_sets_fact(world) -> None:
    w = world
    pre = actions.submit_prefiling(
        w.unit_contact,
        {
            "unit_id": w.unit.pk,
            "title": "容缺审批改革",
            "measure": "容缺受理",
            "risks": "材料不全",
            "safeguards": "事后补正",
            "expected_effect": "提速",
        },
    )
    assert pre.due_on is not None and pre.deadlines.count() == 1
    with pytest.raises(NotFound):
        actions.review_prefiling(w.outsider, pre.pk, acknowledge=True, response="受理")
    pre = actions.review_prefiling(w.handler, pre.pk, acknowledge=True, response="同意报备")
    case = actions.submit_application(
        w.unit_contact,
        {
            "unit_id": w.unit.pk,
            "title": "单位申请",
            "summary": "s",
            "statement": "申请",
            "self_check": "自查",
            "pre_filing_id": pre.pk,
        },
    )
    assert case.facts.get(fact="pre_filed").value is True


def test_every_change_to_a_case_runs_the_case_hooks(world, monkeypatch) -> None:
    """The search index (and any other CASE_HOOKS) sees starting, facts, interviews, attachments and
    transitions, each once, with the case as changed."""
    w = world
    seen: list[tuple[int, str]] = []
    monkeypatch.setattr(actions, "CASE_HOOKS", [lambda c: seen.append((c.pk, c.stage))])
    case = individual_case(w)
    assert seen == [(case.pk, "unit_review")]
    actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "党组会讨论", "opinion": "同意"})
    actions.transition(w.handler, case.pk, "accept", {"note": "材料齐全"})
    assert seen[1:] == [(case.pk, "acceptance"), (case.pk, "investigation")]
    actions.set_fact(w.investigator, case.pk, {"fact": "public_interest", "value": True, "comment": "核实"})
    actions.add_interview(w.investigator, case.pk, {"interviewee": "李四", "held_on": "2024-01-02", "content": "走访"})
    actions.add_attachment(w.investigator, case.pk, "证据.txt", b"evidence")
    assert len(seen) == 6 and {pk for pk, _ in seen} == {case.pk}
