"""Appends from several threads, each with its own database connection and transactions."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection
from pytest_django.fixtures import Settings

from rongcuo.audit.chain import Actor, append
from rongcuo.audit.models import AuditCheckpoint, AuditRecord
from rongcuo.audit.verify import check_checkpoints, verify_chain

pytestmark = pytest.mark.django_db(transaction=True)

THREADS, EACH = 6, 15


def test_concurrent_appends_leave_one_unbroken_chain(audit_tx: None, settings: Settings) -> None:
    settings.RONGCUO_AUDIT_CHECKPOINT_EVERY = 10  # checkpoints are made under the same lock
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(EACH):
                append(Actor(n, f"user{n}", "r", ""), "concurrent.append", "t", f"{n}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a thread is still waiting for the database"
    assert not errors, errors

    total = THREADS * EACH
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    # Every thread's every append is there once, and the threads did interleave or queue cleanly.
    ids = sorted(AuditRecord.objects.values_list("object_id", flat=True))
    assert ids == sorted(f"{n}-{i}" for n in range(THREADS) for i in range(EACH))
    r = verify_chain()
    assert r.ok and r.count == total, r.broken
    assert list(AuditCheckpoint.objects.values_list("tree_size", flat=True)) == list(range(10, total + 1, 10))
    assert check_checkpoints().ok


def test_triggers_refuse_changes_in_a_committed_table(audit_tx: None) -> None:
    """Outside a test transaction too: autocommit, as the application runs."""
    append(Actor.system(), "x")
    for statement in (
        f"UPDATE {AuditRecord._meta.db_table} SET action = 'y'",
        f"DELETE FROM {AuditRecord._meta.db_table}",
    ):
        with pytest.raises(IntegrityError), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditRecord.objects.get(seq=1).action == "x"
