"""One transactional function per business verb (Zulip `actions/`, Saleor `order/events.py`).

Each locks the case row, checks scope, role and stage, validates its payload, writes the change,
the case-timeline event and the audit record together, and recomputes the rules evaluation. Views,
the API and the command line call these; nothing else writes case models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit.chain import Actor, append, append_failure
from rongcuo.audit.models import AuditRecord
from rongcuo.core.errors import ActionError, Conflict, Forbidden, Invalid, NotFound
from rongcuo.core.prepared import PreparedQuery
from rongcuo.org.models import AccountabilityMatter, Cadre, Jurisdiction, Unit
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog
from rongcuo.procedure import engine
from rongcuo.procedure.models import Deadline

from . import access, evaluation, files, payloads
from .models import (
    Appeal,
    Attachment,
    Case,
    CaseCounter,
    CaseEvent,
    Decision,
    FactValue,
    Interview,
    PreFiling,
    StartType,
)

FACT_STAGES = {
    "acceptance",
    "investigation",
    "preliminary",
    "defence",
    "third_party",
    "hearing",
    "deliberation",
    "decision",
}
FACT_ROLES = {"handler", "investigator"}
# Called inside the decision's transaction with the new Decision (e.g. result use records, search index).
# Apps register here at import time (AppConfig.ready) instead of this module importing them.
DECISION_HOOKS: list = []
CASE_HOOKS: list = []  # called with the case after every change, by record_event (search index)


def actor_for(user: User, role: str = "", ip: str = "") -> Actor:
    return Actor(user.pk, user.username, role, ip)


@contextmanager
def attempt(user: User, action: str, object_type: str, object_id: Any, ip: str = "") -> Iterator[None]:
    """Run an act in a transaction; if it is refused, record the refusal in the audit after rollback."""
    try:
        with transaction.atomic():
            yield
    except ActionError as exc:
        # Code and field only: refusal messages may quote names or case contents, which the audit
        # administrator must not see.
        append_failure(
            actor_for(user, "", ip), action, object_type, str(object_id), error=exc.code, field=exc.field or ""
        )
        raise


def _number(jurisdiction: Jurisdiction, kind: str, prefix: str) -> str:
    year = timezone.localdate().year
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(jurisdiction=jurisdiction, kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{jurisdiction.code}-{year}-{counter.last:05d}"


def record_event(
    case: Case,
    user: User | None,
    actor: Actor,
    verb: str,
    summary: str,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    stage_from: str = "",
    stage_to: str = "",
) -> CaseEvent:
    rec = append(
        actor,
        f"case.{verb}",
        "case",
        case.number,
        kind=AuditRecord.KIND_TIMELINE,
        detail={"summary": summary, "stage_from": stage_from, "stage_to": stage_to},
    )
    event = CaseEvent.objects.create(
        case=case,
        at=rec.at,
        verb=verb,
        stage_from=stage_from,
        stage_to=stage_to,
        actor=user,
        actor_name=(user.display_name or user.username) if user else actor.username,
        role=actor.role,
        summary=summary,
        reason=reason,
        data=data or {},
        audit_seq=rec.seq,
    )
    # Every change to a case is recorded with an event after the change is written, so this is the one
    # place the hooks (search index) see each change, inside the action's transaction.
    run_case_hooks(case)
    return event


def deadline_basis(d: dict[str, Any]) -> str:
    """Where a stage's time limit comes from, in words a clerk can check: the measure's article, or — where
    the applicable measures are silent — the configurable default of the procedure definition, and the rule
    it follows if it follows one (the 2009 暂行规定's appeal periods)."""
    basis = d.get("basis") or ""
    if not d.get("default"):
        return basis
    if basis and "默认" not in basis:
        return f"参照{basis}（本案适用的办法未规定此期限，作为可配置的默认期限）"
    return basis or "本案适用的办法未规定此期限，按系统可配置的默认期限（本系统默认办案程序所定）"


def _open_stage(case: Case, stage: str, today: dt.date) -> None:
    """Close the previous stage's deadline and start the new one's (in working days, per the pinned procedure)."""
    now = timezone.now()
    # Only stage deadlines end with the stage; correction milestones run on their own schedule.
    Deadline.objects.filter(case=case, completed_at__isnull=True).exclude(stage="correction").update(completed_at=now)
    case.stage = stage
    proc = engine.Procedure(case.procedure)
    if stage == "closed" or not proc.has(stage):
        case.stage_due_on = None
        case.overdue = False
        return
    st = proc.stage(stage)
    due = engine.due_date(st, today)
    if due is None:
        case.stage_due_on = None
        return
    d = st["deadline"]
    basis = deadline_basis(d)
    Deadline.objects.create(
        case=case,
        stage=stage,
        label=st["label"],
        started_on=today,
        due_on=due[0],
        within=d["within"],
        unit=d["unit"],
        basis=basis[:200],
        is_default=bool(d.get("default")),
        calendar_note=due[1][:200],
    )
    case.stage_due_on = due[0]
    case.overdue = False


# Fixed when the case is filed (立案时固定) and never written again: the pinned procedure and policies are
# the largest values of the row, so leaving them out keeps every later save small.
FIXED_AT_FILING = frozenset({"id", "number", "procedure_pin", "policies", "created_by", "created_at", "version"})
SAVED_FIELDS = tuple(f.attname for f in Case._meta.concrete_fields if f.name not in FIXED_AT_FILING)


def _save(case: Case) -> None:
    """Write a filed case's changes in one statement, with the optimistic check on top of the row lock: the
    version read must still be the one stored."""
    case.updated_at = timezone.now()
    values = {name: getattr(case, name) for name in SAVED_FIELDS}
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(version=case.version + 1, **values)
    if updated != 1:
        raise Conflict("案件已被他人修改，请刷新后重试")
    case.version += 1


def _role_for(user: User, case: Case, allowed: set[str]) -> str:
    roles = [r for r in access.roles_on_case(user, case) if r in allowed]
    if not roles:
        raise Forbidden("您在本案中没有执行该操作的角色")
    return roles[0]


# --- starting cases -------------------------------------------------------------------------------


def _matter_open_for_application(matter: AccountabilityMatter, versions: list) -> None:
    rule = next((v.procedure.application for v in versions if v.procedure.application), None)
    if rule is not None and not rule.allowed:
        raise Invalid("适用的办法未规定依申请容错", field="matter_id")
    closes = rule.closes if rule is not None else "decision_made"
    if closes == "decision_made" and matter.status != "open":
        raise Invalid("问责事项已作出决定，不能再申请容错（申请须在启动问责程序后、作出决定前提出）", field="matter_id")


def _start_case(
    user: User,
    actor: Actor,
    *,
    jurisdiction: Jurisdiction,
    start_type: str,
    unit: Unit,
    cadre: Cadre | None,
    matter: AccountabilityMatter | None,
    title: str,
    summary: str,
    domain: str,
    conduct_date: dt.date | None,
    pre_filing: PreFiling | None,
) -> Case:
    today = timezone.localdate()
    pins = evaluation.pin_versions(jurisdiction, conduct_date, today)
    if not pins:
        raise Invalid(f"{jurisdiction.name}及其上级没有有效的容错纠错办法，无法立案", field="unit_id")
    case = Case(
        number=_number(jurisdiction, "case", "RC"),
        jurisdiction=jurisdiction,
        start_type=start_type,
        matter=matter,
        subject_type="cadre" if cadre else "unit",
        cadre=cadre,
        unit=unit,
        pre_filing=pre_filing,
        title=title,
        summary=summary,
        domain=domain,
        conduct_date=conduct_date,
        created_by=user,
        policies=pins,
        stage="",
    )
    versions = evaluation.pinned_versions(case)
    if matter is not None and start_type != StartType.PROACTIVE:
        _matter_open_for_application(matter, versions)
    case.procedure = engine.pin(versions, start_type)
    case.save()
    if pre_filing is not None and pre_filing.status == "acknowledged":
        FactValue.objects.create(
            case=case,
            fact="pre_filed",
            value=True,
            set_by=user,
            set_at=timezone.now(),
            comment=f"引用事前报备 {pre_filing.number}",
        )
    first = engine.Procedure(case.procedure).first_stage(start_type)
    _open_stage(case, first, today)
    evaluation.refresh_evaluation(case)
    case.save()
    return case


def submit_application(user: User, data: Any, *, ip: str = "") -> Case:
    """依申请容错: a cadre applies in writing (to the unit committee), or a unit applies after self-check."""
    p = payloads.parse_payload(payloads.ApplicationIn, data)
    with attempt(user, "case.apply", "case", "", ip):
        roles = access.role_names(user)
        if not roles & {"applicant", "unit_contact"}:
            raise NotFound("您没有申请容错的角色")
        matter = None
        if p.matter_id is not None:
            matter = AccountabilityMatter.objects.select_related("unit", "cadre").filter(pk=p.matter_id).first()
            if matter is None:
                raise NotFound("问责事项不存在或无权访问", field="matter_id")
        if "applicant" in roles and p.cadre_id is None and not access.units_for(user, {"unit_contact"}):
            cadre_ids = access.cadres_for(user, {"applicant"})
            p = p.model_copy(update={"cadre_id": next(iter(cadre_ids), None)})
        if p.cadre_id is not None:
            if p.cadre_id not in access.cadres_for(user, {"applicant"}):
                raise NotFound("干部不存在或无权以其名义申请", field="cadre_id")
            cadre = Cadre.objects.select_related("unit__jurisdiction").get(pk=p.cadre_id)
            unit, start_type, role = cadre.unit, StartType.INDIVIDUAL, "applicant"
            if matter is not None and matter.cadre_id != cadre.pk:
                raise Invalid("该问责事项不是针对申请人本人的", field="matter_id")
        else:
            if p.unit_id is None:
                raise Invalid("须选择申请单位", field="unit_id")
            if p.unit_id not in access.units_for(user, {"unit_contact"}):
                raise NotFound("单位不存在或无权以其名义申请", field="unit_id")
            if not p.self_check:
                raise Invalid("单位申请须说明对照免责清单的自查情况", field="self_check")
            unit = Unit.objects.select_related("jurisdiction").get(pk=p.unit_id)
            cadre, start_type, role = None, StartType.UNIT, "unit_contact"
            if matter is not None and matter.unit_id != unit.pk:
                raise Invalid("该问责事项不是针对本单位的", field="matter_id")
        pre = None
        if p.pre_filing_id is not None:
            pre = PreFiling.objects.filter(pk=p.pre_filing_id, unit=unit).first()
            if pre is None:
                raise NotFound("事前报备不存在或不属于本单位", field="pre_filing_id")
        actor = actor_for(user, role, ip)
        case = _start_case(
            user,
            actor,
            jurisdiction=unit.jurisdiction,
            start_type=start_type,
            unit=unit,
            cadre=cadre,
            matter=matter,
            title=p.title,
            summary=p.summary,
            domain=p.domain,
            conduct_date=p.conduct_date or (matter.conduct_date if matter else None),
            pre_filing=pre,
        )
        record_event(
            case,
            user,
            actor,
            "apply",
            f"提交容错申请（{case.get_start_type_display()}）",
            data={"statement": p.statement, "self_check": p.self_check},
            stage_to=case.stage,
        )
    return case


def open_matter(user: User, data: Any, *, ip: str = "") -> tuple[AccountabilityMatter, Case | None]:
    """Record an accountability matter; where a policy requires 问责调查与容错认定同步 the tolerance
    review opens with it (主动容错)."""
    p = payloads.parse_payload(payloads.MatterIn, data)
    with attempt(user, "matter.open", "matter", "", ip):
        unit = Unit.objects.select_related("jurisdiction").filter(pk=p.unit_id).first()
        if unit is None or unit.jurisdiction_id not in access.jurisdictions_for(user, {"handler"}):
            raise NotFound("单位不存在或无权访问", field="unit_id")
        cadre = None
        if p.cadre_id is not None:
            cadre = Cadre.objects.filter(pk=p.cadre_id, unit=unit).first()
            if cadre is None:
                raise NotFound("干部不存在或不属于该单位", field="cadre_id")
        matter = AccountabilityMatter.objects.create(
            jurisdiction=unit.jurisdiction,
            subject_type="cadre" if cadre else "unit",
            cadre=cadre,
            unit=unit,
            title=p.title,
            description=p.description,
            initiating_organ=p.initiating_organ,
            conduct_date=p.conduct_date,
            started_on=p.started_on,
            domain=p.domain,
        )
        actor = actor_for(user, "handler", ip)
        append(actor, "matter.open", "matter", matter.pk, detail={})
        case = None
        pins = evaluation.pin_versions(unit.jurisdiction, p.conduct_date, timezone.localdate())
        probe = Case(jurisdiction=unit.jurisdiction, policies=pins, conduct_date=p.conduct_date)
        if any(v.procedure.proactive and v.procedure.proactive.required for v in evaluation.pinned_versions(probe)):
            case = _open_proactive(user, actor, matter)
    return matter, case


def open_proactive(user: User, matter_id: int, *, ip: str = "") -> Case:
    """主动容错: the accountability organ opens a tolerance review on a matter it is handling."""
    with attempt(user, "case.open_proactive", "matter", matter_id, ip):
        matter = (
            AccountabilityMatter.objects.select_related("unit", "cadre", "jurisdiction")
            .filter(pk=matter_id, jurisdiction_id__in=access.jurisdictions_for(user, {"handler"}))
            .first()
        )
        if matter is None:
            raise NotFound("问责事项不存在或无权访问", field="matter_id")
        if matter.cases.filter(status="open").exists():
            raise Conflict("该问责事项已有正在办理的容错案件")
        case = _open_proactive(user, actor_for(user, "handler", ip), matter)
    return case


def _open_proactive(user: User, actor: Actor, matter: AccountabilityMatter) -> Case:
    case = _start_case(
        user,
        actor,
        jurisdiction=matter.jurisdiction,
        start_type=StartType.PROACTIVE,
        unit=matter.unit,
        cadre=matter.cadre,
        matter=matter,
        title=matter.title,
        summary=matter.description or matter.title,
        domain=matter.domain,
        conduct_date=matter.conduct_date,
        pre_filing=None,
    )
    record_event(
        case,
        user,
        actor,
        "open_proactive",
        "问责调查与容错认定同步，主动启动容错审查",
        data={"matter": matter.pk},
        stage_to=case.stage,
    )
    return case


# --- moving a case through its procedure --------------------------------------------------------------


def transition(
    user: User, case_id: int, verb: str, data: Any = None, *, ip: str = "", expected_version: int | None = None
) -> Case:
    model = payloads.VERB_PAYLOADS.get(verb)
    if model is None:
        raise Invalid(f"未知的办理操作 {verb}", field="verb")
    with attempt(user, f"case.{verb}", "case", case_id, ip):
        case = access.access_case(user, case_id, for_update=True)
        if expected_version is not None and expected_version != case.version:
            raise Conflict("案件已被他人修改，请刷新后重试")
        proc = engine.Procedure(case.procedure)
        spec = proc.check_from(verb, case.stage)
        role = _role_for(user, case, set(spec["roles"]))
        p = payloads.parse_payload(model, data)
        actor = actor_for(user, role, ip)
        today = timezone.localdate()
        summary, reason, extra = EFFECTS[verb](case, p, user, today)
        flags = _flags(case, verb)
        stage_from = case.stage
        stage_to = proc.next_stage(verb, flags)
        if stage_to != stage_from:
            _open_stage(case, stage_to, today)
        if stage_to == "closed":
            case.status = "closed"
            case.closed_at = timezone.now()
            case.closing_reason = spec.get("closing", "decided")
        evaluation.refresh_evaluation(case)
        _save(case)
        data_out = {
            "payload": p.model_dump(mode="json"),
            **extra,
            "evaluation": [
                {
                    "policy": r["policy"],
                    "version": r["version"],
                    "outcome": r["outcome"],
                    "decisive_facts": r["decisive_facts"],
                }
                for r in case.evaluation
            ],
        }
        record_event(
            case, user, actor, verb, summary, reason=reason, data=data_out, stage_from=stage_from, stage_to=stage_to
        )
        # Re-check inside the transaction that the case is still within the user's scope (NetBox pattern):
        # the saved row is this object (a changed jurisdiction or unit id drops the cached relation, and the
        # check then goes by the subtree's codes).
        if not access.may_see(user, case):
            raise NotFound()
    return case


def run_case_hooks(case: Case) -> None:
    for hook in CASE_HOOKS:
        hook(case)


_DONE_STEPS = PreparedQuery(
    lambda pk: CaseEvent.objects.filter(
        case_id=pk, verb__in=["give_feedback", "notify_organisation", "file_report"]
    ).values_list("verb", flat=True),
    int,
)


def _flags(case: Case, current: str) -> dict[str, bool]:
    """Case flags the routing conditions read; `current` is the verb being taken (not yet on the timeline)."""
    done = set(_DONE_STEPS(case.pk)) | {current}
    return {
        "major_matter": case.major_matter,
        "public_interest_involved": case.public_interest_involved,
        "feedback_done": "give_feedback" in done,
        "notified": "notify_organisation" in done,
        "filed": "file_report" in done,
    }


def _eff_endorse(case, p, user, today):
    return "单位党委（党组）讨论同意，加盖公章后报容错实施机构", "", {}


def _eff_return(case, p, user, today):
    return "单位党委（党组）退回申请", p.reason, {}


def _eff_accept(case, p, user, today):
    return "受理容错申请", p.note, {}


def _eff_refuse(case, p, user, today):
    return "不予受理", p.reason, {}


def _eff_report(case, p, user, today):
    return "提交初步调查报告", "", {}


# The preliminary finding a verb records, and the live rule results it goes against: a finding against the rules
# must give its reason in writing, as a deliberation's recommendation must (_eff_deliberate).
FINDING_AGAINST = {
    "find_qualifying": ("符合容错情形", {"not_tolerated"}),
    "find_not_qualifying": ("不符合容错情形", {"exempt", "mitigate"}),
}


def finding_departs(case: Case, verb: str) -> bool:
    """Whether this preliminary finding would go against the case's live rule result (the form asks for the
    reason up front; the verb refuses without it)."""
    against = FINDING_AGAINST.get(verb)
    return against is not None and (case.engine_outcome or "undetermined") in against[1]


def _check_finding_reason(case: Case, verb: str, p: Any) -> str:
    """The departure note for the timeline summary ("" when the finding agrees with the rules)."""
    if not finding_departs(case, verb):
        return ""
    if not p.departure_reason:
        finding, _ = FINDING_AGAINST[verb]
        engine_outcome = case.engine_outcome or "undetermined"
        raise Invalid(
            f"初步认定{finding}，与规则评估结论（{OUTCOME_LABELS[engine_outcome]}）不一致，须书面说明理由",
            field="departure_reason",
        )
    return "，与规则评估结论不一致并已说明理由"


def _finding_reason(p: Any, departs: str) -> str:
    """The timeline's reason: the finding, and where it departs from the rules the reason given for that."""
    return f"{p.finding}\n与规则结果不一致的理由：{p.departure_reason}" if departs else p.finding


def _eff_qualifying(case, p, user, today):
    departs = _check_finding_reason(case, "find_qualifying", p)
    case.major_matter = p.major_matter
    case.public_interest_involved = p.public_interest_involved
    marks = [
        m
        for m, on in (
            ("重大过错事项，须第三方评估", p.major_matter),
            ("涉及重大社会公共利益，须举行听证", p.public_interest_involved),
        )
        if on
    ]
    summary = "初步认定符合容错情形，下达认定书，进入申辩" + (f"（{'；'.join(marks)}）" if marks else "") + departs
    return summary, _finding_reason(p, departs), {"engine_outcome": case.engine_outcome or "undetermined"}


def _primary_evaluation(case: Case) -> dict[str, Any]:
    full = evaluation.evaluate_case(case, full=True)
    return full[0] if full else {}


def _make_decision(
    case: Case,
    user: User,
    *,
    outcome: str,
    disposition: str,
    decided_on: dt.date,
    organ: str,
    basis: str,
    influence_months: int | None = None,
    document_number: str = "",
    form: int | None = None,
) -> Decision:
    if hasattr(case, "decision"):
        raise Conflict("本案已作出决定")
    ev = _primary_evaluation(case)
    decision = Decision.objects.create(
        case=case,
        outcome=outcome,
        disposition=disposition,
        influence_months=influence_months,
        decided_on=decided_on,
        organ=organ,
        policy=ev.get("policy", ""),
        policy_version=ev.get("version", ""),
        basis=basis or ev.get("explanation", ""),
        evaluation=ev,
        document_number=document_number,
        decided_by=user,
        form=form,
    )
    for hook in DECISION_HOOKS:
        hook(decision)
    case.outcome = outcome
    case.disposition = disposition
    if case.matter_id:
        AccountabilityMatter.objects.filter(pk=case.matter_id).update(status="decided", decided_on=decided_on)
    return decision


def _eff_not_qualifying(case, p, user, today):
    departs = _check_finding_reason(case, "find_not_qualifying", p)
    engine_outcome = case.engine_outcome or "undetermined"
    organ = (case.procedure.get("deciding_body") or "") or "容错实施机构"
    _make_decision(
        case, user, outcome="not_tolerated", disposition="问责处理", decided_on=today, organ=organ, basis=p.finding
    )
    summary = "初步认定不符合容错情形，不予容错，按有关规定处理" + departs
    return summary, _finding_reason(p, departs), {"engine_outcome": engine_outcome}


def _eff_defence(case, p, user, today):
    if p.attachment_ids:
        found = set(case.attachments.filter(pk__in=p.attachment_ids).values_list("pk", flat=True))
        missing = sorted(set(p.attachment_ids) - found)
        if missing:
            raise Invalid(f"附件 {missing} 不属于本案", field="attachment_ids")
    return "提交申辩报告" + (f"，证人 {len(p.witnesses)} 名" if p.witnesses else ""), "", {}


def _eff_evaluation(case, p, user, today):
    return f"第三方评估（{p.evaluator_org}）提交评估报告", "", {}


def _eff_hearing(case, p, user, today):
    return f"{p.held_on} 举行群众听证会，参加 {len(p.participants)} 人", "", {}


def _eff_deliberate(case, p, user, today):
    kind = payloads.check_disposition(p.disposition)
    if kind != p.recommendation:
        raise Invalid(f"处理方式“{p.disposition}”与建议结论不一致", field="disposition")
    engine_outcome = case.engine_outcome or "undetermined"
    if p.recommendation != engine_outcome and not p.departure_reason:
        raise Invalid(
            f"建议结论（{OUTCOME_LABELS[p.recommendation]}）与规则评估结论（{OUTCOME_LABELS[engine_outcome]}）不一致，"
            "须书面说明理由",
            field="departure_reason",
        )
    summary = f"集体研判，建议{OUTCOME_LABELS[p.recommendation]}（{p.disposition}）"
    if p.recommendation != engine_outcome:
        summary += "，与规则评估结论不一致并已说明理由"
    return summary, p.departure_reason, {"engine_outcome": engine_outcome}


def _eff_decide(case, p, user, today):
    outcome = payloads.check_disposition(p.disposition)
    rec = case.events.filter(verb="deliberate").order_by("-id").first()
    recommended = rec.data.get("payload", {}).get("recommendation") if rec else None
    if recommended and recommended != outcome and not p.departure_reason:
        raise Invalid("决定与集体研判建议不一致，须书面说明理由", field="departure_reason")
    if outcome == "mitigate" and p.influence_months is None:
        raise Invalid("从轻、减轻处理须写明影响期（月，可为 0）", field="influence_months")
    _make_decision(
        case,
        user,
        outcome=outcome,
        disposition=p.disposition,
        decided_on=p.decided_on,
        organ=p.organ,
        basis=p.basis,
        influence_months=p.influence_months,
        document_number=p.document_number,
        form=p.form,
    )
    return f"作出决定：{p.disposition}", p.departure_reason, {}


def _eff_feedback(case, p, user, today):
    return "书面反馈当事人", "", {}


def _eff_notify(case, p, user, today):
    return f"函告{p.recipient}", "", {}


def _eff_file(case, p, user, today):
    return f"报{p.filed_with}备案", "", {}


def _eff_publish(case, p, user, today):
    return "处理结果向社会公开", p.note, {}


def _eff_withhold(case, p, user, today):
    return "依法不予公开", p.reason, {"legal_basis": p.legal_basis}


def _appeal_deadline(case: Case) -> Deadline | None:
    return Deadline.objects.filter(case=case, stage="appeal_window").order_by("-id").first()


def _eff_appeal(case, p, user, today):
    window = _appeal_deadline(case)
    if window is not None and today > window.due_on:
        raise Invalid(f"已超过申诉期限（{window.due_on}）", field="grounds")
    proc = engine.Procedure(case.procedure)
    due = engine.due_date(proc.stage("appeal"), today) if proc.has("appeal") else None
    Appeal.objects.create(
        case=case, grounds=p.grounds, submitted_by=user, submitted_at=timezone.now(), due_on=due[0] if due else today
    )
    note = "申诉期间不停止原决定的执行" if not case.procedure.get("appeal_suspends_execution") else "申诉期间停止执行"
    return f"提出申诉（{note}）", p.grounds, {}


def _eff_decide_appeal(case, p, user, today):
    appeal = case.appeals.filter(status="pending").order_by("-id").first()
    if appeal is None:
        raise Conflict("没有待审查的申诉")
    if p.result == "changed":
        outcome = payloads.check_disposition(p.new_disposition, "new_disposition")
        Decision.objects.filter(case=case).update(outcome=outcome, disposition=p.new_disposition)
        for hook in DECISION_HOOKS:
            hook(Decision.objects.get(case=case))
        case.outcome, case.disposition = outcome, p.new_disposition
    appeal.status = p.result
    appeal.result = p.reasoning
    appeal.decided_at = timezone.now()
    appeal.save()
    label = "维持原决定" if p.result == "upheld" else f"变更原决定为{p.new_disposition}"
    return f"申诉审查：{label}", p.reasoning, {}


def _eff_close(case, p, user, today):
    window = _appeal_deadline(case)
    if window is not None and today <= window.due_on and not p.waived:
        raise Invalid(f"申诉期（至 {window.due_on}）尚未届满；当事人书面表示不申诉的，请勾选 waived", field="waived")
    return "办结归档", p.note, {}


EFFECTS = {
    "endorse": _eff_endorse,
    "return_application": _eff_return,
    "accept": _eff_accept,
    "refuse": _eff_refuse,
    "submit_report": _eff_report,
    "find_qualifying": _eff_qualifying,
    "find_not_qualifying": _eff_not_qualifying,
    "submit_defence": _eff_defence,
    "submit_evaluation": _eff_evaluation,
    "record_hearing": _eff_hearing,
    "deliberate": _eff_deliberate,
    "decide": _eff_decide,
    "give_feedback": _eff_feedback,
    "notify_organisation": _eff_notify,
    "file_report": _eff_file,
    "publish": _eff_publish,
    "withhold_publication": _eff_withhold,
    "submit_appeal": _eff_appeal,
    "decide_appeal": _eff_decide_appeal,
    "close": _eff_close,
}


def available_verbs(user: User, case: Case) -> list[dict[str, str]]:
    """The verbs this user may take on this case now (for the UI and API)."""
    proc = engine.Procedure(case.procedure)
    roles = set(access.roles_on_case(user, case))
    out = []
    for name in proc.verbs_from(case.stage):
        spec = proc.verb(name)
        if roles & set(spec["roles"]):
            out.append({"verb": name, "label": spec["label"]})
    return out


# --- facts, evidence, interviews --------------------------------------------------------------------------


def set_fact(user: User, case_id: int, data: Any, *, ip: str = "") -> FactValue:
    p = payloads.parse_payload(payloads.FactIn, data)
    with attempt(user, "case.set_fact", "case", case_id, ip):
        case = access.access_case(user, case_id, for_update=True)
        role = _role_for(user, case, FACT_ROLES)
        if case.stage not in FACT_STAGES:
            raise Conflict(f"案件处于“{engine.Procedure(case.procedure).label(case.stage)}”环节，不能再修改事实")
        if not evaluation.known_fact(case, p.fact) and p.fact not in catalog().facts:
            raise Invalid(f"未知的事实 {p.fact}：应为要件库或适用办法中的事实", field="fact")
        atts = list(case.attachments.filter(pk__in=p.attachment_ids)) if p.attachment_ids else []
        if len(atts) != len(set(p.attachment_ids)):
            raise Invalid("所列证据附件不属于本案", field="attachment_ids")
        ivs = list(case.interviews.filter(pk__in=p.interview_ids)) if p.interview_ids else []
        if len(ivs) != len(set(p.interview_ids)):
            raise Invalid("所列走访记录不属于本案", field="interview_ids")
        old = case.facts.filter(fact=p.fact).first()
        before = old.value if old else None
        fv, _ = FactValue.objects.update_or_create(
            case=case,
            fact=p.fact,
            defaults={"value": p.value, "comment": p.comment, "set_by": user, "set_at": timezone.now()},
        )
        fv.attachments.set(atts)
        fv.interviews.set(ivs)
        results = evaluation.refresh_evaluation(case)
        _save(case)
        label = _fact_label(case, p.fact)
        shown = {True: "是", False: "否", None: "未查明"}
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "set_fact",
            f"认定事实“{label}”：{shown[before]} → {shown[p.value]}",
            reason=p.comment,
            data={
                "fact": p.fact,
                "from": before,
                "to": p.value,
                "evidence": [a.pk for a in atts],
                "interviews": [i.pk for i in ivs],
                "evaluation": [{"policy": r["policy"], "outcome": r["outcome"]} for r in results],
            },
        )
    return fv


