"""Verifying the audit chain on several CPUs: contiguous ranges of records, one per process.

The fast check of a record needs only that record (its bytes against its stored hash) and the hash of the
record before it, so the chain splits into ranges [lo, hi]: each is checked on its own, and the ranges are
then stitched together (the prev_hash carried by a range's first record must be the hash of the previous
range's last record). This process checks the first range on its own connection; forked workers check the
others on fresh connections of their own. On PostgreSQL every worker reads in the snapshot this process
exported (`SET TRANSACTION SNAPSHOT`), so all ranges, and the head, come from one moment. On SQLite the
records up to the head are immutable (triggers refuse UPDATE and DELETE) and later appends lie past `hi`.

Anything out of the ordinary in any range (a hash, a link, a gap, a seam that does not join, a worker
that fails) makes the caller verify again in one pass, which names the first broken record exactly as
the single-process check does: a damaged chain costs a second pass, an intact one is read once.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import connection

log = logging.getLogger(__name__)

MIN_RECORDS = 50_000  # below this, forking and connecting cost more than they save


@dataclass(frozen=True)
class Segment:
    lo: int
    hi: int
    count: int  # records that checked out, from lo on
    first_prev: bytes  # the prev_hash the first record carries (its bytes end with it)
    last_hash: str  # the stored hash of the last record that checked out
    suspect: bool  # stopped at a record whose fast check failed, or the range is short

    def joins(self, prev_hash: str) -> bool:
        return not self.suspect and self.count == self.hi - self.lo + 1 and self.first_prev == prev_hash.encode()


def scan_segment(rows: Iterable[tuple[int, str, bytes]], lo: int, hi: int) -> Segment:
    """The fast check of records lo..hi; the first record's link is left to the stitching."""
    base = hashlib.new("sm3")
    expected, prev, count, first_prev, last = lo, b"", 0, b"", ""
    for seq, digest, body in rows:
        h = base.copy()
        h.update(body)
        if seq != expected or (count and not body.endswith(prev)) or h.hexdigest() != digest:
            return Segment(lo, hi, count, first_prev, last, True)
        if not count:
            first_prev = bytes(body[-64:])
        expected = seq + 1
        prev = digest.encode()
        last = digest
        count += 1
    return Segment(lo, hi, count, first_prev, last, count != hi - lo + 1)


def ranges(upto: int, jobs: int) -> list[tuple[int, int]]:
    """[1, upto] cut into jobs contiguous ranges of nearly equal size."""
    edges = [1 + upto * k // jobs for k in range(jobs + 1)]
    return [(edges[k], edges[k + 1] - 1) for k in range(jobs) if edges[k + 1] > edges[k]]


def usable(upto: int, jobs: int, in_callers_transaction: bool) -> bool:
    """Whether to split: enough records, forking available, and workers can see what this process sees
    (the caller is not inside a transaction of its own, whose writes no other connection sees; not an
    in-memory SQLite database)."""
    if jobs < 2 or upto < MIN_RECORDS or in_callers_transaction:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return name != ":memory:" and "mode=memory" not in name
    return connection.vendor == "postgresql"


def export_snapshot() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


def _worker(lo: int, hi: int, sql: str, params: list[Any], batch: int, snapshot: str | None) -> Segment:
    """In a forked worker: a fresh connection (the inherited one belongs to the parent and is never used
    here), the range read in the parent's snapshot on PostgreSQL."""
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        if snapshot is not None:
            from psycopg import sql as pgsql

            raw.autocommit = False
            with raw.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # SET takes no bound parameters: the id (hex digits and dashes) is quoted as a literal
                cur.execute(pgsql.SQL("SET TRANSACTION SNAPSHOT {}").format(pgsql.Literal(snapshot)))
            with raw.cursor(name="audit_verify_range") as cur:
                cur.itersize = batch
                cur.execute(sql, params)
                return scan_segment(cur, lo, hi)
        from django.db.backends.sqlite3.base import SQLiteCursorWrapper

        cur = raw.cursor(factory=SQLiteCursorWrapper)  # Django's own %s → ? conversion, as its cursors do
        cur.execute(sql, params)
        return scan_segment(_chunks(cur, batch), lo, hi)
    finally:
        raw.close()


def _chunks(cur: Any, batch: int) -> Iterable[tuple[int, str, bytes]]:
    while chunk := cur.fetchmany(batch):
        yield from chunk


def verify_ranges(upto: int, jobs: int, batch: int, range_sql: Any, first_rows: Any) -> list[Segment] | None:
    """Check [1, upto] in `jobs` ranges: the first here through first_rows(lo, hi), the others in forked
    workers through range_sql(lo, hi) → (sql, params). None when the ranges could not all be read (the
    worker's error is logged); the caller then checks in one pass."""
    parts = ranges(upto, jobs)
    snapshot = export_snapshot()
    work = [(lo, hi, *range_sql(lo, hi), batch, snapshot) for lo, hi in parts[1:]]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(work), mp_context=context) as pool:
        futures = [pool.submit(_worker, *w) for w in work]
        lo, hi = parts[0]
        rows = first_rows(lo, hi)
        try:
            first = scan_segment(rows, lo, hi)
        finally:
            rows.close()
        try:
            return [first, *(f.result() for f in futures)]
        except Exception:
            log.exception("审计链分段校验的工作进程出错，改为单进程校验")
            return None
