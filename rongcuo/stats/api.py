"""Statistics API: staff see figures over the cases they may read; the public sees suppressed aggregates only.

Staff endpoints count `queries.scoped(user)` (the access chokepoint), optionally narrowed to a jurisdiction
subtree and a creation-date range. Only staff roles (承办人, 调查人员, 决策秘书, 组织部门联络员, 公开发布员)
may use them; the three administrators see no cases and are refused (403), as are applicants and unit roles.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from rongcuo.accounts.models import User
from rongcuo.cases import access
from rongcuo.cases.models import Case
from rongcuo.core.api_auth import api_user
from rongcuo.core.errors import Forbidden, Invalid
from rongcuo.core.types import Day
from rongcuo.org.models import Jurisdiction

from . import queries

PREFIX = "/stats/"
router = Router(tags=["统计"])
STATS_ROLES = frozenset({"handler", "investigator", "secretary", "org_liaison", "publisher"})


class Filters(Schema):
    jurisdiction: str | None = Field(None, pattern=r"^\d{6}$", description="区划代码（含下级），须在本人范围内")
    since: Day | None = Field(None, description="立案日期起（含）")
    until: Day | None = Field(None, description="立案日期止（含）")


class ByQuery(Filters):
    period: Literal["month", "quarter", "year"] = Field("month", description="按期间统计时的周期")


def staff_cases(request: HttpRequest, f: Filters) -> QuerySet[Case]:
    user: User = api_user(request)
    if not access.role_names(user) & STATS_ROLES:
        raise Forbidden("统计仅对办案人员开放")
    qs = queries.scoped(user)
    if f.jurisdiction:
        root = Jurisdiction.objects.filter(code=f.jurisdiction).first()
        if root is None:
            raise Invalid("区划代码不存在", field="jurisdiction")
        qs = qs.filter(jurisdiction__path__startswith=root.path)
    if f.since and f.until and f.until < f.since:
        raise Invalid("截止日期应不早于起始日期", field="until")
    if f.since:
        qs = qs.filter(created_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__date__lte=f.until)
    return qs


def _filters(f: Filters) -> dict[str, Any]:
    return {k: (str(v) if v is not None else None) for k, v in f.model_dump().items() if k != "period"}


@router.get("/summary", summary="案件总数、办理状态和结论比率", operation_id="stats_summary")
def summary(request: HttpRequest, f: Query[Filters]) -> dict[str, Any]:
    return {"filters": _filters(f), **queries.summary(staff_cases(request, f))}


@router.get("/by/{dimension}", summary="按维度统计案件数", operation_id="stats_by_dimension")
def by_dimension(
    request: HttpRequest,
    dimension: Literal["outcome", "stage", "start_type", "jurisdiction", "domain", "period"],
    f: Query[ByQuery],
) -> dict[str, Any]:
    rows = queries.case_counts(staff_cases(request, f), dimension, period=f.period)
    out: dict[str, Any] = {"dimension": dimension, "filters": _filters(f), "total": sum(r["count"] for r in rows)}
    if dimension == "period":
        out["period"] = f.period
    return {**out, "items": rows}


@router.get("/processing-times", summary="各环节办理用时（工作日）", operation_id="stats_processing_times")
def processing_times(request: HttpRequest, f: Query[Filters]) -> dict[str, Any]:
    return {"filters": _filters(f), "unit": "working_days", "items": queries.processing_times(staff_cases(request, f))}


@router.get("/overdue", summary="逾期统计", operation_id="stats_overdue")
def overdue(request: HttpRequest, f: Query[Filters]) -> dict[str, Any]:
    return {"filters": _filters(f), **queries.overdue_counts(staff_cases(request, f))}


@router.get("/public", auth=None, summary="公开统计（小数值隐去）", operation_id="stats_public")
def public(request: HttpRequest) -> dict[str, Any]:
    return queries.public_aggregates()
