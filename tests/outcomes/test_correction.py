"""纠错整改: plan, milestones with deadlines the sweeper watches, 纠偏进度, 过程考核, completion, verification,
refusal setting `refuses_correction`; 四种形态 recorded with the decision."""

from __future__ import annotations

import datetime as dt

import pytest

from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions as case_actions
from rongcuo.cases.models import Case, FactValue
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound
from rongcuo.outcomes import actions
from rongcuo.outcomes.models import CorrectionPlan
from rongcuo.procedure.models import Deadline, Reminder
from rongcuo.procedure.sweep import sweep

from .conftest import TODAY, decide_through_verbs, proactive_case

pytestmark = pytest.mark.django_db

LATER = TODAY + dt.timedelta(days=30)


def plan_data(**kw) -> dict:
    return {
        "responsible": "张三",
        "measures": "完善审批流程，补办手续",
        "basis": "《容错认定书》及整改要求",
        "deadline_on": str(TODAY + dt.timedelta(days=60)),
        "milestones": [
            {"title": "补办审批手续", "due_on": str(TODAY + dt.timedelta(days=10))},
            {"title": "修订审批制度", "due_on": str(LATER)},
        ],
    } | kw


@pytest.fixture
def decided_case(world) -> Case:
    return decide_through_verbs(world, proactive_case(world), "从轻处理", months=6, form=1)


def test_plan_needs_a_decision_and_the_handler(world) -> None:
    w = world
    case = proactive_case(w)
    with pytest.raises(Conflict):
        actions.create_plan(w.handler, case.pk, plan_data())
    case = decide_through_verbs(w, case, "免除相关责任", form=1)
    assert case.decision.form == 1 and case.decision.get_form_display() == "第一种形态"
    with pytest.raises(Forbidden):
        actions.create_plan(w.investigator, case.pk, plan_data())
    for user in (w.outsider, w.sysadmin):
        with pytest.raises(NotFound):
            actions.create_plan(user, case.pk, plan_data())
    with pytest.raises(Invalid) as exc:
        actions.create_plan(w.handler, case.pk, plan_data(deadline_on=str(TODAY - dt.timedelta(days=1))))
    assert exc.value.field == "deadline_on"
    bad = plan_data(milestones=[{"title": "晚于期限", "due_on": str(TODAY + dt.timedelta(days=90))}])
    with pytest.raises(Invalid) as exc:
        actions.create_plan(w.handler, case.pk, bad)
    assert exc.value.field == "milestones.0.due_on"
    with pytest.raises(Invalid) as exc:
        actions.create_plan(w.handler, case.pk, plan_data(responsible=""))
    assert exc.value.field == "responsible"
    plan = actions.create_plan(w.handler, case.pk, plan_data())
    assert plan.milestones.count() == 2 and plan.deadline.due_on == TODAY + dt.timedelta(days=60)
    with pytest.raises(Conflict):
        actions.create_plan(w.handler, case.pk, plan_data())
    assert AuditRecord.objects.filter(action="correction.plan", success=False).count() >= 5


def test_lifecycle_progress_assessment_completion_verification(world, decided_case) -> None:
    w, case = world, decided_case
    plan = actions.create_plan(w.handler, case.pk, plan_data())
    m1, m2 = plan.milestones.all()
    actions.report_progress(w.applicant, case.pk, {"text": "已提交补办材料", "percent": 30, "milestone_id": m1.pk})
    actions.report_progress(
        w.unit_contact, case.pk, {"text": "补办完成", "percent": 50, "milestone_id": m1.pk, "milestone_done": True}
    )
    m1.refresh_from_db()
    assert m1.completed_on == TODAY and Deadline.objects.get(pk=m1.deadline_id).completed_at is not None
    with pytest.raises(Conflict):
        actions.report_progress(w.applicant, case.pk, {"text": "再报", "milestone_id": m1.pk, "milestone_done": True})
    with pytest.raises(Forbidden):
        actions.report_progress(w.secretary, case.pk, {"text": "x"})
    with pytest.raises(Invalid) as exc:
        actions.report_progress(w.applicant, case.pk, {"text": "x", "percent": 120})
    assert exc.value.field == "percent"
    actions.assess(w.investigator, case.pk, {"rating": "fair", "comment": "整改较积极", "milestone_id": m1.pk})
    with pytest.raises(Forbidden):
        actions.assess(w.applicant, case.pk, {"rating": "good", "comment": "自评"})
    with pytest.raises(Conflict):
        actions.verify(w.handler, case.pk, {"passed": True, "note": "尚未报送"})
    actions.submit_completion(w.applicant, case.pk, {"evidence": "制度文件已印发"})
    with pytest.raises(Conflict):
        actions.report_progress(w.applicant, case.pk, {"text": "待核验期间"})
    plan = actions.verify(w.handler, case.pk, {"passed": False, "note": "制度未覆盖全部环节"})
    assert plan.status == "active"
    actions.report_progress(
        w.handler, case.pk, {"text": "制度修订完成", "percent": 100, "milestone_id": m2.pk, "milestone_done": True}
    )
    actions.submit_completion(w.unit_contact, case.pk, {"evidence": "修订后制度"})
    with pytest.raises(Forbidden):
        actions.verify(w.investigator, case.pk, {"passed": True, "note": "x"})
    plan = actions.verify(w.handler, case.pk, {"passed": True, "note": "整改到位"})
    assert plan.status == "verified" and plan.verified_by == w.handler
    assert not Deadline.objects.filter(case=case, stage="correction", completed_at__isnull=True).exists()
    verbs = list(case.events.filter(verb__startswith="correction").values_list("verb", flat=True))
    assert verbs[0] == "correction_plan" and verbs[-1] == "correction_verify"
    assert verbs.count("correction_progress") == 3 and "correction_assess" in verbs
    read = actions.read_plan(w.applicant, case.pk)
    assert read.pk == plan.pk
    assert AuditRecord.objects.filter(action="correction.read", username="applicant", success=True).exists()
    with pytest.raises(NotFound):
        actions.read_plan(w.outsider, case.pk)


