"""Cases through the API: applications, the scoped list, the detail, every verb, facts, interviews,
attachments, the full evaluation, pre-filings and reminders.

Every case read goes through `access`: the detail through `actions.read_case` (audited), the list through
`access.visible_cases` (one "case.list" audit record per request), attachments through `access.access_case`
(audited download). Writes are the transactional functions of `actions`.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Body, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from rongcuo.accounts.models import User
from rongcuo.audit import redact
from rongcuo.audit.chain import Actor, append, append_failure
from rongcuo.consultation.library import effective_library
from rongcuo.core.api_auth import api_user, client_ip
from rongcuo.core.errors import ActionError, Invalid, NotFound
from rongcuo.core.pagination import PageQuery, page, paginate
from rongcuo.core.types import UserText
from rongcuo.org.models import Jurisdiction
from rongcuo.policy.catalog import OUTCOME_LABELS
from rongcuo.procedure import engine
from rongcuo.procedure.models import Reminder

from . import access, actions, commission, evaluation, files, loading
from .models import (
    Attachment,
    Case,
    Decision,
    Interview,
    Outcome,
    PreFiling,
    StartType,
)
from .payloads import ApplicationIn, FactIn, InterviewIn, PreFilingIn

router = Router()
LIST_DEFERRED = ("evaluation", "policies", "summary")


class CaseQuery(PageQuery):
    stage: str | None = Field(None, max_length=32, description="所处环节，如 investigation")
    start_type: StartType | None = Field(None, description="启动方式")
    jurisdiction: str | None = Field(None, max_length=6, description="区划代码（含下级）")
    outcome: Outcome | None = Field(None, description="决定结论")
    engine_outcome: Outcome | None = Field(None, description="规则评估结论")
    overdue: bool | None = Field(None, description="是否逾期")
    domain: str | None = Field(None, max_length=32, description="领域")
    status: Literal["open", "closed"] | None = Field(None, description="办理中 / 已办结")
    q: str | None = Field(None, max_length=64, description="标题或案号包含")


class PreFilingQuery(PageQuery):
    status: Literal["submitted", "acknowledged", "returned"] | None = None
    q: str | None = Field(None, max_length=64, description="标题或编号包含")


class ReminderQuery(PageQuery):
    kind: Literal["due_soon", "overdue"] | None = None


# --- what the API shows of a case ---------------------------------------------------------------------------


def _stage_labels() -> dict[str, str]:
    return {st["id"]: st["label"] for st in engine.definition()["stages"]}


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user else ""


def filter_cases(qs: QuerySet[Case], f: CaseQuery) -> QuerySet[Case]:
    names = ("stage", "start_type", "outcome", "engine_outcome", "overdue", "domain", "status")
    exact = {k: getattr(f, k) for k in names}
    qs = qs.filter(**{k: v for k, v in exact.items() if v is not None})
    if f.jurisdiction:
        j = Jurisdiction.objects.filter(code=f.jurisdiction).first()
        qs = qs.filter(jurisdiction__path__startswith=j.path) if j else qs.none()
    if f.q:
        # Text without upper/lower case (Chinese, digits) needs no UPPER() on every row: plain LIKE.
        lookup = "contains" if f.q.upper() == f.q.lower() else "icontains"
        qs = qs.filter(Q(**{f"title__{lookup}": f.q}) | Q(**{f"number__{lookup}": f.q}))
    return qs


def case_row(c: Case, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "start_type": c.start_type,
        "start_type_label": c.get_start_type_display(),
        "stage": c.stage,
        "stage_label": labels.get(c.stage, c.stage),
        "status": c.status,
        "jurisdiction": {"code": c.jurisdiction_id, "name": c.jurisdiction.name},
        "unit": {"id": c.unit_id, "name": c.unit.name},
        "cadre": {"id": c.cadre_id, "name": c.cadre.name} if c.cadre_id else None,
        "domain": c.domain,
        "engine_outcome": c.engine_outcome,
        "outcome": c.outcome,
        "disposition": c.disposition,
        "stage_due_on": c.stage_due_on,
        "overdue": c.overdue,
        "version": c.version,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def case_state(user: User, case: Case) -> dict[str, Any]:
    """A case after an act: where it stands and what this user may do next."""
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "start_type": case.start_type,
        "stage": case.stage,
        "stage_label": engine.Procedure(case.procedure).label(case.stage) if case.stage != "closed" else "已办结",
        "status": case.status,
        "closing_reason": case.closing_reason,
        "version": case.version,
        "engine_outcome": case.engine_outcome,
        "outcome": case.outcome,
        "disposition": case.disposition,
        "stage_due_on": case.stage_due_on,
        "available_verbs": actions.available_verbs(user, case),
    }


def interview_dict(iv: Interview) -> dict[str, Any]:
    return {
        "id": iv.pk,
        "interviewee": iv.interviewee,
        "held_on": iv.held_on,
        "content": iv.content,
        "recorded_by": _name(iv.recorded_by),
        "recorded_at": iv.recorded_at,
    }


def attachment_dict(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by": _name(a.uploaded_by),
        "uploaded_at": a.uploaded_at,
        "url": f"/api/cases/{a.case_id}/attachments/{a.pk}",
    }


def prefiling_dict(p: PreFiling) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "jurisdiction": p.jurisdiction_id,
        "unit": {"id": p.unit_id, "name": p.unit.name},
        "title": p.title,
        "measure": p.measure,
        "risks": p.risks,
        "safeguards": p.safeguards,
        "expected_effect": p.expected_effect,
        "status": p.status,
        "submitted_at": p.submitted_at,
        "due_on": p.due_on,
        "acknowledged_at": p.acknowledged_at,
        "response": p.response,
    }


def _facts(case: Case) -> list[dict[str, Any]]:
    versions = evaluation.pinned_versions(case)
    set_facts = {fv.fact: fv for fv in case.facts.all()}
    evidence, heard = loading.fact_links(case) if set_facts else ({}, {})
    ids = list(dict.fromkeys([*evaluation.all_fact_ids(case), *set_facts]))
    rows = []
    for fid in ids:
        meta = next((f for v in versions if (f := v.fact(fid)) is not None), None)
        fv = set_facts.get(fid)
        rows.append(
            {
                "fact": fid,
                "label": meta.label if meta else fid,
                "question": meta.question if meta else "",
                "value": fv.value if fv else None,
                "established": fv is not None,
                "set_by": _name(fv.set_by) if fv else None,
                "set_at": fv.set_at if fv else None,
                "comment": fv.comment if fv else "",
                "attachment_ids": evidence.get(fv.pk, []) if fv else [],
                "interview_ids": heard.get(fv.pk, []) if fv else [],
            }
        )
    return rows


def _decision(case: Case) -> dict[str, Any] | None:
    try:
        d = case.decision
    except Decision.DoesNotExist:
        return None
    return {
        "outcome": d.outcome,
        "outcome_label": OUTCOME_LABELS.get(d.outcome, d.outcome),
        "disposition": d.disposition,
        "influence_months": d.influence_months,
        "decided_on": d.decided_on,
        "organ": d.organ,
        "policy": d.policy,
        "policy_version": d.policy_version,
        "basis": d.basis,
        "explanation": (d.evaluation or {}).get("explanation", ""),
        "document_number": d.document_number,
        "decided_by": _name(d.decided_by),
        "created_at": d.created_at,
    }


def _policies(case: Case) -> list[dict[str, Any]]:
    lib = effective_library()
    return [
        {**pin, "title": lib.policies[pin["policy"]].title if pin["policy"] in lib.policies else ""}
        for pin in case.policies
    ]


def case_detail(user: User, case: Case) -> dict[str, Any]:
    """The whole case as the API shows it; `case` loaded through read_case(loader=loading.DETAIL)."""
    proc = engine.Procedure(case.procedure)
    cadre = case.cadre
    matter = case.matter
    return {
        **case_row(case, {s["id"]: s["label"] for s in proc.stages()}),
        "summary": case.summary,
        "subject_type": case.subject_type,
        "conduct_date": case.conduct_date,
        "closing_reason": case.closing_reason,
        "closed_at": case.closed_at,
        "major_matter": case.major_matter,
        "public_interest_involved": case.public_interest_involved,
        "created_by": _name(case.created_by),
        "cadre": {
            "id": cadre.pk,
            "name": cadre.name,
            "position": cadre.position,
            "rank": cadre.rank,
            "id_number_masked": cadre.id_number_masked,
            "phone_masked": cadre.phone_masked,
        }
        if cadre
        else None,
        "matter": {
            "id": matter.pk,
            "title": matter.title,
            "status": matter.status,
            "initiating_organ": matter.initiating_organ,
            "started_on": matter.started_on,
        }
        if matter
        else None,
        "pre_filing": {"id": case.pre_filing_id, "number": case.pre_filing.number} if case.pre_filing else None,
        "procedure": {
            "stages": [{"id": s["id"], "label": s["label"]} for s in proc.stages()],
            "deciding_body": case.procedure.get("deciding_body", ""),
            "sources": case.procedure.get("sources", []),
        },
        "policies": _policies(case),
        "evaluation": case.evaluation,
        "evaluated_at": case.evaluated_at,
        "facts": _facts(case),
        "timeline": [
            {
                "id": e.pk,
                "at": e.at,
                "verb": e.verb,
                "stage_from": e.stage_from,
                "stage_to": e.stage_to,
                "actor": e.actor_name,
                "role": e.role,
                "summary": e.summary,
                "reason": e.reason,
                "data": e.data,
            }
            for e in case.events.all()
        ],
        "deadlines": [
            {
                "stage": d.stage,
                "label": d.label,
                "started_on": d.started_on,
                "due_on": d.due_on,
                "within": d.within,
                "unit": d.unit,
                "basis": d.basis,
                "is_default": d.is_default,
                "calendar_note": d.calendar_note,
                "completed_at": d.completed_at,
                "overdue": d.overdue,
            }
            for d in case.deadlines.all()
        ],
        "attachments": [attachment_dict(a) for a in case.attachments.all()],
        "interviews": [interview_dict(i) for i in case.interviews.all()],
        "decision": _decision(case),
        "appeals": [
            {
                "id": a.pk,
                "grounds": a.grounds,
                "submitted_by": _name(a.submitted_by),
                "submitted_at": a.submitted_at,
                "due_on": a.due_on,
                "status": a.status,
                "result": a.result,
                "decided_at": a.decided_at,
            }
            for a in case.appeals.all()
        ],
        "available_verbs": actions.available_verbs(user, case),
    }


# --- endpoints ----------------------------------------------------------------------------------------------


class ReviewIn(Schema):
    acknowledge: bool = Field(description="true 受理；false 退回")
    response: UserText = Field(min_length=1, max_length=5000, description="受理或退回意见")


class AttachmentCorrupted(ActionError):
    status = 500
    code = "integrity"


def _actor(request: HttpRequest, case: Case | None = None) -> Actor:
    user = api_user(request)
    roles = access.roles_on_case(user, case) if case is not None else sorted(access.role_names(user))
    return actions.actor_for(user, (roles[0] if roles else "")[:40], client_ip(request))


@router.post("/applications", response={201: dict[str, Any]}, summary="提交容错申请（个人或单位）")
def submit_application(request: HttpRequest, body: ApplicationIn) -> Status[dict[str, Any]]:
    case = actions.submit_application(api_user(request), body, ip=client_ip(request))
    return Status(201, case_state(api_user(request), case))


@router.get("/cases", summary="案件列表（仅本人管辖范围；可筛选、分页）")
def list_cases(request: HttpRequest, filters: Query[CaseQuery]) -> dict[str, Any]:
    user = api_user(request)
    base = access.visible_cases(user).select_related("jurisdiction", "unit", "cadre").defer(*LIST_DEFERRED)
    qs = filter_cases(base.order_by("-id"), filters)
    items, meta = paginate(qs, filters, ids_first=True)
    shown = redact.filters(filters.model_dump(mode="json", exclude_none=True, exclude={"page", "page_size"}))
    append(_actor(request), "case.list", "case", "", detail={"filters": shown, **meta, "shown": len(items)})
    labels = _stage_labels()
    return page([case_row(c, labels) for c in items], meta)


@router.get("/cases/{case_id}", summary="案件详情（读取记入审计）")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = api_user(request)
    case = actions.read_case(user, case_id, ip=client_ip(request), loader=loading.DETAIL)
    return case_detail(user, case)


@router.post("/cases/{case_id}/actions/{verb}", summary="办理操作（请求体为该操作的字段，可附 expected_version）")
def take_action(
    request: HttpRequest,
    case_id: int,
    verb: str,
    payload: dict[str, Any] | None = Body(  # noqa: B008
        None,
        description="该操作的字段（见各 *Payload 模式），另可附 expected_version（整数）防止并发覆盖",
        openapi_examples={"accept": {"value": {"note": "材料齐全", "expected_version": 3}}},
    ),
) -> dict[str, Any]:
    data = dict(payload or {})
    expected = data.pop("expected_version", None)
    if expected is not None and (not isinstance(expected, int) or isinstance(expected, bool)):
        raise Invalid("expected_version: 应为整数", field="expected_version")
    user = api_user(request)
    case = actions.transition(user, case_id, verb, data, ip=client_ip(request), expected_version=expected)
    return case_state(user, case)


class CommissionBody(Schema):
    role: Literal["evaluator", "hearing_host"] = Field(description="evaluator 第三方评估人；hearing_host 听证主持人")
    user_id: int = Field(ge=1, le=2**63 - 1, description="受委托账号（取自 GET 返回的名册）")
    note: UserText = Field(default="", max_length=500, description="委托说明")


def _person(u: User) -> dict[str, Any]:
    return {"id": u.pk, "name": u.display_name or u.username}


@router.get("/cases/{case_id}/commission", summary="可委托的第三方评估人、听证主持人名册及本案现委托情况")
def commission_options(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = api_user(request)
    case = actions.read_case(user, case_id, ip=client_ip(request))
    roles = commission.may_commission(user, case)
    return {
        "awaiting": commission.awaiting(case),
        "may_commission": [
            {
                "role": role,
                "label": str(commission.COMMISSIONED[role][1]),
                "register": [_person(u) for u in commission.register(role)],
                "commissioned": [_person(u) for u in commission.commissioned(case, role)],
            }
            for role in roles
        ],
    }


@router.post("/cases/{case_id}/commission", response={201: dict[str, Any]}, summary="委托第三方评估人或听证主持人")
def commission_case(request: HttpRequest, case_id: int, body: CommissionBody) -> Status[dict[str, Any]]:
    user = api_user(request)
    grant = commission.commission(user, case_id, body.model_dump(), ip=client_ip(request))
    case = access.access_case(user, case_id)
    return Status(201, {"role": grant.role, "user": _person(grant.user), "case": case_state(user, case)})


@router.post("/cases/{case_id}/facts", summary="认定事实（是/否/未查明，附证据）")
def set_fact(request: HttpRequest, case_id: int, body: FactIn) -> dict[str, Any]:
    user = api_user(request)
    fv = actions.set_fact(user, case_id, body, ip=client_ip(request))
    case = fv.case
    return {
        "fact": fv.fact,
        "value": fv.value,
        "comment": fv.comment,
        "set_at": fv.set_at,
        "case": case_state(user, case),
        "evaluation": case.evaluation,
    }


@router.post("/cases/{case_id}/interviews", response={201: dict[str, Any]}, summary="记录走访")
def add_interview(request: HttpRequest, case_id: int, body: InterviewIn) -> Status[dict[str, Any]]:
    iv = actions.add_interview(api_user(request), case_id, body, ip=client_ip(request))
    return Status(201, interview_dict(iv))


@router.post("/cases/{case_id}/attachments", response={201: dict[str, Any]}, summary="上传附件（类型与大小受限）")
def upload(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    kind: Form[str] = "evidence",
) -> Status[dict[str, Any]]:
    if file.size is not None and file.size > settings.RONGCUO_ATTACHMENT_MAX_BYTES:
        raise Invalid(f"文件超过 {settings.RONGCUO_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB 上限", field="file")
    content = file.read()
    att = actions.add_attachment(api_user(request), case_id, file.name or "", content, kind, ip=client_ip(request))
    return Status(201, attachment_dict(att))


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    summary="下载附件（经权限检查并记入审计；始终作为附件下载）",
    openapi_extra={
        "responses": {
            200: {
                "description": "附件内容（Content-Disposition: attachment）",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    user = api_user(request)
    actor = actions.actor_for(user, "", client_ip(request))
    try:
        with transaction.atomic():
            case = access.access_case(user, case_id)
            att = Attachment.objects.filter(case=case, pk=attachment_id).first()
            if att is None:
                raise NotFound()
            roles = access.roles_on_case(user, case)
            actor = actions.actor_for(user, roles[0] if roles else "", client_ip(request))
            append(actor, "case.download", "case", case.number, detail={"attachment": att.pk, "sha256": att.sha256})
    except NotFound:
        append_failure(actor, "case.download", "case", str(case_id), attachment=attachment_id)
        raise
    content = files.read(att.storage_name)
    if hashlib.sha256(content).hexdigest() != att.sha256:
        raise AttachmentCorrupted("附件内容与登记的校验值不符，可能已损坏或被篡改，请联系管理员")
    response = HttpResponse(content, content_type="application/octet-stream")
    ascii_name = att.filename.encode("ascii", "replace").decode("ascii").replace('"', "_")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(att.filename)}"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Rongcuo-Content-Type"] = att.content_type
    return response


@router.get("/cases/{case_id}/evaluation", summary="按各适用办法重新评估（含逐条追溯）")
def full_evaluation(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = actions.read_case(api_user(request), case_id, ip=client_ip(request))
    return {
        "case": case.pk,
        "number": case.number,
        "evaluated_at": timezone.now(),
        "facts": evaluation.case_facts(case),
        "results": evaluation.evaluate_case(case, full=True),
    }


# --- 事前报备 pre-filing ---------------------------------------------------------------------------------


@router.get("/prefilings", summary="事前报备（按管辖范围）")
def list_prefilings(request: HttpRequest, filters: Query[PreFilingQuery]) -> dict[str, Any]:
    qs = actions.visible_prefilings(api_user(request)).select_related("unit", "jurisdiction")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(number__icontains=filters.q))
    items, meta = paginate(qs.order_by("-id"), filters)
    return page([prefiling_dict(p) for p in items], meta)


@router.post("/prefilings", response={201: dict[str, Any]}, summary="提交事前报备（单位联系人）")
def submit_prefiling(request: HttpRequest, body: PreFilingIn) -> Status[dict[str, Any]]:
    pre = actions.submit_prefiling(api_user(request), body, ip=client_ip(request))
    pre = PreFiling.objects.select_related("unit", "jurisdiction").get(pk=pre.pk)
    return Status(201, prefiling_dict(pre))


@router.post("/prefilings/{prefiling_id}/review", summary="受理或退回事前报备（承办人）")
def review_prefiling(request: HttpRequest, prefiling_id: int, body: ReviewIn) -> dict[str, Any]:
    pre = actions.review_prefiling(
        api_user(request), prefiling_id, acknowledge=body.acknowledge, response=body.response, ip=client_ip(request)
    )
    pre = PreFiling.objects.select_related("unit", "jurisdiction").get(pk=pre.pk)
    return prefiling_dict(pre)


# --- reminders -------------------------------------------------------------------------------------------


@router.get("/reminders", summary="期限提醒（本人可见的案件与事前报备）")
def reminders(request: HttpRequest, filters: Query[ReminderQuery]) -> dict[str, Any]:
    user = api_user(request)
    scope = Q(deadline__case__in=access.visible_cases(user).values("pk")) | Q(
        deadline__pre_filing__in=actions.visible_prefilings(user).values("pk")
    )
    qs = Reminder.objects.filter(scope).select_related("deadline__case", "deadline__pre_filing")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    items, meta = paginate(qs.order_by("-created_at", "-id"), filters)
    rows = []
    for r in items:
        d = r.deadline
        rows.append(
            {
                "id": r.pk,
                "kind": r.kind,
                "message": r.message,
                "created_at": r.created_at,
                "read_at": r.read_at,
                "deadline": {"stage": d.stage, "label": d.label, "due_on": d.due_on, "overdue": d.overdue},
                "case": {"id": d.case_id, "number": d.case.number} if d.case_id else None,
                "prefiling": {"id": d.pre_filing_id, "number": d.pre_filing.number} if d.pre_filing_id else None,
            }
        )
    return page(rows, meta)