def _fact_label(case: Case, fact: str) -> str:
    for v in evaluation.pinned_versions(case):
        f = v.fact(fact)
        if f:
            return f.label
    f = catalog().facts.get(fact)
    return f.label if f else fact


def add_interview(user: User, case_id: int, data: Any, *, ip: str = "") -> Interview:
    p = payloads.parse_payload(payloads.InterviewIn, data)
    with attempt(user, "case.add_interview", "case", case_id, ip):
        case = access.access_case(user, case_id, for_update=True)
        role = _role_for(user, case, FACT_ROLES)
        if case.status != "open":
            raise Conflict("案件已办结")
        iv = Interview.objects.create(
            case=case, interviewee=p.interviewee, held_on=p.held_on, content=p.content, recorded_by=user
        )
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "add_interview",
            f"走访 {p.interviewee}（{p.held_on}）",
            data={"interview": iv.pk},
        )
    return iv


UPLOAD_ROLES = {"handler", "investigator", "applicant", "unit_contact", "evaluator", "hearing_host"}


def add_attachment(
    user: User, case_id: int, filename: str, content: bytes, kind: str = "evidence", *, ip: str = ""
) -> Attachment:
    kinds = {k for k, _ in Attachment.KINDS}
    if kind not in kinds:
        raise Invalid(f"附件类别应为 {'、'.join(sorted(kinds))} 之一", field="kind")
    safe_name = (filename or "附件").replace("/", "_").replace("\\", "_")[:200]
    with attempt(user, "case.add_attachment", "case", case_id, ip):
        case = access.access_case(user, case_id, for_update=True)
        role = _role_for(user, case, UPLOAD_ROLES)
        if case.status != "open":
            raise Conflict("案件已办结")
        stored = files.store(content, safe_name)
        att = Attachment.objects.create(
            case=case,
            kind=kind,
            filename=safe_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=user,
        )
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "add_attachment",
            f"上传附件“{safe_name}”",
            data={"attachment": att.pk, "sha256": stored.sha256, "size": stored.size},
        )
    return att


