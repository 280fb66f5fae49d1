"""Copies of template rows made by the database itself, for the bulk generator (gen_cases.py).

gen_cases decides per synthetic case which template (a demo case) it copies, in which jurisdiction, moved
by how many days, with which ids, unit, cadre and texts: one "plan" row per case, written to the table
`bench_plan`. The database then makes every row of the case by `INSERT … SELECT` from the plan joined to
staging tables holding the template rows:

- `bench_tpl_<table>` for the case, its accountability matter, decision and result-use record: one row per
  *combo* (a template as it looks under one set of applicable policies: the case's pinned policies,
  procedure and evaluation, the decision's archived evaluation and the result-use rules are what the real
  code computes there), the template's own row with those columns replaced;
- `bench_tpl_<table>` for the facts, timeline, deadlines, interviews and appeals: the template case's rows
  numbered from 0 (`k`) in id order; a copy's row gets the id `first_<table> + k` from its plan row.

Dates and datetimes move by the plan's whole days; everything else is the template's, as stored (so a
copy's documents are byte for byte the template's, and PostgreSQL stores their compressed form again
without compressing it anew). This keeps the generator's Python to a few dozen values per case: the bulk
(about 27 rows and 16 kB per case) never passes through Python or the client protocol.

The staging tables and the plan are dropped at the end of the load.
"""

from __future__ import annotations

import datetime as dt
import queue
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from _rowcodec import SIGNATURE, TRAILER, PgBinary, SqliteValues

PLAN = "bench_plan"
# PostgreSQL connections at work side by side, on two CPUs: one more than the CPUs, as the backends wait on
# WAL and reads a third of the time (10^6: restore 72.8 / 76.3 s with three, 83.7 s with two).
STREAMS = 3
RELATED = ("cases_factvalue", "cases_caseevent", "procedure_deadline", "cases_interview", "cases_appeal")
# (column, binary COPY encoder, SQL type): per-case values; the first ids of the related rows follow.
PLAN_COLUMNS = [
    ("case_id", "int8", "BIGINT PRIMARY KEY"),
    ("src", "int8", "BIGINT"),  # the template case
    ("combo", "int4", "INTEGER"),
    ("days", "int4", "INTEGER"),  # moved by this many days
    ("number", "text", "TEXT"),
    ("jurisdiction_id", "text", "TEXT"),
    ("matter_id", "int8", "BIGINT"),
    ("cadre_id", "int8", "BIGINT"),
    ("unit_id", "int8", "BIGINT"),
    ("title", "text", "TEXT"),
    ("summary", "text", "TEXT"),
    ("domain", "text", "TEXT"),
    ("overdue", "bool", "BOOLEAN"),
    ("decision_id", "int8", "BIGINT"),
    ("resultuse_id", "int8", "BIGINT"),
    ("influence_ends_on", "date", "DATE"),
    *[(f"first_{t}", "int8", "BIGINT") for t in RELATED],
]
PLAN_KINDS = [k for _, k, _ in PLAN_COLUMNS]


class TableSpec:
    """A model's columns: the per-row ones given by the plan (`dyn`), the dates and datetimes (moved by
    days) and the rest (the template's)."""

    def __init__(self, model: Any, dyn: list[str]) -> None:
        from django.db import models

        meta = model._meta
        self.table = meta.db_table
        self.fields = {f.attname: f for f in meta.concrete_fields}
        self.dyn = dyn
        self.shifted = [a for a, f in self.fields.items() if isinstance(f, models.DateField) and a not in dyn]
        self.datetimes = {a for a in self.shifted if isinstance(self.fields[a], models.DateTimeField)}

    def column(self, attname: str) -> str:
        return self.fields[attname].column


def _q(name: str) -> str:
    return f'"{name}"'


def side_connections(count: int, *settings: str) -> queue.Queue[Any]:
    """`count` autocommit connections of their own to the database Django is set up on (PostgreSQL),
    each with these SET statements run, for work side by side in threads."""
    import psycopg
    from django.db import connection

    db = connection.settings_dict
    conns: queue.Queue[Any] = queue.Queue()
    for _ in range(max(1, count)):
        conn = psycopg.connect(
            dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"],
            autocommit=True,
        )  # fmt: skip
        for sql in settings:
            conn.execute(sql)
        conns.put(conn)
    return conns


