"""Disclosure through the API (mounted at /api/disclosure/ by rongcuo/core/routers.py).

Publisher endpoints (signed in, 公开发布员 within the jurisdiction subtree): decided cases awaiting a
rendition, generate / edit / scan / approve / withdraw renditions, curate the typical-case library.
Public endpoints (`auth=None`, under /public/): published renditions and the typical-case library only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Body, Query, Router, Status
from pydantic import Field

from rongcuo.cases.models import Outcome
from rongcuo.core.api_auth import api_user, client_ip
from rongcuo.core.errors import Invalid
from rongcuo.core.pagination import PageQuery, page, paginate

from . import actions, public
from .models import Rendition, RenditionStatus, TypicalCase

PREFIX = "/disclosure"
router = Router(tags=["公开与典型案例"])

EDIT_HELP = "要修改的字段：title、subject、summary、organ、basis、explanation、result；可附 expected_version"
TEXT_FIELDS = ("title", "subject", "summary", "organ", "basis", "explanation", "result")


class RenditionQuery(PageQuery):
    status: RenditionStatus | None = Field(None, description="状态：draft 待审核 / published 已公开 / withdrawn 已撤回")


class PublicQuery(PageQuery):
    outcome: Outcome | None = Field(None, description="处理结论")


class TypicalQuery(PageQuery):
    tag: str | None = Field(None, max_length=16, description="标签，如 征地拆迁")


def _typical_dict(t: TypicalCase | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"significance": t.significance, "tags": [g.name for g in t.tags.all()], "order": t.order}


def public_row(r: Rendition) -> dict[str, Any]:
    return {
        "public_number": r.public_number,
        "title": r.title,
        "region": r.region,
        "domain": r.domain,
        "outcome": r.outcome,
        "outcome_label": r.outcome_label,
        "disposition": r.disposition,
        "decided_on": r.decided_on,
        "published_at": r.published_at,
    }


def public_detail(r: Rendition) -> dict[str, Any]:
    return {
        **public_row(r),
        "subject": r.subject,
        "start_type": r.start_type,
        "start_label": r.start_label,
        "influence_months": r.influence_months,
        "form": r.form,
        "organ": r.organ,
        "summary": r.summary,
        "basis": r.basis,
        "explanation": r.explanation,
        "cited_articles": r.cited_articles,
        "result": r.result,
        "policy": r.policy,
        "policy_version": r.policy_version,
        "policy_title": r.policy_title,
        "typical": _typical_dict(public.typical_of(r)),
    }


def staff_dict(r: Rendition) -> dict[str, Any]:
    typical = TypicalCase.objects.filter(rendition=r).prefetch_related("tags").first()
    return {
        "id": r.pk,
        "case_id": r.case_id,
        "public_number": r.public_number,
        "status": r.status,
        "status_label": r.get_status_display(),
        **{k: getattr(r, k) for k in TEXT_FIELDS},
        "region": r.region,
        "domain": r.domain,
        "start_type": r.start_type,
        "outcome": r.outcome,
        "outcome_label": r.outcome_label,
        "disposition": r.disposition,
        "influence_months": r.influence_months,
        "form": r.form,
        "decided_on": r.decided_on,
        "policy": r.policy,
        "policy_version": r.policy_version,
        "policy_title": r.policy_title,
        "cited_articles": r.cited_articles,
        "pseudonyms": r.pseudonyms,
        "unit_level": r.unit_level,
        "last_scan": r.last_scan,
        "version": r.version,
        "generated_at": r.generated_at,
        "edited_at": r.edited_at,
        "published_at": r.published_at,
        "withdrawn_at": r.withdrawn_at,
        "withdraw_reason": r.withdraw_reason,
        "typical": _typical_dict(typical),
    }


def _expected(data: dict[str, Any]) -> int | None:
    expected = data.pop("expected_version", None)
    if expected is not None and (not isinstance(expected, int) or isinstance(expected, bool)):
        raise Invalid("expected_version: 应为整数", field="expected_version")
    return expected


# --- publisher ---------------------------------------------------------------------------------------------


@router.get("/candidates", summary="已作出决定、尚未公开的案件（公开发布员）")
def candidates(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    qs: QuerySet = actions.candidate_cases(api_user(request)).select_related("decision").order_by("-id").distinct()
    items, meta = paginate(qs, filters)
    status = dict(Rendition.objects.filter(case__in=[c.pk for c in items]).values_list("case_id", "status"))
    rows = [
        {
            "case_id": c.pk,
            "number": c.number,
            "title": c.title,
            "outcome": c.decision.outcome,
            "disposition": c.decision.disposition,
            "decided_on": c.decision.decided_on,
            "rendition_status": status.get(c.pk),
        }
        for c in items
    ]
    return page(rows, meta)


@router.post("/cases/{case_id}/rendition", response={201: dict[str, Any]}, summary="生成（或重新生成）去标识化公开文本")
def generate(request: HttpRequest, case_id: int) -> Status[dict[str, Any]]:
    r = actions.generate_rendition(api_user(request), case_id, ip=client_ip(request))
    return Status(201, staff_dict(r))


@router.get("/renditions", summary="公开文本列表（本辖区）")
def list_renditions(request: HttpRequest, filters: Query[RenditionQuery]) -> dict[str, Any]:
    qs = actions.publisher_renditions(api_user(request)).order_by("-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    items, meta = paginate(qs.only("id", "case_id", "public_number", "status", "title", "outcome", "version"), filters)
    rows = [
        {
            "id": r.pk,
            "case_id": r.case_id,
            "public_number": r.public_number,
            "status": r.status,
            "status_label": r.get_status_display(),
            "title": r.title,
            "outcome": r.outcome,
            "version": r.version,
        }
        for r in items
    ]
    return page(rows, meta)


@router.get("/renditions/{rendition_id}", summary="公开文本详情（含化名对照表，读取记入审计）")
def get_rendition(request: HttpRequest, rendition_id: int) -> dict[str, Any]:
    return staff_dict(actions.read_rendition(api_user(request), rendition_id, ip=client_ip(request)))


@router.patch("/renditions/{rendition_id}", summary="修改待审核的公开文本（可附 expected_version）")
def edit(
    request: HttpRequest,
    rendition_id: int,
    payload: dict[str, Any] | None = Body(None, description=EDIT_HELP),  # noqa: B008
) -> dict[str, Any]:
    data = dict(payload or {})
    expected = _expected(data)
    r = actions.edit_rendition(api_user(request), rendition_id, data, ip=client_ip(request), expected_version=expected)
    return staff_dict(r)


@router.post("/renditions/{rendition_id}/scan", summary="去标识化检查（不改变状态）")
def scan(request: HttpRequest, rendition_id: int) -> dict[str, Any]:
    return staff_dict(actions.scan_rendition(api_user(request), rendition_id, ip=client_ip(request)))


@router.post("/renditions/{rendition_id}/approve", summary="审核通过并公开（仍含姓名、身份证号、电话的予以拒绝）")
def approve(
    request: HttpRequest,
    rendition_id: int,
    payload: dict[str, Any] | None = Body(None, description="可附 expected_version"),  # noqa: B008
) -> dict[str, Any]:
    data = dict(payload or {})
    expected = _expected(data)
    r = actions.approve_rendition(api_user(request), rendition_id, ip=client_ip(request), expected_version=expected)
    return staff_dict(r)


@router.post("/renditions/{rendition_id}/withdraw", summary="撤回已公开的文本（须说明理由）")
def withdraw(
    request: HttpRequest,
    rendition_id: int,
    payload: dict[str, Any] | None = Body(  # noqa: B008
        None, description="reason：撤回理由（必填）", openapi_examples={"withdraw": {"value": {"reason": "表述不当"}}}
    ),
) -> dict[str, Any]:
    r = actions.withdraw_rendition(api_user(request), rendition_id, payload or {}, ip=client_ip(request))
    return staff_dict(r)


@router.put("/renditions/{rendition_id}/typical", summary="列入或更新典型案例（典型意义、标签、排序）")
def curate(
    request: HttpRequest,
    rendition_id: int,
    payload: dict[str, Any] | None = Body(  # noqa: B008
        None,
        description="significance：典型意义（必填）；tags：标签（至多10个，每个1–16字）；order：排序",
        openapi_examples={"curate": {"value": {"significance": "……", "tags": ["征地拆迁"], "order": 10}}},
    ),
) -> dict[str, Any]:
    t = actions.curate_typical(api_user(request), rendition_id, payload or {}, ip=client_ip(request))
    return {"public_number": t.rendition.public_number, **(_typical_dict(t) or {})}


@router.delete("/renditions/{rendition_id}/typical", response={204: None}, summary="移出典型案例库")
def uncurate(request: HttpRequest, rendition_id: int) -> Status[None]:
    actions.remove_typical(api_user(request), rendition_id, ip=client_ip(request))
    return Status(204, None)


# --- public (no sign-in) -------------------------------------------------------------------------------------


@router.get("/public/decisions", auth=None, summary="已公开的处理结果（无需登录）")
def public_decisions(request: HttpRequest, filters: Query[PublicQuery]) -> dict[str, Any]:
    items, meta = paginate(public.published_list(filters.outcome), filters)
    return page([public_row(r) for r in items], meta)


@router.get("/public/decisions/{public_number}", auth=None, summary="已公开的处理结果详情（无需登录）")
def public_decision(request: HttpRequest, public_number: str) -> dict[str, Any]:
    return public_detail(public.published_one(public_number))


@router.get("/public/typical", auth=None, summary="典型案例库（可按标签筛选，无需登录）")
def public_typical(request: HttpRequest, filters: Query[TypicalQuery]) -> dict[str, Any]:
    items, meta = paginate(public.library(filters.tag), filters)
    return page([{**public_row(t.rendition), **(_typical_dict(t) or {})} for t in items], meta)


@router.get("/public/tags", auth=None, summary="典型案例标签及件数（无需登录）")
def public_tags(request: HttpRequest) -> list[dict[str, Any]]:
    return public.tags_in_use()
