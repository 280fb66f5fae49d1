"""After-decision verbs: the standing query 「结果运用」 and correction plans 「纠错整改」.

One transactional function per verb (rongcuo.cases.actions conventions): scope through the access
chokepoint, role check, payload validation, the change, the case-timeline event and the audit record in
one transaction; refusals are audited by `attempt`. Reports and clarifications are in clearing.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit.chain import append
from rongcuo.cases import access
from rongcuo.cases.actions import actor_for, attempt, record_event, record_post_decision_fact
from rongcuo.cases.models import Case, Decision
from rongcuo.cases.payloads import parse_payload
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound
from rongcuo.org.models import Cadre
from rongcuo.procedure.models import Deadline

from . import payloads
from .models import Assessment, CorrectionPlan, Milestone, ProgressReport
from .records import matters_for_cadre
from .standing import Answer, Clearance, answer, areas, resolve_purpose

STANDING_ROLES = {"org_liaison", "handler", "secretary"}
PLAN_ROLES = {"handler"}
PROGRESS_ROLES = {"applicant", "unit_contact", "handler"}
ASSESS_ROLES = {"handler", "investigator"}
CORRECTION_STAGE = "correction"


def role_on(user: User, case: Case, allowed: set[str]) -> str:
    roles = [r for r in access.roles_on_case(user, case) if r in allowed]
    if not roles:
        raise Forbidden("您在本案中没有执行该操作的角色")
    return roles[0]


# --- 结果运用 standing query --------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    cadre: Cadre
    on: dt.date
    answers: list[Answer]
    clearances: list[Clearance]

    @property
    def counts_against(self) -> bool:
        return any(a.counts_against for a in self.answers)


def _standing_role(user: User, jurisdiction: str) -> str | None:
    for g in access.grants(user):
        if g.role in STANDING_ROLES and g.kind == "jurisdiction" and jurisdiction in g.jurisdiction_codes:
            return g.role
    return None


def read_standing(
    user: User, cadre_id: int | str, purpose: str | None = None, on: dt.date | None = None, *, ip: str = ""
) -> Standing:
    """Does any matter count against this cadre for this purpose (or for every area) on this day?
    For 组织部门 (org_liaison) and handler/secretary whose jurisdiction contains the cadre's unit."""
    on = on or timezone.localdate()
    with attempt(user, "standing.read", "cadre", cadre_id, ip):
        try:
            pk = int(cadre_id)
        except (TypeError, ValueError):
            raise NotFound("干部不存在或无权查询", field="cadre") from None
        cadre = Cadre.objects.select_related("unit").filter(pk=pk).first()
        role = _standing_role(user, cadre.unit.jurisdiction_id) if cadre else None
        if cadre is None or role is None:
            raise NotFound("干部不存在或无权查询", field="cadre")
        if purpose:
            area = resolve_purpose(purpose)
            if area is None:
                raise Invalid(f"用途应为 {'、'.join(areas().values())} 之一（或其代码）", field="purpose")
            wanted = [area]
        else:
            wanted = list(areas())
        matters, clearances = matters_for_cadre(cadre.pk)
        answers = [answer(matters, a, on) for a in wanted]
        result = Standing(cadre, on, answers, clearances)
        append(
            actor_for(user, role, ip),
            "standing.read",
            "cadre",
            cadre.pk,
            detail={
                "purpose": purpose or "",
                "on": on.isoformat(),
                "matters": len(matters),
                "counts_against": result.counts_against,
            },
        )
    return result


# --- 纠错整改 correction plans -------------------------------------------------------------------------


def _case(user: User, case_id: int | str) -> Case:
    return access.access_case(user, case_id, for_update=True)


def _plan(case: Case, *, running: bool = True) -> CorrectionPlan:
    plan = CorrectionPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        raise NotFound("本案尚未制定纠错整改方案", field="case_id")
    if running and plan.status not in CorrectionPlan.RUNNING:
        raise Conflict(f"纠错整改方案已{plan.get_status_display()}，不能再办理该事项")
    return plan


def _deadline(case: Case, label: str, today: dt.date, due: dt.date) -> Deadline:
    return Deadline.objects.create(
        case=case,
        stage=CORRECTION_STAGE,
        label=f"纠错整改：{label}"[:64],
        started_on=today,
        due_on=due,
        within=(due - today).days,
        unit="days",
        basis="纠错整改方案确定的时限",
        is_default=False,
    )