# --- 事前报备 pre-filing ------------------------------------------------------------------------------


def submit_prefiling(user: User, data: Any, *, ip: str = "") -> PreFiling:
    p = payloads.parse_payload(payloads.PreFilingIn, data)
    with attempt(user, "prefiling.submit", "prefiling", "", ip):
        if p.unit_id not in access.units_for(user, {"unit_contact"}):
            raise NotFound("单位不存在或无权以其名义报备", field="unit_id")
        unit = Unit.objects.select_related("jurisdiction").get(pk=p.unit_id)
        today = timezone.localdate()
        from rongcuo.procedure.workdays import add_working_days

        pre = PreFiling.objects.create(
            number=_number(unit.jurisdiction, "prefile", "BB"),
            jurisdiction=unit.jurisdiction,
            unit=unit,
            title=p.title,
            measure=p.measure,
            risks=p.risks,
            safeguards=p.safeguards,
            expected_effect=p.expected_effect,
            submitted_by=user,
            submitted_at=timezone.now(),
            due_on=add_working_days(today, 1).date,
        )
        # 昆明 2023: first review within 1 working day (the only pre-filing time limit found; used as default).
        Deadline.objects.create(
            pre_filing=pre,
            stage="prefiling_review",
            label="事前报备初审",
            started_on=today,
            due_on=pre.due_on,
            within=1,
            unit="working_days",
            basis="系统默认值（参照昆明市2023年容错报备做法：1个工作日内初审）",
            is_default=True,
        )
        append(actor_for(user, "unit_contact", ip), "prefiling.submit", "prefiling", pre.number, detail={})
    return pre


