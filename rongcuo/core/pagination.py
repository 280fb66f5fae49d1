"""Page-number pagination for API lists: `page` (from 1) and `page_size` (at most 100)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connection
from django.db.models import BigIntegerField, ExpressionWrapper, F, QuerySet
from ninja import Schema
from pydantic import Field

MAX_PAGE_SIZE = 100
SORT_MATCHES_UP_TO = 50_000  # matches sorted by the database rather than met walking the id index
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
        few = total <= SORT_MATCHES_UP_TO and connection.vendor == "postgresql"  # SQLite plans well unaided
        items = rows_by_ids(qs, start, start + q.page_size, sort_matches=few)
    else:
        items = list(qs[start : start + q.page_size])
    return items, {"total": total, "page": q.page, "page_size": q.page_size}


def rows_by_ids(qs: QuerySet[Any], start: int, stop: int, *, sort_matches: bool = False) -> list[Any]:
    """qs[start:stop] in two steps: the page's ids in order, then those rows (with qs's joins and deferrals).

    A scoped, filtered list can match thousands of rows; sorting them whole (with their joins) to keep 20
    costs far more than sorting their ids, which an index on the scope column often covers.

    sort_matches: the caller knows the matches are few (a scope's, not the whole table's). The id order is
    then given as an expression, so the database finds the matches through its filter indexes and sorts
    them, instead of walking the primary key backwards hoping to meet 20 matches soon (PostgreSQL's choice
    under a LIMIT, and a slow one when the matches are old cases)."""
    ids_qs = qs.values_list("pk", flat=True)
    if sort_matches:
        ids_qs = ids_qs.order_by(*unindexed_id_order(qs))
    ids = list(ids_qs[start:stop])
    if not ids:
        return []
    rows = {obj.pk: obj for obj in qs.order_by().filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def unindexed_id_order(qs: QuerySet[Any]) -> list[Any]:
    """qs's ordering with the id column replaced by id + 0 (the same order, but no index provides it)."""
    out: list[Any] = []
    for item in qs.query.order_by or qs.model._meta.ordering:
        if isinstance(item, str) and item.lstrip("-") in ("id", "pk"):
            expr = ExpressionWrapper(F("id") + 0, output_field=BigIntegerField())
            out.append(expr.desc() if item.startswith("-") else expr.asc())
        else:
            out.append(item)
    return out


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
