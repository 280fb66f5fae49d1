"""The hash chain: append and verify, the append-only triggers, and tampering by someone who can
drop them (a DBA)."""

from __future__ import annotations

import datetime as dt
import itertools
import types

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from rongcuo.audit import chain
from rongcuo.audit.chain import GENESIS, Actor, append, format_at, record_bytes, sm3
from rongcuo.audit.models import AuditHead, AuditRecord
from rongcuo.audit.verify import _exact_rows, _fast_rows, verify_chain

from .conftest import make_records, sql

pytestmark = pytest.mark.django_db

TABLE = AuditRecord._meta.db_table


@pytest.mark.parametrize("exact", [False, True])
def test_append_then_verify(exact: bool) -> None:
    recs = make_records(25)
    r = verify_chain(batch=7, exact=exact)  # several batches
    assert r.ok, r.broken
    assert (r.count, r.head_seq, r.head_hash) == (25, 25, recs[-1].hash)
    assert [x.seq for x in recs] == list(range(1, 26))
    assert recs[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(recs))


def test_empty_log_verifies() -> None:
    r = verify_chain()
    assert r.ok and r.count == 0 and r.head_hash == GENESIS


def test_stored_hash_is_sm3_of_record_bytes() -> None:
    rec = make_records(1)[0]
    rec.refresh_from_db()
    data = record_bytes(
        rec.seq, format_at(rec.at), rec.kind, rec.user_id, rec.username, rec.role, rec.ip, rec.action,
        rec.object_type, rec.object_id, rec.success, rec.detail, rec.prev_hash,
    )  # fmt: skip
    assert rec.hash == sm3(data)


def frozen_clock(when: dt.datetime) -> types.SimpleNamespace:
    fake = type("FakeDateTime", (dt.datetime,), {"now": classmethod(lambda cls, tz=None: when)})
    return types.SimpleNamespace(datetime=fake, UTC=dt.UTC)


def test_awkward_values_verify_by_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values the database's fast rendering cannot reproduce (a separator inside a field, a timestamp
    with no microseconds) must fall back to the exact check, not be reported broken."""
    append(Actor(None, "sep\x1fin name", "", ""), "a\x1fb", "t", "x\x1fy", success=False, detail={"k": "\x1f"})
    monkeypatch.setattr(chain, "dt", frozen_clock(dt.datetime(2026, 3, 1, 8, 0, 0, tzinfo=dt.UTC)))
    append(Actor(2**62, "整秒", "r", "::1"), "whole.second", detail={"emoji": "✓😀", "nested": {"b": [1, None]}})
    monkeypatch.undo()
    append(Actor(0, "", "", ""), "empty.fields", "", "")
    fast, exact_rows = list(_fast_rows(3, 10)), list(_exact_rows(3, 10))
    assert bytes(fast[0][2]) != exact_rows[0][2]  # so the exact check did run, and agreed
    assert bytes(fast[2][2]) == exact_rows[2][2]
    for exact in (False, True):
        r = verify_chain(exact=exact)
        assert r.ok and r.count == 3, (exact, r.broken)


def test_fast_rendering_is_record_bytes_for_ordinary_records() -> None:
    make_records(12)
    append(Actor(None, "o'neil; --", "r", "2001:db8::1"), "x", detail={"quote": "\"'\\", "zh": "纠错"})
    fast = list(_fast_rows(10**9, 5))
    exact = list(_exact_rows(10**9, 5))
    assert [(s, h, bytes(b)) for s, h, b in fast] == exact


def test_update_and_delete_refused_by_the_database() -> None:
    make_records(3)
    for statement in (
        f"UPDATE {TABLE} SET detail = '{{}}' WHERE seq = 2",
        f"UPDATE {TABLE} SET success = NOT success",
        f"DELETE FROM {TABLE} WHERE seq = 3",
        f"DELETE FROM {TABLE}",
    ):
        with pytest.raises(IntegrityError, match="审计记录只能追加"), transaction.atomic():
            sql(statement)
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="审计记录只能追加"), transaction.atomic():
            sql(f"TRUNCATE {TABLE}")
    # Through the ORM too.
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.filter(seq=1).update(action="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.filter(seq=1).delete()
    assert AuditRecord.objects.count() == 3
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("column", "value"),
    [("detail", '{"i":4,"说明":"改过了"}'), ("action", "case.delete"), ("username", "李四"), ("success", False)],
)
def test_changed_field_names_that_record(no_triggers: None, column: str, value: object) -> None:
    make_records(10)
    sql(f"UPDATE {TABLE} SET {column} = %s WHERE seq = 5", [value])
    r = verify_chain()
    assert not r.ok and r.count == 4
    assert r.broken is not None
    assert r.broken.seq == 5 and "内容与哈希不符" in r.broken.problem
    assert r.broken.action == AuditRecord.objects.get(seq=5).action
    assert r.broken.at is not None
    assert verify_chain(exact=True).broken == r.broken


def test_changed_time_names_that_record(no_triggers: None) -> None:
    make_records(6)
    AuditRecord.objects.filter(seq=3).update(at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    broken = verify_chain().broken
    assert broken is not None and broken.seq == 3


def test_deleted_middle_record_is_named(no_triggers: None) -> None:
    make_records(10)
    sql(f"DELETE FROM {TABLE} WHERE seq = 6")
    r = verify_chain()
    assert r.broken is not None
    assert (r.broken.seq, r.count) == (6, 5) and "缺失" in r.broken.problem
    assert r.broken.describe().startswith("第 6 条记录")


def test_rehashed_record_breaks_the_link_to_the_next(no_triggers: None) -> None:
    """An attacker who recomputes the changed record's hash moves the break to the next record."""
    recs = make_records(8)
    r4 = recs[3]
    data = record_bytes(4, format_at(r4.at), r4.kind, r4.user_id, r4.username, r4.role, r4.ip,
                        "case.nothing", r4.object_type, r4.object_id, r4.success, r4.detail, r4.prev_hash)  # fmt: skip
    sql(f"UPDATE {TABLE} SET action = %s, hash = %s WHERE seq = 4", ["case.nothing", sm3(data)])
    broken = verify_chain().broken
    assert broken is not None and broken.seq == 5 and "链在此断开" in broken.problem