def _close_deadlines(plan: CorrectionPlan) -> None:
    Deadline.objects.filter(
        Q(correction_milestone__plan=plan) | Q(correction_plan=plan), completed_at__isnull=True
    ).update(completed_at=timezone.now())


def create_plan(user: User, case_id: int | str, data: Any, *, ip: str = "") -> CorrectionPlan:
    """The handler sets the correction plan of a decided case: responsible person, basis, measures,
    milestones and deadline (each watched by the deadline sweeper)."""
    p = parse_payload(payloads.PlanIn, data)
    with attempt(user, "correction.plan", "case", case_id, ip):
        case = _case(user, case_id)
        role = role_on(user, case, PLAN_ROLES)
        if not Decision.objects.filter(case=case).exists():
            raise Conflict("本案尚未作出决定，不能制定纠错整改方案")
        if CorrectionPlan.objects.filter(case=case).exists():
            raise Conflict("本案已有纠错整改方案")
        today = timezone.localdate()
        if p.deadline_on < today:
            raise Invalid("整改完成期限不能早于今天", field="deadline_on")
        for i, m in enumerate(p.milestones):
            if not today <= m.due_on <= p.deadline_on:
                raise Invalid("阶段节点期限应在今天至整改完成期限之间", field=f"milestones.{i}.due_on")
        plan = CorrectionPlan.objects.create(
            case=case,
            responsible=p.responsible,
            measures=p.measures,
            basis=p.basis,
            deadline_on=p.deadline_on,
            deadline=_deadline(case, "整改完成期限", today, p.deadline_on),
            created_by=user,
        )
        for i, m in enumerate(p.milestones, start=1):
            Milestone.objects.create(
                plan=plan,
                seq=i,
                title=m.title,
                description=m.description,
                due_on=m.due_on,
                deadline=_deadline(case, m.title, today, m.due_on),
            )
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "correction_plan",
            f"制定纠错整改方案：责任人{p.responsible}，{len(p.milestones)}个阶段节点，{p.deadline_on}前完成",
            reason=p.basis,
            data={"plan": plan.pk, "deadline_on": p.deadline_on.isoformat()},
        )
    return plan


def _milestone(plan: CorrectionPlan, milestone_id: int | None) -> Milestone | None:
    if milestone_id is None:
        return None
    m = Milestone.objects.select_for_update().filter(plan=plan, pk=milestone_id).first()
    if m is None:
        raise Invalid("阶段节点不属于本方案", field="milestone_id")
    return m


def report_progress(user: User, case_id: int | str, data: Any, *, ip: str = "") -> ProgressReport:
    """纠偏进度: reported by the party (applicant / unit contact) or the handler."""
    p = parse_payload(payloads.ProgressIn, data)
    with attempt(user, "correction.progress", "case", case_id, ip):
        case = _case(user, case_id)
        role = role_on(user, case, PROGRESS_ROLES)
        plan = _plan(case)
        if plan.status != "active":
            raise Conflict("已报送整改完成，待核验，不能再报告进度")
        m = _milestone(plan, p.milestone_id)
        if p.milestone_done:
            if m is None:
                raise Invalid("报告节点完成须指明阶段节点", field="milestone_id")
            if m.completed_on is not None:
                raise Conflict("该阶段节点已完成")
            m.completed_on = timezone.localdate()
            m.save(update_fields=["completed_on"])
            Deadline.objects.filter(pk=m.deadline_id).update(completed_at=timezone.now())
        rep = ProgressReport.objects.create(
            plan=plan,
            milestone=m,
            text=p.text,
            percent=p.percent,
            milestone_done=p.milestone_done,
            reported_by=user,
            role=role,
            reported_at=timezone.now(),
        )
        what = f"“{m.title}”" if m else ""
        done = "已完成" if p.milestone_done else ""
        pct = f"（{p.percent}%）" if p.percent is not None else ""
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "correction_progress",
            f"报告纠偏进度{what}{done}{pct}",
            reason=p.text,
            data={"plan": plan.pk, "milestone": m.pk if m else None, "done": p.milestone_done},
        )
    return rep


