"""Fixtures for the audit tests: records, a DBA who drops the append-only triggers, and transactional
tests that leave the audit table as the migrations made it."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.db import connection

from rongcuo.audit.chain import GENESIS, Actor, append
from rongcuo.audit.models import AuditHead, AuditRecord
from tests.cases.conftest import world  # noqa: F401  (tests/audit/test_search_redaction.py)

triggers = importlib.import_module("rongcuo.audit.migrations.0003_append_only")

ACTORS = [
    Actor(7, "张三", "case_handler", "10.0.0.7"),
    Actor(None, "anonymous", "", "203.0.113.9"),
    Actor.system("deadline-sweeper"),
]


def make_records(n: int, start: int = 0) -> list[AuditRecord]:
    """n records with varied actors, outcomes and details."""
    out = []
    for i in range(start, start + n):
        actor = ACTORS[i % len(ACTORS)]
        detail = {"i": i, "说明": "查看案件材料", "fields": ["name", "phone"][: i % 3]}
        out.append(
            append(
                actor,
                f"case.{['read', 'update', 'export'][i % 3]}",
                "case",
                1000 + i,
                success=i % 4 != 3,
                detail=detail,
            )
        )
    return out


def sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def no_triggers() -> None:
    """Act as a DBA: drop the append-only triggers. Inside a test's transaction, so they come back."""
    triggers.remove(connection)


@pytest.fixture
def audit_tx(transactional_db: None) -> Iterator[None]:
    """For transaction=True tests. The flush after a transactional test empties every table, the
    AuditHead row that migration 0002 made included: put it back. At teardown drop the triggers, which
    would refuse that flush; the next user of this fixture installs them again."""
    AuditHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
    triggers.install(connection)
    yield
    triggers.remove(connection)