class Stage:
    """The staging tables, the plan table and the statements that expand a range of planned cases."""

    def __init__(self, vendor: str, today: dt.date) -> None:
        self.pg = vendor == "postgresql"
        self.today = today
        self.create = "CREATE UNLOGGED TABLE" if self.pg else "CREATE TABLE"
        self.tables: list[str] = []  # made here, dropped by drop()
        self.statements: dict[str, str] = {}  # per table: the statement that fills it

    # --- moving dates and datetimes by the plan's days ---------------------------------------------------

    def shift(self, expr: str, is_datetime: bool) -> str:
        if self.pg:  # seconds, not days: a day in an interval would follow the session's time zone
            return f"{expr} + p.days * interval '86400 seconds'" if is_datetime else f"{expr} + p.days"
        # SQLite keeps Django's text form: move the date part, keep the time of day exactly as written.
        moved = f"date({expr}, p.days || ' days')"
        return f"{moved} || substr({expr}, 11)" if is_datetime else moved

    def _sql(self, spec: TableSpec, given: dict[str, str], join: str, where: str = "") -> str:
        cols, exprs = [], []
        for a in spec.fields:
            col = spec.column(a)
            cols.append(_q(col))
            if a in given:
                exprs.append(given[a])
            elif a in spec.shifted:
                exprs.append(self.shift(f"t.{_q(col)}", a in spec.datetimes))
            else:
                exprs.append(f"t.{_q(col)}")
        return (
            f"INSERT INTO {_q(spec.table)} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
            # CROSS JOIN: SQLite then takes the plan's range as the outer loop (it would otherwise scan the small
            # staging table and search the whole plan for each of its rows); PostgreSQL plans it as any join.
            f"FROM {PLAN} p CROSS JOIN {_q('bench_tpl_' + spec.table)} t "
            f"WHERE p.case_id BETWEEN %s AND %s AND {join}{where}"
        )

    # --- staging ----------------------------------------------------------------------------------------

    def _execute(self, sql: str, params: Any = None) -> None:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(sql, params)

    def _table(self, name: str, sql: str, params: Any = None) -> None:
        self._execute(f"DROP TABLE IF EXISTS {_q(name)}")
        self._execute(sql, params)
        self.tables.append(name)

    def per_combo(self, spec: TableSpec, rows: list[tuple[int, int, dict[str, Any]]], given: dict[str, str], *,
                  where: str = "") -> None:  # fmt: skip
        """Stage one row per combo: (combo, template row id, its replaced values) and the statement that
        copies it for every planned case of that combo (`given`: the columns the plan gives)."""
        from django.db import connection

        over = sorted({a for _, _, values in rows for a in values})
        overs = f"bench_over_{spec.table}"
        picked = "".join(f", {_q(spec.column(a))}" for a in over)
        # combo declared INTEGER: SQLite then compares it with the plan's column through its index.
        select = f"SELECT CAST(0 AS INTEGER) AS combo, id AS src{picked} FROM {_q(spec.table)} WHERE 1 = 0"
        self._table(overs, f"{self.create} {_q(overs)} AS {select}")
        if self.pg:  # the replaced documents compressed as the real column compresses them
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attcompression <> '' AND attnum > 0",
                    [spec.table],
                )
                replaced = {spec.column(a) for a in over}
                for col, method in cur.fetchall():
                    if col in replaced:
                        method = {"l": "lz4", "p": "pglz"}[method]
                        cur.execute(f"ALTER TABLE {_q(overs)} ALTER COLUMN {_q(col)} SET COMPRESSION {method}")
        marks = ", ".join(["%s"] * (2 + len(over)))
        prepped = [
            (combo, src, *[spec.fields[a].get_db_prep_save(values[a], connection) for a in over])
            for combo, src, values in rows
        ]
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {_q(overs)} VALUES ({marks})", prepped)
        cols = ", ".join(f"o.{_q(spec.column(a))}" if a in over else f"s.{_q(spec.column(a))}" for a in spec.fields)
        tpl = f"bench_tpl_{spec.table}"
        self._table(tpl, f"{self.create} {_q(tpl)} AS SELECT o.combo, {cols} FROM {_q(overs)} o "
                    f"JOIN {_q(spec.table)} s ON s.id = o.src")  # fmt: skip
        self._execute(f"CREATE INDEX {_q(tpl + '_combo')} ON {_q(tpl)} (combo)")
        self.statements[spec.table] = self._sql(spec, given, "t.combo = p.combo", where)

    def per_template(self, spec: TableSpec, cases: list[int], given: dict[str, str]) -> None:
        """Stage the related rows of the template cases, numbered per case, and the statement that copies
        them for every planned case."""
        tpl = f"bench_tpl_{spec.table}"
        marks = ", ".join(["%s"] * len(cases))
        self._table(
            tpl,
            f"{self.create} {_q(tpl)} AS SELECT row_number() OVER (PARTITION BY case_id ORDER BY id) - 1 AS k, * "
            f"FROM {_q(spec.table)} WHERE case_id IN ({marks})",
            cases,
        )
        self._execute(f"CREATE INDEX {_q(tpl + '_case')} ON {_q(tpl)} (case_id, k)")
        self.statements[spec.table] = self._sql(
            spec, {"id": f"p.first_{spec.table} + t.k", "case_id": "p.case_id", **given}, "t.case_id = p.src"
        )

    def plan_table(self) -> None:
        cols = ", ".join(
            f"{name} {'INTEGER PRIMARY KEY' if not self.pg and name == 'case_id' else sql}"
            for name, _, sql in PLAN_COLUMNS
        )
        self._table(PLAN, f"{self.create} {PLAN} ({cols})")

    def finish_staging(self, order: tuple[str, ...]) -> None:
        """order: the tables referenced before those referencing them. SQLite checks its (deferred) foreign
        keys as rows arrive: a row whose parent is still missing makes every later parent row look for its
        children, which have no index during the load."""
        self.statements = {t: self.statements[t] for t in order if t in self.statements}
        if self.pg:
            for t in self.tables:
                self._execute(f"ANALYZE {_q(t)}")

    def today_literal(self) -> str:
        return f"DATE '{self.today.isoformat()}'" if self.pg else f"'{self.today.isoformat()}'"

    def drop(self) -> None:
        for t in reversed(self.tables):
            self._execute(f"DROP TABLE IF EXISTS {_q(t)}")
        self.tables.clear()