def assess(user: User, case_id: int | str, data: Any, *, ip: str = "") -> Assessment:
    """过程考核 by the handler or an investigator."""
    p = parse_payload(payloads.AssessmentIn, data)
    with attempt(user, "correction.assess", "case", case_id, ip):
        case = _case(user, case_id)
        role = role_on(user, case, ASSESS_ROLES)
        plan = _plan(case)
        m = _milestone(plan, p.milestone_id)
        a = Assessment.objects.create(
            plan=plan,
            milestone=m,
            rating=p.rating,
            comment=p.comment,
            assessed_by=user,
            role=role,
            assessed_at=timezone.now(),
        )
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "correction_assess",
            f"过程考核：{a.get_rating_display()}" + (f"（{m.title}）" if m else ""),
            reason=p.comment,
            data={"plan": plan.pk, "rating": p.rating},
        )
    return a


def submit_completion(user: User, case_id: int | str, data: Any, *, ip: str = "") -> CorrectionPlan:
    """The party reports the correction complete, with evidence, for the handler to verify."""
    p = parse_payload(payloads.CompletionIn, data)
    with attempt(user, "correction.complete", "case", case_id, ip):
        case = _case(user, case_id)
        role = role_on(user, case, PROGRESS_ROLES)
        plan = _plan(case)
        if plan.status != "active":
            raise Conflict("已报送整改完成，待核验")
        atts = list(case.attachments.filter(pk__in=p.attachment_ids)) if p.attachment_ids else []
        if len(atts) != len(set(p.attachment_ids)):
            raise Invalid("所列佐证附件不属于本案", field="attachment_ids")
        plan.status = "submitted"
        plan.evidence = p.evidence
        plan.completed_at = timezone.now()
        plan.save()
        plan.evidence_attachments.set(atts)
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "correction_complete",
            "报送整改完成情况及佐证材料，待核验",
            reason=p.evidence,
            data={"plan": plan.pk, "attachments": [a.pk for a in atts]},
        )
    return plan


def verify(user: User, case_id: int | str, data: Any, *, ip: str = "") -> CorrectionPlan:
    """The handler verifies the correction: passed closes the plan; not passed sends it back."""
    p = parse_payload(payloads.VerifyIn, data)
    with attempt(user, "correction.verify", "case", case_id, ip):
        case = _case(user, case_id)
        role = role_on(user, case, PLAN_ROLES)
        plan = _plan(case)
        if plan.status != "submitted":
            raise Conflict("整改完成情况尚未报送，不能核验")
        plan.verification_note = p.note
        if p.passed:
            plan.status = "verified"
            plan.verified_by = user
            plan.verified_at = timezone.now()
            _close_deadlines(plan)
        else:
            plan.status = "active"
        plan.save()
        summary = "核验整改完成情况：通过，纠错整改完成" if p.passed else "核验整改完成情况：未通过，继续整改"
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "correction_verify",
            summary,
            reason=p.note,
            data={"plan": plan.pk, "passed": p.passed},
        )
    return plan


def record_refusal(user: User, case_id: int | str, data: Any, *, ip: str = "") -> CorrectionPlan:
    """拒不纠错 / 整改不力: recorded, the plan ends, and the fact `refuses_correction` is set on the case
    (its evaluation refreshed) through rongcuo.cases.actions.record_post_decision_fact."""
    p = parse_payload(payloads.RefusalIn, data)
    with attempt(user, "correction.refusal", "case", case_id, ip):
        case = _case(user, case_id)
        role = role_on(user, case, PLAN_ROLES)
        plan = _plan(case)
        plan.status = p.kind
        plan.refusal_reason = p.reason
        plan.refused_at = timezone.now()
        plan.save()
        _close_deadlines(plan)
        label = "拒不纠错" if p.kind == "refused" else "整改不力，未能纠正"
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "correction_refusal",
            f"记录{label}",
            reason=p.reason,
            data={"plan": plan.pk, "kind": p.kind},
        )
        record_post_decision_fact(user, case.pk, "refuses_correction", True, f"{label}：{p.reason}", role=role, ip=ip)
    return plan


def read_plan(user: User, case_id: int | str, *, ip: str = "") -> CorrectionPlan:
    """A correction plan read through the case chokepoint, recorded in the audit."""
    with attempt(user, "correction.read", "case", case_id, ip):
        case = access.access_case(user, case_id)
        plan = CorrectionPlan.objects.filter(case=case).first()
        if plan is None:
            raise NotFound("本案尚未制定纠错整改方案", field="case_id")
        roles = access.roles_on_case(user, case)
        append(actor_for(user, roles[0] if roles else "", ip), "correction.read", "case", case.number)
    return plan