def test_deleted_tail_is_caught_by_the_head(no_triggers: None) -> None:
    make_records(5)
    sql(f"DELETE FROM {TABLE} WHERE seq >= 4")
    broken = verify_chain().broken
    assert broken is not None and broken.seq == 4 and "链头显示共有 5 条" in broken.problem


def test_head_must_name_the_last_record() -> None:
    make_records(4)
    AuditHead.objects.filter(id=1).update(hash="f" * 64)
    broken = verify_chain().broken
    assert broken is not None and broken.seq == 4 and "链头哈希" in broken.problem
    AuditHead.objects.filter(id=1).update(seq=3, hash=AuditRecord.objects.get(seq=3).hash)
    broken = verify_chain().broken
    assert broken is not None and broken.seq == 4 and "链头" in broken.problem


def test_appending_after_verify_keeps_verifying() -> None:
    make_records(3)
    assert verify_chain().ok
    make_records(3, start=3)
    r = verify_chain()
    assert r.ok and r.count == 6


def test_missing_head_row_is_named() -> None:
    make_records(3)
    AuditHead.objects.all().delete()
    broken = verify_chain().broken
    assert broken is not None and broken.seq == 3 and "链头" in broken.problem


def test_read_records_chain_like_any_other_and_never_relax_a_callers_transaction() -> None:
    actor = Actor(user_id=None, username="reader", role="handler", ip="127.0.0.1")
    # Inside the test's transaction every append joins it: nothing is relaxed (test_read_durability.py
    # covers an append in a transaction of its own).
    with CaptureQueriesContext(connection) as ctx:
        append(actor, "case.read", "case", "RC-1", flush=False)
    assert not any("synchronous_commit" in q["sql"] for q in ctx.captured_queries)
    append(actor, "case.update", "case", "RC-1")
    with transaction.atomic():
        append(actor, "case.read", "case", "RC-2", flush=False)  # joins the caller's transaction
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SHOW synchronous_commit")
                assert cur.fetchone()[0] == "on"  # the caller's writes still wait for the flush
    r = verify_chain()
    assert r.ok and r.count == 3
    assert list(AuditRecord.objects.order_by("seq").values_list("object_id", flat=True)) == ["RC-1", "RC-1", "RC-2"]