def visible_prefilings(user: User):
    from django.db.models import Q

    q = Q(pk__in=[])
    codes = access.jurisdictions_for(user, {"handler"})
    if codes:
        q |= Q(jurisdiction_id__in=codes)
    units = access.units_for(user, {"unit_contact", "unit_reviewer"})
    if units:
        q |= Q(unit_id__in=units)
    return PreFiling.objects.filter(q)


def review_prefiling(user: User, prefiling_id: int, *, acknowledge: bool, response: str, ip: str = "") -> PreFiling:
    if not (response or "").strip():
        raise Invalid("须填写受理或退回意见", field="response")
    with attempt(user, "prefiling.review", "prefiling", prefiling_id, ip):
        pre = (
            PreFiling.objects.select_for_update()
            .filter(pk=prefiling_id, jurisdiction_id__in=access.jurisdictions_for(user, {"handler"}))
            .first()
        )
        if pre is None:
            raise NotFound()
        if pre.status != "submitted":
            raise Conflict("该报备已处理")
        pre.status = "acknowledged" if acknowledge else "returned"
        pre.acknowledged_by = user
        pre.acknowledged_at = timezone.now()
        pre.response = response.strip()
        pre.save()
        Deadline.objects.filter(pre_filing=pre, completed_at__isnull=True).update(completed_at=timezone.now())
        append(
            actor_for(user, "handler", ip),
            f"prefiling.{'acknowledge' if acknowledge else 'return'}",
            "prefiling",
            pre.number,
        )
    return pre


