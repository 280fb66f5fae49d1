"""The only vendor-specific SQL of search: the newest documents that contain every given term.

SQLite matches with the FTS5 table (`MATCH 'tokens : ("a" "b") AND scope : ("j320000")'`), PostgreSQL
with the generated tsvectors (`tsv @@ 'a' & 'b' AND scope_tsv @@ 'j320000'`). Both return exactly the
same rows, newest first, so that ranking (bm25.py, in Python) is the same on both databases.

Newest first, cheaply: FTS5 walks its posting lists in descending rowid order and stops at the limit.
A GIN index cannot; PostgreSQL would visit every match of a common word (or, ordering by the primary
key, test row after row with an expensive tsvector match). So on PostgreSQL a query whose expected
number of matches is large is asked within a window of the newest ids, written as block marks of the
scope column (`w<id // 4096>`, or `j<code>w<id // 4096>` for a jurisdiction's cases; scope.py) so that
the GIN index alone narrows it; the window grows until it holds `limit` matches or covers everything,
which gives the same rows as an unbounded query.

Scope: every row carries `visible`, the user's `cases.access.visible_cases` evaluated for that row
(`scope_for`: a correlated EXISTS, one primary-key probe per returned row); the marks (scope.py) have
already narrowed the match to the same scope inside the index, so this is the chokepoint's own check.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import CORPUS_CASES, CORPUS_PUBLIC
from .scope import BUCKET_BITS

SLACK = 3  # a window is sized to hold this many times the rows wanted
DIRECT = 2 * SLACK  # a PostgreSQL query expecting at most this many times the rows wanted needs no window


@dataclass(frozen=True)
class Table:
    table: str
    pk: str
    fts: str  # SQLite FTS5 table
    scoped: bool  # has scope marks (scope.py)


TABLES = {
    CORPUS_CASES: Table("search_casedoc", "case_id", "search_case_fts", True),
    CORPUS_PUBLIC: Table("search_publicdoc", "rendition_id", "search_public_fts", False),
}


@dataclass(frozen=True)
class Scope:
    """SQL that is true when the document id in `{id}` is visible."""

    sql: str
    params: tuple[object, ...]

    def flag(self, id_expr: str) -> tuple[str, list[object]]:
        return self.sql.replace("{id}", id_expr), list(self.params)


NOTHING = Scope("1 = 0", ())


def scope_for(visible: QuerySet) -> Scope:
    """A correlated EXISTS over the visible-cases queryset."""
    qs = visible.order_by().filter(pk=RawSQL("{id}", ())).values("pk")
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # no grants: the user sees no case at all
        return NOTHING
    return Scope(f"EXISTS ({sql})", tuple(params))


@dataclass(frozen=True)
class Ask:
    """One question to the index."""

    corpus: str
    terms: list[str]  # every one must occur
    limit: int
    scope: Scope | None = None  # None: everything is visible (the public library)
    marks: list[str] | None = None  # scope marks to narrow by (scope.py), None: no narrowing
    expected: float = math.inf  # expected number of matches (query.estimate), for PostgreSQL's window


class Backend(ABC):
    """What each database's full-text index must answer; the shared result step is `_select`."""

    vendor = ""

    @abstractmethod
    def newest(self, ask: Ask, *, ids_only: bool = False) -> list[tuple]:
        """The newest `ask.limit` matches, newest first: (id, tokens, length, facts, visible), or with
        `ids_only` (id, visible). `visible` is False for a row the user may not see."""

    def _select(self, ask: Ask, inner: str, params: list[object], ids_only: bool) -> list[tuple]:
        cols = "c.id" if ids_only else "c.id, c.tokens, c.length, c.facts"
        if ask.scope is None:
            flag, fparams = "1 = 1", []
        else:
            flag, fparams = ask.scope.flag("c.id")
        sql = f"SELECT {cols}, {flag} AS visible FROM ({inner}) AS c ORDER BY c.id DESC"
        with connection.cursor() as cur:
            cur.execute(sql, [*fparams, *params])
            return [(*row[:-1], bool(row[-1])) for row in cur.fetchall()]


class SQLiteBackend(Backend):
    """FTS5: one MATCH expression, the marks a column filter inside it; FTS5 intersects the posting lists
    itself and walks them newest first (it consumes ORDER BY rowid DESC), stopping at the limit."""

    vendor = "sqlite"

    @staticmethod
    def _phrase(words: list[str], joiner: str) -> str:
        # Tokens and marks hold only letters and digits: quoting each one keeps FTS5 syntax out.
        return joiner.join(f'"{w}"' for w in words)

    def newest(self, ask: Ask, *, ids_only: bool = False) -> list[tuple]:
        t = TABLES[ask.corpus]
        match = f"tokens : ({self._phrase(ask.terms, ' ')})"
        if ask.marks and t.scoped:
            match += f" AND scope : ({self._phrase(ask.marks, ' OR ')})"
        cols = f"{t.fts}.rowid AS id" if ids_only else f"d.{t.pk} AS id, d.tokens, d.length, d.facts"
        frm = t.fts if ids_only else f"{t.fts} JOIN {t.table} d ON d.{t.pk} = {t.fts}.rowid"
        inner = f"SELECT {cols} FROM {frm} WHERE {t.fts} MATCH %s ORDER BY {t.fts}.rowid DESC LIMIT %s"
        return self._select(ask, inner, [match, ask.limit], ids_only)