def test_overdue_milestone_raises_a_reminder_and_survives_stage_changes(world, decided_case) -> None:
    w, case = world, decided_case
    plan = actions.create_plan(w.handler, case.pk, plan_data())
    m1 = plan.milestones.first()
    # a stage change completes the case's stage deadlines; the correction deadlines keep running
    case_actions.transition(w.handler, case.pk, "give_feedback", {"text": "反馈", "delivered_on": str(TODAY)})
    case_actions.transition(
        w.org_liaison, case.pk, "notify_organisation", {"letter": "函", "sent_on": str(TODAY), "recipient": "组织部"}
    )
    case_actions.transition(
        w.handler, case.pk, "file_report", {"report": "备案", "filed_on": str(TODAY), "filed_with": "省委"}
    )
    case.refresh_from_db()
    assert case.stage == "publication" and case.status == "open"
    assert Deadline.objects.get(pk=m1.deadline_id).completed_at is None
    assert Deadline.objects.get(pk=plan.deadline_id).completed_at is None
    result = sweep(m1.due_on + dt.timedelta(days=1))
    assert result.overdue_reminders >= 1
    reminder = Reminder.objects.get(deadline_id=m1.deadline_id, kind="overdue")
    assert case.number in reminder.message and "补办审批手续" in reminder.message
    assert not Reminder.objects.filter(deadline_id=plan.milestones.last().deadline_id, kind="overdue").exists()


def test_overdue_milestone_of_a_closed_case_raises_a_reminder(world, decided_case) -> None:
    w, case = world, decided_case
    plan = actions.create_plan(w.handler, case.pk, plan_data())
    Case.objects.filter(pk=case.pk).update(status="closed", stage="closed")
    m1 = plan.milestones.first()
    sweep(m1.due_on + dt.timedelta(days=1))
    assert Reminder.objects.filter(deadline_id=m1.deadline_id, kind="overdue").exists()


@pytest.mark.parametrize("kind", ["refused", "failed"])
def test_refusal_sets_refuses_correction_and_refreshes_evaluation(world, decided_case, kind) -> None:
    w, case = world, decided_case
    actions.create_plan(w.handler, case.pk, plan_data())
    before = Case.objects.get(pk=case.pk)
    with pytest.raises(Forbidden):
        actions.record_refusal(w.applicant, case.pk, {"kind": kind, "reason": "拒绝"})
    plan = actions.record_refusal(w.handler, case.pk, {"kind": kind, "reason": "经督促仍不整改"})
    assert plan.status == kind
    fv = FactValue.objects.get(case=case, fact="refuses_correction")
    assert fv.value is True and "经督促仍不整改" in fv.comment
    after = Case.objects.get(pk=case.pk)
    assert after.evaluated_at > before.evaluated_at and after.version == before.version + 1
    assert not Deadline.objects.filter(case=case, stage="correction", completed_at__isnull=True).exists()
    verbs = list(after.events.values_list("verb", flat=True))
    assert verbs[-2:] == ["correction_refusal", "set_fact"]
    with pytest.raises(Conflict):
        actions.report_progress(w.applicant, case.pk, {"text": "补报"})
    assert CorrectionPlan.objects.get(case=case).refusal_reason == "经督促仍不整改"
