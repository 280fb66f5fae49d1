"""意见征集 API. Staff: drafts in their jurisdiction subtree (draft, revise, publish, close, adopt, export).
Public (no sign-in): open drafts and submitting a response while the window is open."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from rongcuo.core.api_auth import api_user, client_ip
from rongcuo.core.errors import NotFound
from rongcuo.core.pagination import PageQuery, page, paginate

from . import actions, export
from .drafting import DraftCheck
from .models import Draft
from .payloads import AdoptIn, DraftIn, DraftUpdate, PublishIn, ResponseIn

PREFIX = "/consultation/"
router = Router(tags=["意见征集"])


def _at(value: Any) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def draft_public(d: Draft, now: Any = None) -> dict[str, Any]:
    """What anyone may read of a published draft."""
    return {
        "id": d.pk,
        "policy": d.policy_id,
        "title": d.title,
        "jurisdiction": d.jurisdiction_id,
        "jurisdiction_name": d.jurisdiction.name,
        "explanation": d.explanation,
        "questionnaire": d.questionnaire,
        "new_versions": d.new_versions,
        "opens_at": _at(d.opens_at),
        "closes_at": _at(d.closes_at),
        "status": d.state(now or timezone.now()),
    }


def draft_staff(d: Draft, check: DraftCheck | None = None, *, full: bool = True) -> dict[str, Any]:
    out = {
        **draft_public(d),
        "status_label": dict(Draft.STATUSES)[d.state(timezone.now())],
        "created_by": d.created_by.display_name or d.created_by.username,
        "created_at": _at(d.created_at),
        "published_at": _at(d.published_at),
        "closed_at": _at(d.closed_at),
    }
    if full:
        out["yaml_text"] = d.yaml_text
        out["responses"] = d.responses.count()
        adoption = getattr(d, "adoption", None) if d.status == Draft.ADOPTED else None
        out["adoption"] = (
            {"adopted_at": _at(adoption.adopted_at), "decision": adoption.decision} if adoption is not None else None
        )
    else:
        del out["explanation"], out["questionnaire"]
    if check is not None:
        out["warnings"] = check.warnings
    return out


@router.get("/drafts", summary="征求意见稿列表（本人辖区及下级）", operation_id="consultation_list")
def list_drafts(request: HttpRequest, q: Query[PageQuery]) -> dict[str, Any]:
    qs = actions.visible_drafts(api_user(request)).select_related("jurisdiction", "created_by").defer("yaml_text")
    items, meta = paginate(qs.order_by("-id"), q)
    return page([draft_staff(d, full=False) for d in items], meta)


@router.post("/drafts", response={201: dict[str, Any]}, summary="起草征求意见稿（校验规则文件）")
def create_draft(request: HttpRequest, body: DraftIn) -> Status[dict[str, Any]]:
    draft, check = actions.create_draft(api_user(request), body, ip=client_ip(request))
    return Status(201, draft_staff(draft, check))


@router.get("/drafts/{draft_id}", summary="征求意见稿详情", operation_id="consultation_detail")
def get_draft(request: HttpRequest, draft_id: int) -> dict[str, Any]:
    return draft_staff(actions.access_draft(api_user(request), draft_id))


@router.patch("/drafts/{draft_id}", summary="修改征求意见稿（发布前）")
def update_draft(request: HttpRequest, draft_id: int, body: DraftUpdate) -> dict[str, Any]:
    draft, check = actions.update_draft(api_user(request), draft_id, body, ip=client_ip(request))
    return draft_staff(draft, check)


@router.post("/drafts/{draft_id}/publish", summary="发布征求意见（校验规则文件并开始征集）")
def publish(request: HttpRequest, draft_id: int, body: PublishIn | None = None) -> dict[str, Any]:
    return draft_staff(actions.publish_draft(api_user(request), draft_id, body, ip=client_ip(request)))


@router.post("/drafts/{draft_id}/close", summary="结束征集")
def close(request: HttpRequest, draft_id: int) -> dict[str, Any]:
    return draft_staff(actions.close_draft(api_user(request), draft_id, ip=client_ip(request)))


@router.post("/drafts/{draft_id}/adopt", summary="采纳为新版本（征集结束后，决策秘书）")
def adopt(request: HttpRequest, draft_id: int, body: AdoptIn) -> dict[str, Any]:
    adopted = actions.adopt_draft(api_user(request), draft_id, body, ip=client_ip(request))
    return draft_staff(adopted.draft)


@router.get("/drafts/{draft_id}/export", summary="导出意见（csv/json）、汇总（summary）或调研报告提纲（report）")
def export_draft(
    request: HttpRequest, draft_id: int, format: Literal["csv", "json", "summary", "report"] = "csv"
) -> HttpResponse:
    out = export.export(api_user(request), draft_id, format, ip=client_ip(request))
    response = HttpResponse(out.body, content_type=out.content_type)
    ascii_name = out.filename.encode("ascii", "replace").decode("ascii").replace('"', "_")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(out.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/public/drafts", auth=None, summary="正在征求意见的稿件（公开）", operation_id="consultation_public_list")
def public_drafts(request: HttpRequest, q: Query[PageQuery]) -> dict[str, Any]:
    now = timezone.now()
    qs = actions.open_drafts(now).select_related("jurisdiction").defer("yaml_text").order_by("closes_at", "id")
    items, meta = paginate(qs, q)
    return page([draft_public(d, now) for d in items], meta)


@router.get(
    "/public/drafts/{draft_id}", auth=None, summary="征求意见稿全文（公开）", operation_id="consultation_public"
)
def public_draft(request: HttpRequest, draft_id: int) -> dict[str, Any]:
    now = timezone.now()
    d = actions.open_drafts(now).select_related("jurisdiction").filter(pk=draft_id).first()
    if d is None:
        raise NotFound("征求意见稿不存在或不在征求意见期内")
    return {**draft_public(d, now), "yaml_text": d.yaml_text}


@router.post(
    "/public/drafts/{draft_id}/responses",
    auth=None,
    response={201: dict[str, Any]},
    summary="提交意见（可匿名）",
    operation_id="consultation_respond",
)
def respond(request: HttpRequest, draft_id: int, body: ResponseIn) -> Status[dict[str, Any]]:
    r = actions.submit_response(draft_id, body)
    return Status(201, {"id": r.pk, "submitted_at": _at(r.submitted_at), "anonymous": r.anonymous})