class PostgresBackend(Backend):
    """tsvector: `tsv @@ terms` and, for cases, `scope_tsv @@ marks & window`; one GIN index holds both
    columns. Ordering by `id + 0` keeps the planner from walking the primary key backwards and testing
    each row's tsvector (cheap in its cost model, about 10 µs a row in fact)."""

    vendor = "postgresql"

    def __init__(self) -> None:
        self._spans: dict[str, tuple[int, int] | None] = {}

    @staticmethod
    def _tsquery(words: list[str], joiner: str) -> str:
        return joiner.join(f"'{w}'" for w in words)

    def _inner(self, ask: Ask, buckets: range | None, ids_only: bool) -> tuple[str, list[object]]:
        t = TABLES[ask.corpus]
        cond = "d.tsv @@ to_tsquery('simple', %s)"
        params: list[object] = [self._tsquery(ask.terms, " & ")]
        marks = ask.marks if t.scoped else None
        within = self._within(marks, buckets)
        if within:
            cond += " AND d.scope_tsv @@ to_tsquery('simple', %s)"
            params.append(within)
        cols = f"d.{t.pk} AS id" if ids_only else f"d.{t.pk} AS id, d.tokens, d.length, d.facts"
        sql = f"SELECT {cols} FROM {t.table} d WHERE {cond} ORDER BY d.{t.pk} + 0 DESC LIMIT %s"
        return sql, [*params, ask.limit]

    def _within(self, marks: list[str] | None, buckets: range | None) -> str:
        """The scope marks, within the window if there is one: a jurisdiction's own per-block marks
        (j320000w244), other marks with the blocks (u12 & (w244 | w243)), or the blocks alone."""
        if buckets is None:
            return self._tsquery(marks, " | ") if marks else ""
        blocks = [f"w{b}" for b in buckets]
        if not marks:
            return self._tsquery(blocks, " | ")
        parts = [f"{m}{w}" for m in marks if m.startswith("j") for w in blocks]
        others = [m for m in marks if not m.startswith("j")]
        if others:
            parts.append(f"(({self._tsquery(others, ' | ')}) & ({self._tsquery(blocks, ' | ')}))")
        return " | ".join(f"'{p}'" if not p.startswith("(") else p for p in parts)

    def _span(self, t: Table) -> tuple[int, int] | None:
        """Lowest and highest id (two index endpoints), once per backend object."""
        if t.table not in self._spans:
            with connection.cursor() as cur:
                cur.execute(f"SELECT min({t.pk}), max({t.pk}) FROM {t.table}")
                lo, hi = cur.fetchone()
            self._spans[t.table] = None if lo is None else (lo, hi)
        return self._spans[t.table]

    def newest(self, ask: Ask, *, ids_only: bool = False) -> list[tuple]:
        t = TABLES[ask.corpus]
        span = self._span(t) if t.scoped and ask.expected > DIRECT * ask.limit else None
        if span is None:
            return self._select(ask, *self._inner(ask, None, ids_only), ids_only)
        lo, hi = span
        density = ask.expected / max(hi - lo + 1, 1)  # matches per id, if the estimate is right
        width = math.ceil(SLACK * ask.limit / density) if density > 0 else hi - lo + 1
        while True:
            start = hi - width + 1
            if start <= lo:
                return self._select(ask, *self._inner(ask, None, ids_only), ids_only)
            # Whole buckets: a bucket partly below `start` only adds rows older than the window.
            buckets = range(hi >> BUCKET_BITS, (start >> BUCKET_BITS) - 1, -1)
            rows = self._select(ask, *self._inner(ask, buckets, ids_only), ids_only)
            if len(rows) >= ask.limit:
                return rows  # the newest `limit` matches of the buckets are the newest overall
            # Grow by what was seen (at least 4x), so a poor estimate costs few round trips.
            width = max(width * 4, math.ceil(width * SLACK * ask.limit / max(len(rows), 1)))


def backend() -> Backend:
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    if connection.vendor == "postgresql":
        return PostgresBackend()
    raise RuntimeError(f"全文检索不支持数据库 {connection.vendor}（仅支持 SQLite 与 PostgreSQL）")
