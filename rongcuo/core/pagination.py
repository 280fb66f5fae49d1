"""Page-number pagination for API lists: `page` (from 1) and `page_size` (at most 100)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

MAX_PAGE_SIZE = 100
T = TypeVar("T")


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="页码，从 1 开始")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，不超过 {MAX_PAGE_SIZE}")


def paginate(qs: QuerySet[Any], q: PageQuery) -> tuple[list[Any], dict[str, int]]:
    """One COUNT and one page query, whatever the size of the table."""
    total = qs.count()
    start = (q.page - 1) * q.page_size
    items = list(qs[start : start + q.page_size]) if start < total else []
    return items, {"total": total, "page": q.page, "page_size": q.page_size}


def page(items: list[Any], meta: dict[str, int]) -> dict[str, Any]:
    return {"items": items, **meta}