def read_case(user: User, case_id: int, *, ip: str = "", loader: access.CaseLoader = access.ROW_ONLY) -> Case:
    """A case read through the chokepoint, recorded in the security audit (`loader`: what the caller will
    show, loaded with the access check)."""
    # The read itself runs outside any transaction: on SQLite a transaction holds the one write lock,
    # and only the audit append (its own transaction) needs it.
    try:
        case = access.access_case(user, case_id, loader=loader)
    except NotFound:
        append_failure(actor_for(user, "", ip), "case.read", "case", str(case_id))
        raise
    roles = access.roles_on_case(user, case)
    append(actor_for(user, roles[0] if roles else "", ip), "case.read", "case", case.number, flush=False)
    return case


def record_post_decision_fact(
    user: User, case_id: int, fact: str, value: bool | None, reason: str, *, role: str, ip: str = ""
) -> FactValue:
    """A fact established after the decision (e.g. 拒不纠错 during correction): recorded on the case with its
    event, outside the investigation-stage guard, and the evaluation refreshed."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        fv, _ = FactValue.objects.update_or_create(
            case=case, fact=fact, defaults={"value": value, "comment": reason, "set_by": user, "set_at": timezone.now()}
        )
        evaluation.refresh_evaluation(case)
        _save(case)
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "set_fact",
            f"认定事实“{_fact_label(case, fact)}”",
            reason=reason,
            data={"fact": fact, "to": value},
        )
    return fv
