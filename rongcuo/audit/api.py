"""The audit log for the audit administrator 「审计管理员」 only: records, chain verification, checkpoints.

Everyone else gets 404 here. The audit administrator sees who did what to which object, never case
contents: the summaries of case-timeline records are withheld, and so is the text of searches (records keep a
keyed digest of it; older records holding the text show the digest instead: redact.py). Reading the log is
itself audited.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from pydantic import Field

from rongcuo.accounts.models import User
from rongcuo.accounts.roles import Role
from rongcuo.cases.access import role_names
from rongcuo.core.api_auth import api_user, client_ip
from rongcuo.core.errors import NotFound
from rongcuo.core.pagination import PageQuery, page, paginate
from rongcuo.core.types import Day

from . import redact
from .chain import Actor, append
from .models import AuditCheckpoint, AuditRecord
from .verify import check_checkpoints, verify_chain

router = Router()
WITHHELD = "（案件内容不向审计管理员显示）"


class AuditQuery(PageQuery):
    action: str | None = Field(None, max_length=64, description="操作，如 case.read；以 . 结尾按前缀匹配")
    user: str | None = Field(None, max_length=150, description="用户名")
    object: str | None = Field(None, max_length=110, description="对象编号，或 类型:编号（如 case:RC-…）")
    date_from: Day | None = Field(None, description="起始日期（含，北京时间）")
    date_to: Day | None = Field(None, description="截止日期（含，北京时间）")
    success: bool | None = Field(None, description="是否成功")
    kind: str | None = Field(None, max_length=16, description="security / timeline")


def _auditor(request: HttpRequest) -> User:
    user = api_user(request)
    if Role.AUDITADMIN not in role_names(user):
        raise NotFound("接口不存在")
    return user


def _log(request: HttpRequest, user: User, action: str, detail: dict[str, Any]) -> None:
    append(Actor(user.pk, user.username, Role.AUDITADMIN, client_ip(request)), action, "audit", "", detail=detail)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_records(qs: QuerySet[AuditRecord], f: AuditQuery) -> QuerySet[AuditRecord]:
    if f.action:
        qs = qs.filter(action__startswith=f.action) if f.action.endswith(".") else qs.filter(action=f.action)
    if f.user:
        qs = qs.filter(username=f.user)
    if f.object:
        otype, sep, oid = f.object.partition(":")
        qs = qs.filter(object_type=otype, object_id=oid) if sep else qs.filter(object_id=f.object)
    if f.date_from:
        qs = qs.filter(at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.success is not None:
        qs = qs.filter(success=f.success)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    return qs


def record_dict(r: AuditRecord) -> dict[str, Any]:
    try:
        detail = json.loads(r.detail)
    except ValueError:
        detail = {"raw": r.detail}
    if r.kind == AuditRecord.KIND_TIMELINE and isinstance(detail, dict):
        detail = {k: v for k, v in detail.items() if k in ("stage_from", "stage_to")} | {"summary": WITHHELD}
    detail = redact.shown_detail(r.action, detail)
    return {
        "seq": r.seq,
        "at": r.at,
        "kind": r.kind,
        "user_id": r.user_id,
        "username": r.username,
        "role": r.role,
        "ip": r.ip,
        "action": r.action,
        "object_type": r.object_type,
        "object_id": r.object_id,
        "success": r.success,
        "detail": detail,
        "prev_hash": r.prev_hash,
        "hash": r.hash,
    }


@router.get("", summary="审计记录（审计管理员）")
def records(request: HttpRequest, filters: Query[AuditQuery]) -> dict[str, Any]:
    user = _auditor(request)
    qs = filter_records(AuditRecord.objects.order_by("-seq"), filters)
    items, meta = paginate(qs, filters)
    shown = filters.model_dump(mode="json", exclude_none=True, exclude={"page", "page_size"})
    _log(request, user, "audit.read", {"filters": shown, **meta})
    return page([record_dict(r) for r in items], meta)


@router.get("/verify", summary="校验审计哈希链与 Merkle 检查点（审计管理员）")
def verify(request: HttpRequest) -> dict[str, Any]:
    user = _auditor(request)
    chain = verify_chain()
    report = check_checkpoints()
    broken = chain.broken
    out = {
        "ok": chain.ok and report.ok,
        "count": chain.count,
        "head_seq": chain.head_seq,
        "head_hash": chain.head_hash,
        "seconds": round(chain.seconds, 3),
        "broken": {
            "seq": broken.seq,
            "problem": broken.problem,
            "at": broken.at,
            "action": broken.action,
            "description": broken.describe(),
        }
        if broken
        else None,
        "checkpoints": {
            "checked": report.checked,
            "ok": report.ok,
            "problems": [{"tree_size": p.tree_size, "description": p.describe()} for p in report.problems],
        },
    }
    _log(
        request, user, "audit.verify", {"ok": out["ok"], "count": chain.count, "broken": broken.seq if broken else None}
    )
    return out


@router.get("/checkpoints", summary="Merkle 检查点（审计管理员）")
def checkpoints(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    user = _auditor(request)
    items, meta = paginate(AuditCheckpoint.objects.order_by("-tree_size"), filters)
    _log(request, user, "audit.checkpoints", meta)
    rows = [
        {
            "tree_size": c.tree_size,
            "root_hash": c.root_hash,
            "head_hash": c.head_hash,
            "created_at": c.created_at,
        }
        for c in items
    ]
    return page(rows, meta)


__all__ = ["router"]
