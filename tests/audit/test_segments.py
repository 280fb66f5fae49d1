"""Verifying the chain in ranges, in forked processes: the same verdict as one pass, intact or damaged."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection

from rongcuo.audit import segments
from rongcuo.audit.models import AuditRecord
from rongcuo.audit.verify import verify_chain
from rongcuo.cli import main as cli

from .conftest import make_records, sql, triggers

TABLE = AuditRecord._meta.db_table


def sm3(b: bytes) -> str:
    return hashlib.new("sm3", b).hexdigest()


def chain(n: int) -> list[tuple[int, str, bytes]]:
    """n linked rows (seq, hash, bytes ending with the previous hash), as the database renders them."""
    prev, out = "0" * 64, []
    for seq in range(1, n + 1):
        body = f"{seq}\x1frecord\x1f{prev}".encode()
        prev = sm3(body)
        out.append((seq, prev, body))
    return out


@pytest.mark.parametrize(("upto", "jobs"), [(10, 2), (10, 3), (7, 7), (100_000, 4), (5, 8)])
def test_ranges_cover_the_chain_once(upto: int, jobs: int) -> None:
    parts = segments.ranges(upto, jobs)
    covered = [s for lo, hi in parts for s in range(lo, hi + 1)]
    assert covered == list(range(1, upto + 1))
    assert len(parts) == min(jobs, upto)
    assert max(hi - lo for lo, hi in parts) - min(hi - lo for lo, hi in parts) <= 1


def test_intact_ranges_join() -> None:
    rows = chain(12)
    a, b = segments.scan_segment(rows[:5], 1, 5), segments.scan_segment(rows[5:], 6, 12)
    assert a.joins("0" * 64) and b.joins(a.last_hash)
    assert (a.count, b.count, b.last_hash) == (5, 7, rows[-1][1])
    assert not b.joins("f" * 64)  # a seam that does not meet


@pytest.mark.parametrize(
    "damage",
    ["changed bytes", "broken link", "gap", "short"],
)
def test_damaged_range_is_suspect(damage: str) -> None:
    rows = chain(10)
    seg_rows = rows[4:]
    if damage == "changed bytes":
        seq, digest, body = seg_rows[2]
        seg_rows[2] = (seq, digest, body.replace(b"record", b"forged"))
    elif damage == "broken link":
        seq, _, body = seg_rows[3]
        forged = body[:-64] + b"e" * 64
        seg_rows[3] = (seq, sm3(forged), forged)
    elif damage == "gap":
        del seg_rows[2]
    else:
        del seg_rows[-1]
    seg = segments.scan_segment(seg_rows, 5, 10)
    assert seg.suspect and not seg.joins(rows[3][1])


# --- the whole path, with forked workers reading committed records --------------------------------


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Split from 20 records on, and keep what the ranges found."""
    monkeypatch.setattr(segments, "MIN_RECORDS", 20)
    found: list[Any] = []
    real = segments.verify_ranges

    def spy(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        found.append(out)
        return out

    monkeypatch.setattr(segments, "verify_ranges", spy)
    return found


@pytest.mark.django_db(transaction=True)
def test_ranges_in_processes_verify_an_intact_chain(audit_tx: None, small_ranges: list[Any]) -> None:
    recs = make_records(45)
    r = verify_chain(jobs=3)
    assert r.ok, r.broken
    assert (r.count, r.head_seq, r.head_hash) == (45, 45, recs[-1].hash)
    assert len(small_ranges) == 1 and small_ranges[0] is not None  # the ranges ran and joined
    assert [(s.lo, s.hi, s.count) for s in small_ranges[0]] == [(1, 15, 15), (16, 30, 15), (31, 45, 15)]
    one = verify_chain(jobs=1)
    assert (one.ok, one.count, one.head_hash) == (True, 45, r.head_hash)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", [3, 24, 45])
def test_a_change_in_any_range_names_the_record_as_one_pass_does(
    audit_tx: None, small_ranges: list[Any], where: int
) -> None:
    make_records(45)
    triggers.remove(connection)
    sql(f"UPDATE {TABLE} SET action = %s WHERE seq = %s", ["case.nothing", where])
    r = verify_chain(jobs=3)
    assert not r.ok and r.broken is not None
    assert (r.broken.seq, r.count) == (where, where - 1)
    assert "内容与哈希不符" in r.broken.problem
    assert r.broken == verify_chain(jobs=1).broken
    assert small_ranges and small_ranges[0] is not None  # the ranges ran; the one pass named the record


@pytest.mark.django_db(transaction=True)
def test_a_deleted_record_at_a_seam_is_named(audit_tx: None, small_ranges: list[Any]) -> None:
    make_records(45)
    triggers.remove(connection)
    sql(f"DELETE FROM {TABLE} WHERE seq = 16")  # the first record of the second range
    r = verify_chain(jobs=3)
    assert r.broken is not None and (r.broken.seq, r.count) == (16, 15) and "缺失" in r.broken.problem


@pytest.mark.django_db
def test_inside_a_callers_transaction_one_pass(small_ranges: list[Any]) -> None:
    """Records this transaction has not committed are invisible to other connections: no ranges."""
    make_records(30)
    assert verify_chain(jobs=3).ok
    assert small_ranges == []


@pytest.mark.django_db(transaction=True)
def test_the_command_takes_jobs(audit_tx: None, small_ranges: list[Any]) -> None:
    recs = make_records(30)
    out = CliRunner().invoke(cli, ["audit", "verify", "--jobs", "2"])
    assert out.exit_code == 0, out.output
    assert "共 30 条记录" in out.output and recs[-1].hash in out.output
    assert small_ranges and small_ranges[0] is not None
    bad = CliRunner().invoke(cli, ["audit", "verify", "--jobs", "0"])
    assert bad.exit_code == 2 and "--jobs" in bad.output
