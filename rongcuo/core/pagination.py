"""Page-number pagination for API lists: `page` (from 1) and `page_size` (at most 100)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
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
    """One COUNT and one page query (two with ids_first; on PostgreSQL, with at most SORT_MATCHES_UP_TO
    matches, the count and the page's ids in one query and then the rows), whatever the size of the table."""
    start = (q.page - 1) * q.page_size
    if ids_first and connection.vendor == "postgresql":  # SQLite plans well unaided
        found = count_and_page_ids(qs, start, start + q.page_size)
        if found is not None:
            total, ids = found
            return rows_for_ids(qs, ids), {"total": total, "page": q.page, "page_size": q.page_size}
    total = qs.count()
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
    costs far more than sorting their ids, which an index on the scope column often covers. (Where the
    matches are few, PostgreSQL lists take count_and_page_ids instead.)"""
    return rows_for_ids(qs, list(qs.values_list("pk", flat=True)[start:stop]))


def rows_for_ids(qs: QuerySet[Any], ids: list[Any]) -> list[Any]:
    """qs's rows with these ids (with its joins and deferrals), in the order of ids."""
    if not ids:
        return []
    rows = {obj.pk: obj for obj in qs.order_by().filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def count_and_page_ids(qs: QuerySet[Any], start: int, stop: int) -> tuple[int, list[Any]] | None:
    """PostgreSQL: the number of qs's matches and the ids of its rows start..stop, from one reading of the
    matches (a count and a page query would each read all of a scope's index entries), when there are at
    most SORT_MATCHES_UP_TO of them; None when there are more (walking an index in order then finds a page
    sooner than sorting them) or when qs's order is not plain columns of its model.

    The matches are read without order, at most one more than the limit, and their ids sorted in qs's order
    by the aggregate: the count and the page come from one snapshot."""
    meta = qs.model._meta
    pk = meta.pk.attname
    order: list[tuple[str, bool]] = []  # (attname, descending)
    for item in qs.query.order_by or meta.ordering:
        if not isinstance(item, str):
            return None
        name = item.lstrip("-")
        try:
            f = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not getattr(f, "concrete", False) or f.is_relation:
            return None
        order.append((f.attname, item.startswith("-")))
    if pk not in [a for a, _ in order]:
        order.append((pk, order[-1][1] if order else False))  # ties broken by id, one fixed order per page
    selected = [pk, *dict.fromkeys(a for a, _ in order if a != pk)]
    inner = qs.order_by().values_list(*selected)[: SORT_MATCHES_UP_TO + 1]
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing (an empty scope): no query at all
        return 0, []
    names = ", ".join(f"c{i}" for i in range(len(selected)))
    by = ", ".join(f"c{selected.index(a)} {'DESC' if desc else 'ASC'}" for a, desc in order)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT COUNT(*), (ARRAY_AGG(c0 ORDER BY {by}))[%s:%s] FROM ({sql}) AS m({names})",
            (start + 1, stop, *params),  # the slice's bounds come first in the text
        )
        total, ids = cur.fetchone()
    if total > SORT_MATCHES_UP_TO:
        return None
    return total, list(ids or [])


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
    """A queryset seen by django.core.paginator.Paginator: counts as usual, slices with rows_by_ids.

    Given the page the paginator will be asked for (`page`, `per_page`), on PostgreSQL the count and that
    page's ids come from one reading of the matches (count_and_page_ids)."""

    def __init__(self, qs: QuerySet[Any], page: Any = None, per_page: int = 0) -> None:
        self.qs = qs
        self.ordered = qs.ordered
        self._total: int | None = None
        self._window: tuple[int, int] | None = None
        self._ids: list[Any] = []
        try:
            number = int(page) if page is not None else 1
        except (TypeError, ValueError):
            number = 1
        if per_page > 0 and number >= 1:
            self._window = ((number - 1) * per_page, number * per_page)

    def count(self) -> int:
        if self._total is None:
            found = None
            if self._window is not None and connection.vendor == "postgresql":
                found = count_and_page_ids(self.qs, *self._window)
            if found is None:
                self._window = None
                self._total = self.qs.count()
            else:
                self._total, self._ids = found
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("IdsFirst supports plain slices only")
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        w = self._window
        if (
            w is not None
            and self._total is not None
            and start == w[0]
            and min(stop, self._total) == min(w[1], self._total)
        ):
            return rows_for_ids(self.qs, self._ids)  # the paginator cuts the last page at the count
        return rows_by_ids(self.qs, start, stop)


def page(items: list[Any], meta: dict[str, int]) -> dict[str, Any]:
    return {"items": items, **meta}
