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


def paginate(qs: QuerySet[Any], q: PageQuery, *, ids_first: bool = False) -> tuple[list[Any], dict[str, int]]:
    """One COUNT and one page query (two with ids_first), whatever the size of the table."""
    total = qs.count()
    start = (q.page - 1) * q.page_size
    if start >= total:
        items: list[Any] = []
    elif ids_first:
        items = rows_by_ids(qs, start, start + q.page_size)
    else:
        items = list(qs[start : start + q.page_size])
    return items, {"total": total, "page": q.page, "page_size": q.page_size}


def rows_by_ids(qs: QuerySet[Any], start: int, stop: int) -> list[Any]:
    """qs[start:stop] in two steps: the page's ids in order, then those rows (with qs's joins and deferrals).

    A scoped, filtered list can match thousands of rows; sorting them whole (with their joins) to keep 20
    costs far more than sorting their ids, which an index on the scope column often covers."""
    ids = list(qs.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    rows = {obj.pk: obj for obj in qs.order_by().filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


class IdsFirst:
    """A queryset seen by django.core.paginator.Paginator: counts as usual, slices with rows_by_ids."""

    def __init__(self, qs: QuerySet[Any]) -> None:
        self.qs = qs
        self.ordered = qs.ordered

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("IdsFirst supports plain slices only")
        return rows_by_ids(self.qs, index.start or 0, index.stop if index.stop is not None else self.count())


def page(items: list[Any], meta: dict[str, int]) -> dict[str, Any]:
    return {"items": items, **meta}