class Expander:
    """Writes planned cases in batches: the plan rows from this process, then the statements of `stage`
    for the batch's range of case ids. On PostgreSQL the statements run on `streams` connections of their
    own while this process plans the next batch, each table's on one connection: its ids then arrive in
    ascending order, so its primary key grows at its right edge (PostgreSQL's fast path, pages left 90%
    full; two writers inserting ids of two halves of a batch left the timeline's key 63% full). The
    statements are shared out by their time in the previous batch, longest first. On SQLite they run in
    one transaction here."""

    def __init__(self, stage: Stage, streams: int = STREAMS) -> None:
        from django.db import connection

        self.stage = stage
        self.pg = stage.pg
        self.wait_s = 0.0
        self.pending: list[Future[None]] = []
        self.took: dict[str, float] = {}  # per statement: its seconds in the previous batch
        self.streams = max(1, streams)
        self.columns = ", ".join(name for name, _, _ in PLAN_COLUMNS)
        connection.ensure_connection()
        if self.pg:
            self.codec: PgBinary | SqliteValues = PgBinary()
            self.pool = ThreadPoolExecutor(self.streams)
            self.conns = side_connections(self.streams, "SET synchronous_commit = off")
        else:
            self.codec = SqliteValues()

    def encode(self, values: list[Any]) -> Any:
        return (
            self.codec.head(values, PLAN_KINDS, len(PLAN_KINDS)) if self.pg else self.codec.fields(values, PLAN_KINDS)
        )

    def write(self, rows: list[Any], first: int, last: int) -> None:
        """Plan rows (from encode()) of the cases first..last, then their expansion."""
        from django.db import connection, transaction

        if not rows:
            return
        if not self.pg:
            marks = ", ".join(["?"] * len(PLAN_COLUMNS))
            t = time.perf_counter()
            with transaction.atomic():
                connection.connection.executemany(f"INSERT INTO {PLAN} ({self.columns}) VALUES ({marks})", rows)
                with connection.cursor() as cur:
                    for sql in self.stage.statements.values():
                        cur.execute(sql, [first, last])
            self.wait_s += time.perf_counter() - t
            return
        with (
            connection.connection.cursor() as cur,
            cur.copy(f"COPY {PLAN} ({self.columns}) FROM STDIN (FORMAT BINARY)") as cp,
        ):
            cp.write(SIGNATURE + b"".join(rows) + TRAILER)
        self.drain()
        for sqls in self.shares():
            self.pending.append(self.pool.submit(self._run, first, last, sqls))

    def shares(self) -> list[list[str]]:
        """The statements split into one list per stream, balanced by their last times (longest first)."""
        shares: list[list[str]] = [[] for _ in range(self.streams)]
        load = [0.0] * self.streams
        for sql in sorted(self.stage.statements.values(), key=lambda s: -self.took.get(s, 0.0)):
            i = load.index(min(load))
            shares[i].append(sql)
            load[i] += self.took.get(sql, 1.0)
        return [s for s in shares if s]

    def _run(self, lo: int, hi: int, sqls: list[str]) -> None:
        conn = self.conns.get()
        try:
            for sql in sqls:
                t = time.perf_counter()
                conn.execute(sql, [lo, hi])
                self.took[sql] = time.perf_counter() - t
        finally:
            self.conns.put(conn)

    def drain(self) -> None:
        t = time.perf_counter()
        for f in self.pending:
            f.result()
        self.pending = []
        self.wait_s += time.perf_counter() - t

    def close(self) -> None:
        self.drain()
        if self.pg:
            self.pool.shutdown()
            while not self.conns.empty():
                self.conns.get().close()
