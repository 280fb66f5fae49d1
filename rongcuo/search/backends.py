"""The only vendor-specific SQL of search: finding documents that contain terms.

SQLite matches with the FTS5 table (`MATCH '"a" "b"'`), PostgreSQL with the generated tsvector
(`tsv @@ to_tsquery('simple', '''a'' & ''b''')`). Both answer the same two questions, newest first:
which documents contain all of these terms, and which contain this one term. Ranking is not done here
(bm25.py does it in Python, the same on both databases).

Scope: a restriction is passed in as SQL that is true for a document id the user may see, built from
`cases.access.visible_cases` (see `scope_for`), so the chokepoint's own query decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import CORPUS_CASES, CORPUS_PUBLIC


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
    """SQL that is true when the document id in `{id}` is visible; `None` means everything is visible."""

    sql: str
    params: tuple[object, ...]

    def clause(self, id_expr: str) -> tuple[str, list[object]]:
        return " AND " + self.sql.replace("{id}", id_expr), list(self.params)


NOTHING = Scope("1 = 0", ())


def scope_for(visible: QuerySet) -> Scope:
    """A correlated EXISTS over the visible-cases queryset: per candidate, one primary-key probe into
    cases_case plus the scope's own conditions (no materialising of the whole scope)."""
    qs = visible.order_by().filter(pk=RawSQL("{id}", ())).values("pk")
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # no grants: the user sees no case at all
        return NOTHING
    return Scope(f"EXISTS ({sql})", tuple(params))


class Backend:
    vendor = ""

    def _query(self, terms: list[str], *, any_of: bool = False) -> str:
        raise NotImplementedError

    def _match(self, t: Table, *, ids_only: bool) -> tuple[str, str, str]:
        """FROM clause, WHERE condition (one parameter: the text query), and the document id expression."""
        raise NotImplementedError

    def _within(self, t: Table) -> str:
        """A condition on the scope marks (one parameter: the marks query)."""
        raise NotImplementedError

    def _where(
        self, t: Table, terms: list[str], scope: Scope | None, marks: list[str] | None, *, ids_only: bool
    ) -> tuple[str, str, list[object]]:
        frm, cond, ident = self._match(t, ids_only=ids_only)
        params: list[object] = [self._text(terms, marks)]
        if marks and self._within(t):
            cond += self._within(t)
            params.append(self._query(marks, any_of=True))
        if scope is not None:
            extra, sparams = scope.clause(ident)
            cond += extra
            params += sparams
        return f"{frm} WHERE {cond}", ident, params

    def _text(self, terms: list[str], marks: list[str] | None) -> str:
        return self._query(terms)

    def candidates(
        self, corpus: str, terms: list[str], scope: Scope | None, limit: int, marks: list[str] | None = None
    ) -> list[tuple[int, str, int, str]]:
        """(id, tokens, length, facts) of the newest `limit` documents containing every term."""
        t = TABLES[corpus]
        frm_where, ident, params = self._where(t, terms, scope, marks, ids_only=False)
        sql = f"SELECT d.{t.pk}, d.tokens, d.length, d.facts FROM {frm_where} ORDER BY {ident} DESC LIMIT %s"
        return self._rows(sql, [*params, limit])

    def ids_with_terms(
        self, corpus: str, terms: list[str], scope: Scope | None, limit: int, marks: list[str] | None = None
    ) -> list[tuple[int, int]]:
        """(id, index of the term) for the newest `limit` documents containing each term, in one query."""
        t = TABLES[corpus]
        parts: list[str] = []
        params: list[object] = []
        for i, term in enumerate(terms):
            frm_where, ident, p = self._where(t, [term], scope, marks, ids_only=True)
            parts.append(
                f"SELECT * FROM (SELECT {ident} AS id, {i} AS term FROM {frm_where} "
                f"ORDER BY {ident} DESC LIMIT %s) AS q{i}"
            )
            params += [*p, limit]
        if not parts:
            return []
        return self._rows(" UNION ALL ".join(parts), params)

    @staticmethod
    def _rows(sql: str, params: list[object]) -> list:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()


class SQLiteBackend(Backend):
    """FTS5: one MATCH expression; the scope marks are a column filter inside it, so FTS5 intersects the
    two posting lists itself and walks them newest first (ORDER BY rowid DESC is consumed by FTS5)."""

    vendor = "sqlite"

    def _query(self, terms: list[str], *, any_of: bool = False) -> str:
        # Tokens and marks hold only letters and digits: quoting each one keeps FTS5 syntax out.
        return (" OR " if any_of else " ").join(f'"{term}"' for term in terms)

    def _text(self, terms: list[str], marks: list[str] | None) -> str:
        text = f"tokens : ({self._query(terms)})"
        if marks:
            text += f" AND scope : ({self._query(marks, any_of=True)})"
        return text

    def _within(self, t: Table) -> str:
        return ""  # part of the MATCH expression (_text)

    def _match(self, t: Table, *, ids_only: bool) -> tuple[str, str, str]:
        if ids_only:
            return t.fts, f"{t.fts} MATCH %s", f"{t.fts}.rowid"
        return f"{t.fts} JOIN {t.table} d ON d.{t.pk} = {t.fts}.rowid", f"{t.fts} MATCH %s", f"{t.fts}.rowid"


class PostgresBackend(Backend):
    """tsvector: `tsv @@ query`, and `scope_tsv @@ marks` for cases; one GIN index holds both columns."""

    vendor = "postgresql"

    def _query(self, terms: list[str], *, any_of: bool = False) -> str:
        return (" | " if any_of else " & ").join(f"'{term}'" for term in terms)

    def _within(self, t: Table) -> str:
        return " AND d.scope_tsv @@ to_tsquery('simple', %s)" if t.scoped else ""

    def _match(self, t: Table, *, ids_only: bool) -> tuple[str, str, str]:
        return f"{t.table} d", "d.tsv @@ to_tsquery('simple', %s)", f"d.{t.pk}"


def backend() -> Backend:
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    if connection.vendor == "postgresql":
        return PostgresBackend()
    raise RuntimeError(f"全文检索不支持数据库 {connection.vendor}（仅支持 SQLite 与 PostgreSQL）")
