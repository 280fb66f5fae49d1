"""Querysets compiled to SQL once per process, run many times with new values.

Django compiles every queryset afresh: resolving its joins, select list, ordering and converters costs
0.3–3 ms of CPU for the shapes the case detail loads (a select_related over seven tables is the dear one),
far more than SQLite or PostgreSQL take to answer them. On the hottest reads that compile time was most of
the request. A `PreparedQuery` builds its queryset once per database connection object with placeholder
values, keeps the SQL and the compiler's column map, and on every call binds the real values and turns
the rows into model instances exactly as Django's own ModelIterable does (same converters, same
select_related population).

Placeholders are recognised by value: each must appear, unchanged, among the compiled parameters and
nowhere in the SQL text, else preparing fails loudly (a shape that inlines its value, or binds a pattern
made from it as `startswith` does, cannot be prepared). `build` must pass its arguments to the queryset
as they are: an integer computed from one (pk + 1) cannot be detected. tests/core/test_prepared.py checks
the mechanism and tests/cases/test_loading.py compares the case detail's shapes with the plain ORM row
for row, so a Django upgrade that changes the internals used here fails there.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

_INT_BASE = -2_100_000_000  # never an id (ids are positive), and within a 32-bit column's range
_PLACEHOLDER_TYPES = (int, str)


def _placeholder(kind: type, k: int) -> Any:
    if kind is int:
        return _INT_BASE - k
    if kind is str:
        return f"\x00prepared-placeholder-{k}\x00"
    raise ImproperlyConfigured(f"PreparedQuery: 不支持的参数类型 {kind!r}（只支持 {_PLACEHOLDER_TYPES}）")


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, which value)
    compiler: SQLCompiler
    converters: dict[int, Any]
    shape: str  # "model", "tuple" or "flat"
    init_list: tuple[str, ...] = ()
    model_slice: tuple[int, int] = (0, 0)
    populators: tuple[Any, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()


class PreparedQuery(Generic[M]):
    """`build(*placeholders)` returns the queryset; `query(*values)` runs it with the values bound.

    Model querysets (with select_related and annotations) give model instances; values_list ones give
    tuples, or single values when flat. prefetch_related is refused: attach children with `attach`.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *kinds: type, using: str = DEFAULT_DB_ALIAS) -> None:
        self.build = build
        self.kinds = kinds
        self.using = using
        self._plans: weakref.WeakKeyDictionary[Any, _Plan] = weakref.WeakKeyDictionary()

    def __call__(self, *values: Any) -> list[Any]:
        if len(values) != len(self.kinds):
            raise TypeError(f"PreparedQuery expects {len(self.kinds)} values, got {len(values)}")
        connection = connections[self.using]
        plan = self._plans.get(connection)
        if plan is None:
            plan = self._plans[connection] = self._prepare(connection)
        params = list(plan.params)
        for pos, which in plan.slots:
            params[pos] = values[which]
        with _cursor(connection) as cursor:
            cursor.execute(plan.sql, params)
            rows: Iterable[Sequence[Any]] = cursor.fetchall()
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        if plan.shape == "flat":
            return [row[0] for row in rows]
        if plan.shape == "tuple":
            return [tuple(row) for row in rows]
        return [self._instance(plan, row) for row in rows]

    def first(self, *values: Any) -> Any | None:
        rows = self(*values)
        return rows[0] if rows else None

    def _instance(self, plan: _Plan, row: Sequence[Any]) -> Model:
        start, end = plan.model_slice
        obj = plan.compiler.query.model.from_db(self.using, plan.init_list, row[start:end])
        for populator in plan.populators:
            populator.populate(row, obj)
        for name, pos in plan.annotations:
            setattr(obj, name, row[pos])
        return obj

    def _prepare(self, connection: Any) -> _Plan:
        placeholders = [_placeholder(kind, k) for k, kind in enumerate(self.kinds)]
        qs = self.build(*placeholders)
        if qs._prefetch_related_lookups:
            raise ImproperlyConfigured("PreparedQuery: prefetch_related 无法预编译，请分别预编译后用 attach() 挂接")
        iterable = qs._iterable_class
        if iterable is ModelIterable:
            shape = "model"
        elif iterable is ValuesListIterable:
            shape = "tuple"
        elif iterable is FlatValuesListIterable:
            shape = "flat"
        else:
            raise ImproperlyConfigured(f"PreparedQuery: 不支持的查询形态 {iterable.__name__}")
        compiler = qs.query.get_compiler(using=self.using, connection=connection)
        sql, params = compiler.as_sql()
        slots: list[tuple[int, int]] = []
        for which, ph in enumerate(placeholders):
            if str(ph) in sql:
                raise ImproperlyConfigured(f"PreparedQuery: 第 {which + 1} 个参数被写进了 SQL 文本，无法预编译")
            found = [(pos, which) for pos, p in enumerate(params) if type(p) is type(ph) and p == ph]
            if isinstance(ph, str) and any(isinstance(p, str) and ph in p and p != ph for p in params):
                # e.g. a LIKE pattern or a concatenation: the compiled constant would freeze the placeholder
                raise ImproperlyConfigured(f"PreparedQuery: 第 {which + 1} 个参数被改写后才绑定，无法预编译")
            if not found:
                raise ImproperlyConfigured(f"PreparedQuery: 第 {which + 1} 个参数未出现在编译后的参数中")
            slots += found
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        if shape != "model":
            return _Plan(sql, tuple(params), tuple(slots), compiler, converters, shape)
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Plan(
            sql,
            tuple(params),
            tuple(slots),
            compiler,
            converters,
            shape,
            init_list=tuple(f[0].target.attname for f in compiler.select[start:end]),
            model_slice=(start, end),
            populators=tuple(get_related_populators(klass_info, compiler.select, self.using)),
            annotations=tuple(compiler.annotation_col_map.items()),
        )


def _cursor(connection: Any) -> Any:
    """A cursor for a prepared query. On PostgreSQL one that asks psycopg to keep the statement prepared on
    the connection from its first run, so PostgreSQL plans it once: planning the case detail's seven-table
    join took 3 ms, running it 0.2 ms (unless DATABASE_URL says ?prepare_threshold=off; see settings.py).
    Wrapped like Django's own, so query logging, CaptureQueriesContext and error translation apply."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = _preparing_cursor_class()(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


@cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):  # type: ignore[misc, valid-type]
        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = True, binary: Any = None) -> Any:
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor


def attach(parent: Model, name: str, children: list[Any]) -> None:
    """Hand `children` to `parent.<name>.all()` as prefetch_related would (no query when read), and point
    each child's foreign key back at the parent."""
    descriptor = getattr(type(parent), name)
    field = descriptor.field  # the child's ForeignKey to the parent
    for child in children:
        field.set_cached_value(child, parent)
    qs = getattr(parent, name).get_queryset()
    qs._result_cache = children
    qs._prefetch_done = True
    if not hasattr(parent, "_prefetched_objects_cache"):
        parent._prefetched_objects_cache = {}
    parent._prefetched_objects_cache[field.remote_field.cache_name] = qs
