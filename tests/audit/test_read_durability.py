"""A read's audit record, appended in a transaction of its own, commits without waiting for the WAL flush on
PostgreSQL; every other append waits for it. SQLite has no per-transaction setting (WAL, synchronous=NORMAL)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongcuo.audit.chain import Actor, append
from rongcuo.audit.verify import verify_chain

pytestmark = pytest.mark.django_db(transaction=True)


def _relaxing(ctx: CaptureQueriesContext) -> int:
    return sum("synchronous_commit" in q["sql"] for q in ctx.captured_queries)


def test_only_a_standalone_read_record_skips_the_flush(audit_tx) -> None:
    actor = Actor(user_id=None, username="reader", role="handler", ip="127.0.0.1")
    with CaptureQueriesContext(connection) as read:
        append(actor, "case.read", "case", "RC-1", flush=False)
    with CaptureQueriesContext(connection) as write:
        append(actor, "case.update", "case", "RC-1")
    assert _relaxing(read) == (1 if connection.vendor == "postgresql" else 0)
    assert _relaxing(write) == 0
    r = verify_chain()
    assert r.ok and r.count == 2
