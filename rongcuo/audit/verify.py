"""Checking the audit chain, and Merkle checkpoints over it.

verify_chain streams every record in seq order and recomputes its SM3 hash. Reading fourteen columns
into Python objects and formatting each timestamp cost several times the hash itself, so the database
renders each record to the bytes chain.record_bytes gives it, in one expression (_FAST_SQL), and
Python only hashes and compares. Where that rendering and the stored hash disagree, the record is
read again through the ORM and checked exactly as chain.append computed it (format_at +
record_bytes): only that check reports a record broken, so an odd but intact record (a separator
inside a field, a whole-second timestamp) costs a second look, never a false alarm. The other way
round, the rendering accepts a record only if its bytes are the original bytes (SM3 being collision
resistant), and it renders each field as the exact path reads it, so it accepts nothing the exact
check would reject.

Checkpoints are RFC 9162 tree heads over the records' chain hashes. Each stores its Merkle frontier,
so the next one only hashes the records appended since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import BinaryField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import segments
from .chain import GENESIS, format_at, record_bytes, sm3
from .merkle import Frontier
from .models import AuditCheckpoint, AuditHead, AuditRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

FIELDS = (
    "seq",
    "at",
    "kind",
    "user_id",
    "username",
    "role",
    "ip",
    "action",
    "object_type",
    "object_id",
    "success",
    "detail",
    "prev_hash",
    "hash",
)
EXPORT_FORMAT = "rongcuo-audit-checkpoints"
DEFAULT_BATCH = 5000


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    """The first record that does not check out. at/action are None when the record is missing."""

    seq: int
    problem: str
    at: dt.datetime | None = None
    action: str | None = None

    def describe(self) -> str:
        when = f"，时间 {format_at(self.at)}" if self.at else ""
        what = f"，动作 {self.action}" if self.action else ""
        return f"第 {self.seq} 条记录{when}{what}：{self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    count: int  # records checked
    head_seq: int
    head_hash: str
    broken: Broken | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


class AuditIntegrityError(Exception):
    """The records cannot support a checkpoint (a gap, or a hash that is not hex)."""


class CheckpointFileError(ValueError):
    """An exported checkpoint file that cannot be read."""


# --- the fast rendering ----------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# One SQL expression per backend renders a record to the bytes chain.record_bytes gives it, in a
# single C call (SQLite printf, PostgreSQL concat_ws): one column per row is what makes verify fast.
# SQLite stores `at` as Django wrote it, 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC); replacing the space by
# 'T' and adding 'Z' gives format_at's text. Text that matches only after that rewrite differs from
# the stored text at most in the date/time separator, which Django reads as the same instant.
_SQLITE_FORMAT = "\x1f".join(["%s", "%sZ"] + ["%s"] * 11)


def _sqlite_body() -> tuple[str, list[str]]:
    cols = [_q(f) for f in FIELDS[:-1]]
    cols[1] = f"replace({_q('at')}, ' ', 'T')"
    # printf %s renders NULL as '' (user_id) and an integer as its digits (seq; success 1/0, which
    # is also how Django's SQLite converter reads it: only '1' is True).
    return f"CAST(printf(%s, {', '.join(cols)}) AS BLOB)", [_SQLITE_FORMAT]


def _postgres_body() -> tuple[str, list[str]]:
    parts = [_q(f) for f in FIELDS[:-1]]
    parts[0] = f"{_q('seq')}::text"
    parts[1] = f"""to_char({_q("at")} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""  # = format_at
    parts[3] = f"COALESCE({_q('user_id')}::text, '')"
    parts[10] = f"CASE WHEN {_q('success')} THEN '1' ELSE '0' END"
    return f"convert_to(concat_ws(chr(31), {', '.join(parts)}), 'UTF8')", []


_FAST_SQL: dict[str, Callable[[], tuple[str, list[str]]]] = {"sqlite": _sqlite_body, "postgresql": _postgres_body}


Rows = Generator[tuple[int, str, bytes], None, None]  # (seq, hash, the record's bytes)


def _fast_qs(upto: int, lo: int = 1) -> Any:
    sql, params = _FAST_SQL[connection.vendor]()
    qs = AuditRecord.objects.filter(seq__lte=upto)
    if lo > 1:
        qs = qs.filter(seq__gte=lo)
    return (
        qs.order_by("seq")
        .annotate(_body=RawSQL(sql, params, output_field=BinaryField()))
        .values_list("seq", "hash", "_body")
    )


def _range_sql(lo: int, hi: int) -> tuple[str, list[Any]]:
    sql, params = _fast_qs(hi, lo).query.sql_with_params()
    return sql, list(params)


def _fast_rows(upto: int, batch: int, lo: int = 1) -> Rows:
    """(seq, hash, the record's bytes as rendered by the database), for records lo..upto."""
    qs = _fast_qs(upto, lo)
    if connection.vendor != "sqlite":
        return qs.iterator(chunk_size=batch)  # a server-side cursor, streamed
    return _sqlite_rows(*qs.query.sql_with_params(), batch)


def _sqlite_rows(sql: str, params: tuple[Any, ...], batch: int) -> Rows:
    # The plain cursor: the rows need no conversion (an integer, text, a blob), and Django's per-row
    # iterator layers cost a quarter of the verify time here.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(batch):
            yield from chunk


def _exact_bytes(values: tuple[Any, ...]) -> bytes:
    """record_bytes for one row of FIELDS, exactly as chain.append computed it."""
    seq, at, kind, user_id, username, role, ip, action, object_type, object_id, success, detail, prev, _ = values
    return record_bytes(
        seq, format_at(at), kind, user_id, username, role, ip, action, object_type, object_id, success, detail, prev
    )


def _exact_rows(upto: int, batch: int) -> Rows:
    """The same rows as _fast_rows, from the ORM and record_bytes (slow; to check the checker)."""
    qs = AuditRecord.objects.filter(seq__lte=upto).order_by("seq").values_list(*FIELDS)
    for values in qs.iterator(chunk_size=batch):
        try:
            body = _exact_bytes(values)
        except (TypeError, ValueError, AttributeError):  # a field of the wrong type: _diagnose says so
            body = b""
        yield values[0], values[-1], body


def _read_ahead(rows: Generator[T, None, None], chunk: int) -> Generator[T, None, None]:
    """rows, with the next chunk fetched by a helper thread while this one hashes the current one.
    For PostgreSQL, whose server renders the rows in its own process: waiting for it (psycopg waits
    without the GIL) then overlaps the hashing. The first chunk is read here, which runs the query on
    this thread's connection; the helper only advances that open cursor, and psycopg serialises the
    use of a connection, so an exact check meanwhile (_diagnose) is safe."""
    first = list(islice(rows, chunk))
    ready: queue.Queue[list[T] | BaseException] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def fetch() -> None:
        try:
            while not stop.is_set():
                part = list(islice(rows, chunk))
                ready.put(part)
                if not part:
                    return
        except BaseException as exc:
            ready.put(exc)

    helper = threading.Thread(target=fetch, name="audit-verify-read-ahead", daemon=True)
    helper.start()
    try:
        yield from first
        while True:
            part = ready.get()
            if isinstance(part, BaseException):
                raise part
            if not part:
                return
            yield from part
    finally:  # stopped early, finished or failed: let the helper end, then close the cursor here
        stop.set()
        while helper.is_alive():
            with suppress(queue.Empty):
                ready.get(timeout=0.05)
        helper.join()
        rows.close()


# --- verification --------------------------------------------------------------------------------


def _diagnose(seq: int, expected: int, prev: bytes, digest: str) -> Broken | None:
    """Why the fast check failed for record seq, by the exact check; None if it was a false alarm."""
    if seq != expected:
        if seq > expected:
            return Broken(expected, f"记录缺失（第 {expected - 1} 条之后直接是第 {seq} 条）")
        return Broken(seq, f"序号异常（应为 {expected}）")
    values = AuditRecord.objects.filter(seq=seq).values_list(*FIELDS).first()
    if values is None:  # deleted since it was read
        return Broken(seq, "记录缺失")
    at, action, prev_hash = values[1], values[7], values[12]
    try:
        recomputed = sm3(_exact_bytes(values))
    except (TypeError, ValueError, AttributeError) as exc:
        return Broken(seq, f"字段无法解析（{type(exc).__name__}），记录在写入后被改动", at, action)
    if recomputed != digest:
        return Broken(seq, "内容与哈希不符，记录在写入后被改动", at, action)
    if prev_hash != prev.decode("ascii", "replace"):
        return Broken(seq, f"前一哈希与第 {seq - 1} 条记录的哈希不符，链在此断开", at, action)
    return None


def _scan(rows: Iterable[tuple[int, str, bytes]]) -> tuple[int, int, str, Broken | None]:
    """Walk the rows; return (count, last seq, last hash, first broken record)."""
    base = hashlib.new("sm3")  # copied per record: skips the algorithm lookup of hashlib.new
    expected, prev, count = 1, GENESIS.encode(), 0
    for seq, digest, body in rows:
        # Kept flat on purpose: this loop is the verify rate. The record's bytes end with its
        # prev_hash (hex, never rewritten), so endswith checks the link without another column.
        h = base.copy()
        h.update(body)
        if seq != expected or not body.endswith(prev) or h.hexdigest() != digest:
            broken = _diagnose(seq, expected, prev, digest)
            if broken is not None:
                return count, expected - 1, prev.decode("ascii", "replace"), broken
        expected = seq + 1
        prev = digest.encode()
        count += 1
    return count, expected - 1, prev.decode("ascii", "replace"), None


@contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL, one read-only repeatable-read transaction: the head and every record come from
    the same snapshot, and iterator() streams through a plain (not WITH HOLD, so not materialised)
    server-side cursor. SQLite takes no transaction (IMMEDIATE would block every append meanwhile);
    the head is read first and records are bounded by it instead."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _rows(upto: int, batch: int, lo: int = 1) -> Rows:
    if connection.vendor == "postgresql":
        return _read_ahead(_fast_rows(upto, batch, lo), batch)
    return _fast_rows(upto, batch, lo)  # SQLite renders rows in this process, under the same GIL


def _in_ranges(upto: int, batch: int, jobs: int) -> tuple[int, str] | None:
    """(last seq, its hash) when every range checked out and they join up; None sends the caller to
    the one-pass check, which names the first broken record."""
    found = segments.verify_ranges(upto, jobs, batch, _range_sql, lambda lo, hi: _rows(hi, batch, lo))
    if found is None:
        return None
    prev = GENESIS
    for seg in found:
        if not seg.joins(prev):
            return None
        prev = seg.last_hash
    return upto, prev


def verify_chain(*, batch: int = DEFAULT_BATCH, exact: bool = False, jobs: int = 1) -> VerifyResult:
    """Check every record: seq continuity, its hash over its contents, its link to the record before,
    and that AuditHead names the last record. exact=True skips the fast rendering (slow; for tests
    and databases other than SQLite and PostgreSQL). jobs > 1 checks ranges of a large chain in that
    many processes (see segments.py): the command line does; the web console and the API check in one
    process, as a request's worker is no place to fork."""
    start = time.perf_counter()
    in_callers_transaction = connection.in_atomic_block
    with _snapshot():
        head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
        upto = head[0] if head else AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        fast = not exact and connection.vendor in _FAST_SQL
        joined = None
        if fast and segments.usable(upto, jobs, in_callers_transaction):
            joined = _in_ranges(upto, batch, jobs)
        if joined is not None:
            (last_seq, last_hash), count, broken = joined, upto, None
        else:
            rows = _rows(upto, batch) if fast else _exact_rows(upto, batch)
            with closing(rows):  # stopping early must still close the cursor
                count, last_seq, last_hash, broken = _scan(rows)
        if broken is None:
            broken = _check_head(head, last_seq, last_hash)
    head_seq, head_hash = head if head else (0, GENESIS)
    return VerifyResult(count, head_seq, head_hash, broken, time.perf_counter() - start)


def _check_head(head: tuple[int, str] | None, last_seq: int, last_hash: str) -> Broken | None:
    if head is None:
        return Broken(last_seq, "链头（AuditHead）缺失") if last_seq else None
    seq, digest = head
    if seq > last_seq:
        return Broken(last_seq + 1, f"记录缺失（链头显示共有 {seq} 条，只找到 {last_seq} 条）")
    if digest != last_hash:
        return Broken(seq, "链头哈希与最后一条记录的哈希不符")
    # Records past the head: a concurrent append if the head has moved since, else tampering.
    if AuditHead.objects.filter(id=1, seq=seq).exists():
        extra = AuditRecord.objects.filter(seq__gt=seq).order_by("seq").values_list("seq", "at", "action").first()
        if extra is not None:
            return Broken(extra[0], f"记录位于链头（第 {seq} 条）之后，不属于审计链", extra[1], extra[2])
    return None


# --- checkpoints ---------------------------------------------------------------------------------


def _extend(frontier: Frontier, upto: int, batch: int = DEFAULT_BATCH) -> str | None:
    """Append records frontier.size+1 .. upto as leaves; return the last record's hash."""
    last = None
    qs = AuditRecord.objects.filter(seq__gt=frontier.size, seq__lte=upto).order_by("seq").values_list("seq", "hash")
    for seq, digest in qs.iterator(chunk_size=batch):
        if seq != frontier.size + 1:
            raise AuditIntegrityError(f"第 {frontier.size + 1} 条记录缺失")
        try:
            leaf = bytes.fromhex(digest)
        except ValueError:
            raise AuditIntegrityError(f"第 {seq} 条记录的哈希不是十六进制") from None
        frontier.append(leaf)
        last = digest
    if frontier.size != upto:
        raise AuditIntegrityError(f"第 {frontier.size + 1} 条记录缺失")
    return last


def _frontier_below(size: int) -> Frontier:
    """The frontier of the latest stored checkpoint below size (an unreadable one is skipped)."""
    for cp in AuditCheckpoint.objects.filter(tree_size__lt=size).order_by("-tree_size").iterator():
        try:
            return Frontier.from_text(cp.tree_size, cp.frontier)
        except ValueError:
            log.warning("审计检查点 %s 的 Merkle 边界无法读取，向前查找", cp.tree_size)
    return Frontier()


def checkpoint_at(size: int, head_hash: str) -> tuple[AuditCheckpoint, bool]:
    """The checkpoint over records 1..size, creating it if needed. The caller holds the AuditHead lock
    (so no record can be appended meanwhile) and head_hash is the hash of record size."""
    existing = AuditCheckpoint.objects.filter(tree_size=size).first()
    if existing is not None:
        return existing, False
    frontier = _frontier_below(size)
    _extend(frontier, size)
    cp = AuditCheckpoint.objects.create(
        tree_size=size,
        root_hash=frontier.root().hex(),
        head_hash=head_hash,
        created_at=timezone.now(),
        frontier=frontier.to_text(),
    )
    return cp, True


def auto_checkpoint(size: int, head_hash: str) -> None:
    """The periodic checkpoint, from chain.append. A log that cannot support one (records missing)
    must not make the audited act fail: that is verify's finding to report, so log it and go on."""
    try:
        with transaction.atomic():
            checkpoint_at(size, head_hash)
    except AuditIntegrityError as exc:
        log.error("审计检查点（树大小 %s）未能生成：%s", size, exc)


def create_checkpoint() -> tuple[AuditCheckpoint | None, bool]:
    """A checkpoint for the current head (None when there are no records); idempotent."""
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        if head is None or head.seq == 0:
            return None, False
        return checkpoint_at(head.seq, head.hash)


def _checkpoint_dict(cp: AuditCheckpoint) -> dict[str, Any]:
    return {
        "tree_size": cp.tree_size,
        "root_hash": cp.root_hash,
        "head_hash": cp.head_hash,
        "created_at": format_at(cp.created_at),
    }


def export_checkpoints() -> str:
    """Every stored checkpoint as a JSON document, to be kept outside the database."""
    doc = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "hash": "SM3",
        "tree": "RFC 9162 Merkle Tree Hash; leaf data = the record's chain hash (32 bytes)",
        "exported_at": format_at(timezone.now()),
        "checkpoints": [_checkpoint_dict(cp) for cp in AuditCheckpoint.objects.order_by("tree_size")],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class CheckpointProblem:
    tree_size: int
    problem: str

    def describe(self) -> str:
        return f"检查点（树大小 {self.tree_size}）：{self.problem}"


@dataclass(frozen=True)
class CheckpointReport:
    checked: int
    problems: list[CheckpointProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _is_hex64(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def parse_checkpoints(data: str | bytes | dict[str, Any] | list[Any]) -> list[dict[str, Any]]:
    """The checkpoint entries of an export (the whole document or just its list), validated."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CheckpointFileError(f"不是有效的 JSON：{exc}") from None
    if isinstance(data, dict):
        if data.get("format") != EXPORT_FORMAT:
            raise CheckpointFileError(f"不是审计检查点导出文件（format 应为 {EXPORT_FORMAT}）")
        data = data.get("checkpoints")
    if not isinstance(data, list):
        raise CheckpointFileError("checkpoints 应为列表")
    out = []
    for i, entry in enumerate(data, 1):
        size = entry.get("tree_size") if isinstance(entry, dict) else None
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise CheckpointFileError(f"第 {i} 个检查点：tree_size 应为正整数")
        for key in ("root_hash", "head_hash"):
            if not _is_hex64(entry.get(key)):
                raise CheckpointFileError(f"第 {i} 个检查点：{key} 应为 64 位小写十六进制")
        out.append(entry)
    return out


def check_checkpoints(data: str | bytes | dict[str, Any] | list[Any] | None = None) -> CheckpointReport:
    """Recompute each checkpoint's tree head from the records as they are now, in one pass.
    data: an export (see export_checkpoints); None checks the checkpoints stored in the database."""
    if data is None:
        entries = [_checkpoint_dict(cp) for cp in AuditCheckpoint.objects.order_by("tree_size")]
    else:
        entries = parse_checkpoints(data)
    problems: list[CheckpointProblem] = []
    frontier = Frontier()
    last_hash: str | None = None
    gap: str | None = None  # once the records run out or skip, every later checkpoint fails alike
    for entry in sorted(entries, key=lambda e: e["tree_size"]):
        size = entry["tree_size"]
        if gap is None and size > frontier.size:
            try:
                last_hash = _extend(frontier, size) or last_hash
            except AuditIntegrityError as exc:
                gap = str(exc)
        if gap is not None:
            problems.append(CheckpointProblem(size, f"无法重算：{gap}"))
        elif frontier.root().hex() != entry["root_hash"]:
            problems.append(CheckpointProblem(size, f"Merkle 根哈希与当前记录不符，前 {size} 条记录有改动"))
        elif last_hash != entry["head_hash"]:
            problems.append(CheckpointProblem(size, f"第 {size} 条记录的哈希与检查点不符"))
    return CheckpointReport(len(entries), problems)
