"""Merkle checkpoints: made periodically by append and on demand, exported, and checked later."""

from __future__ import annotations

import json

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from rongcuo.audit.merkle import tree_hash
from rongcuo.audit.models import AuditCheckpoint, AuditRecord
from rongcuo.audit.verify import (
    AuditIntegrityError,
    CheckpointFileError,
    check_checkpoints,
    create_checkpoint,
    export_checkpoints,
    parse_checkpoints,
)

from .conftest import make_records, sql
from .test_merkle import naive_mth

pytestmark = pytest.mark.django_db

TABLE = AuditRecord._meta.db_table


def leaves(upto: int) -> list[bytes]:
    return [bytes.fromhex(h) for h in AuditRecord.objects.filter(seq__lte=upto).values_list("hash", flat=True)]


@pytest.fixture
def every_5(settings: SettingsWrapper) -> None:
    settings.RONGCUO_AUDIT_CHECKPOINT_EVERY = 5


def test_append_makes_a_checkpoint_every_n_records(every_5: None) -> None:
    make_records(4)
    assert not AuditCheckpoint.objects.exists()
    make_records(13, start=4)
    cps = list(AuditCheckpoint.objects.all())
    assert [c.tree_size for c in cps] == [5, 10, 15]
    for c in cps:
        assert c.root_hash == naive_mth(leaves(c.tree_size)).hex()
        assert c.head_hash == AuditRecord.objects.get(seq=c.tree_size).hash


def test_no_periodic_checkpoints_when_disabled(settings: SettingsWrapper) -> None:
    settings.RONGCUO_AUDIT_CHECKPOINT_EVERY = 0
    make_records(12)
    assert not AuditCheckpoint.objects.exists()


def test_create_checkpoint_is_idempotent(every_5: None) -> None:
    assert create_checkpoint() == (None, False)
    make_records(7)
    cp, created = create_checkpoint()
    assert created and cp is not None and cp.tree_size == 7
    assert create_checkpoint() == (cp, False)
    assert AuditCheckpoint.objects.filter(tree_size=7).count() == 1
    assert cp.root_hash == tree_hash(leaves(7)).hex()


def test_next_checkpoint_continues_from_the_last(no_triggers: None) -> None:
    """Only the records after the last checkpoint are read: with records 1..7 gone, the checkpoint at
    11 still comes out right."""
    make_records(7)
    create_checkpoint()
    first = leaves(7)
    make_records(4, start=7)
    sql(f"DELETE FROM {TABLE} WHERE seq <= 7")
    cp, created = create_checkpoint()
    assert created and cp is not None and cp.root_hash == naive_mth(first + leaves(11)).hex()


def test_unreadable_frontier_is_skipped(every_5: None) -> None:
    make_records(5)
    AuditCheckpoint.objects.filter(tree_size=5).update(frontier="zz")
    make_records(3, start=5)
    cp, _ = create_checkpoint()
    assert cp is not None and cp.root_hash == naive_mth(leaves(8)).hex()


def test_export_then_check(every_5: None) -> None:
    make_records(12)
    create_checkpoint()
    doc = json.loads(export_checkpoints())
    assert doc["format"] == "rongcuo-audit-checkpoints" and doc["hash"] == "SM3"
    assert [c["tree_size"] for c in doc["checkpoints"]] == [5, 10, 12]
    assert set(doc["checkpoints"][0]) == {"tree_size", "root_hash", "head_hash", "created_at"}
    report = check_checkpoints(json.dumps(doc))
    assert report.ok and report.checked == 3
    assert check_checkpoints(doc["checkpoints"]).ok  # the bare list is accepted too
    assert check_checkpoints().ok  # the stored ones


def test_check_fails_after_the_records_are_rewritten(every_5: None, no_triggers: None) -> None:
    make_records(12)
    create_checkpoint()
    exported = export_checkpoints()
    # A DBA rewrites record 7 and its hash (the chain alone cannot show a consistently rewritten tail).
    sql(f"UPDATE {TABLE} SET hash = %s WHERE seq = 7", ["ab" * 32])
    report = check_checkpoints(exported)
    assert not report.ok
    assert [p.tree_size for p in report.problems] == [10, 12]
    assert "Merkle 根哈希" in report.problems[0].describe()


def test_check_fails_after_records_are_deleted(every_5: None, no_triggers: None) -> None:
    make_records(10)
    exported = export_checkpoints()
    sql(f"DELETE FROM {TABLE} WHERE seq > 8")
    report = check_checkpoints(exported)
    assert [(p.tree_size, "第 9 条记录缺失" in p.problem) for p in report.problems] == [(10, True)]


def test_check_names_a_forged_head_hash(every_5: None) -> None:
    make_records(5)
    doc = json.loads(export_checkpoints())
    doc["checkpoints"][0]["head_hash"] = "0" * 64
    report = check_checkpoints(doc)
    assert [p.tree_size for p in report.problems] == [5] and "哈希与检查点不符" in report.problems[0].problem


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        '{"format": "something-else", "checkpoints": []}',
        '{"format": "rongcuo-audit-checkpoints", "checkpoints": {}}',
        '[{"tree_size": 0, "root_hash": "' + "0" * 64 + '", "head_hash": "' + "0" * 64 + '"}]',
        '[{"tree_size": true, "root_hash": "' + "0" * 64 + '", "head_hash": "' + "0" * 64 + '"}]',
        '[{"tree_size": 3, "root_hash": "XYZ", "head_hash": "' + "0" * 64 + '"}]',
        "[1]",
    ],
)
def test_malformed_export_is_refused(data: str) -> None:
    with pytest.raises(CheckpointFileError):
        parse_checkpoints(data)


def test_periodic_checkpoint_over_a_gap_is_logged_not_fatal(
    every_5: None, no_triggers: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The audited act must not fail because the log was tampered with; verify reports the gap."""
    make_records(3)
    sql(f"DELETE FROM {TABLE} WHERE seq = 2")
    make_records(2, start=3)  # seq 5: the periodic checkpoint cannot be made
    assert AuditRecord.objects.filter(seq=5).exists()
    assert not AuditCheckpoint.objects.exists()
    assert "第 2 条记录缺失" in caplog.text
    with pytest.raises(AuditIntegrityError):
        create_checkpoint()
