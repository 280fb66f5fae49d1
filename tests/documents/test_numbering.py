"""发文字号: format, one series per body, series and year, no gaps and no reuse — also when documents are
issued at the same moment from two threads with their own database connections (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from rongcuo.accounts.models import User
from rongcuo.audit.chain import GENESIS, Actor
from rongcuo.audit.models import AuditHead
from rongcuo.audit.verify import verify_chain
from rongcuo.cases import actions as cases
from rongcuo.cases.models import Case
from rongcuo.core.errors import Invalid
from rongcuo.documents import actions, numbering, render
from rongcuo.documents.models import Document, DocumentNumberCounter, IssuingBody
from rongcuo.org.models import Jurisdiction
from rongcuo.org.seed import seed_jurisdictions
from tests.cases.conftest import World

from .checks import NUMBER_RE

append_only = importlib.import_module("rongcuo.audit.migrations.0003_append_only")
ROUNDS = 4


def test_format() -> None:
    assert numbering.format_number("苏纪", "发", 2025, 7) == "苏纪发〔2025〕7号"
    assert NUMBER_RE.match("苏纪发〔2025〕7号") and numbering.NUMBER_RE.match("苏纪函〔2025〕12号")
    for bad in ("苏纪发〔2025〕07号", "苏纪发〔2025〕第7号", "苏纪发[2025]7号", "苏纪发（2025）7号"):
        assert not NUMBER_RE.match(bad), bad


def unit_case(w: World, n: int) -> Case:
    case = cases.submit_application(
        w.unit_contact,
        {
            "unit_id": w.unit.pk,
            "title": f"并发发文测试 {n}",
            "summary": "单位申请",
            "statement": "申请容错",
            "self_check": "已对照免责清单自查",
        },
    )
    return cases.transition(w.handler, case.pk, "accept", {})


def make_body(w: World) -> IssuingBody:
    return actions.set_issuing_body(
        Actor.system("test"),
        w.unit.jurisdiction_id,
        name="中共江苏省纪律检查委员会",
        mark="中共江苏省纪律检查委员会文件",
        code="苏纪",
    )


@pytest.mark.django_db
def test_a_failed_issue_gives_its_number_back(world, monkeypatch) -> None:
    make_body(world)
    case = unit_case(world, 0)
    real = render.build

    def broken(*args: Any, **kw: Any) -> bytes:
        raise Invalid("排版失败")

    monkeypatch.setattr(render, "build", broken)
    with pytest.raises(Invalid):
        actions.issue_document(world.handler, case.pk, "acceptance")
    monkeypatch.setattr(render, "build", real)
    first = actions.issue_document(world.handler, case.pk, "acceptance")
    second = actions.issue_document(world.handler, case.pk, "acceptance")
    year = first.year
    assert (first.number, second.number) == (f"苏纪发〔{year}〕1号", f"苏纪发〔{year}〕2号")
    assert DocumentNumberCounter.objects.get(series="发").last == 2


@pytest.mark.django_db
def test_series_and_bodies_are_separate(world) -> None:
    body = make_body(world)
    case = unit_case(world, 0)
    a = actions.issue_document(world.handler, case.pk, "acceptance")
    other = actions.set_issuing_body(
        Actor.system("test"),
        "530524",
        name="中共昌宁县纪律检查委员会",
        mark="中共昌宁县纪律检查委员会文件",
        code="昌纪",
    )
    assert numbering.issuing_body(world.other_unit.jurisdiction) == other
    assert numbering.issuing_body(world.unit.jurisdiction) == body
    assert a.body == body and a.seq == 1 and a.series == "发"
    with pytest.raises(Invalid) as exc:
        actions.set_issuing_body(Actor.system("test"), "320000", name="x", mark="x", code="苏纪〔")
    assert exc.value.field == "code"


@pytest.mark.django_db
def test_missing_issuing_body_is_named(world) -> None:
    case = unit_case(world, 0)
    with pytest.raises(Invalid) as exc:
        actions.issue_document(world.handler, case.pk, "acceptance")
    assert "尚未设置" in exc.value.message and exc.value.field == "body_id"
    assert not Document.objects.exists()


# --- two threads at once ------------------------------------------------------------------------------------


@pytest.fixture
def migrated_rows(transactional_db: None) -> Iterator[None]:
    """Rows the migrations seed, put back after the previous transactional test's flush (see
    tests/concurrency/test_conflicts.py), and the audit triggers lifted for the closing flush."""
    seed_jurisdictions(Jurisdiction)
    AuditHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
    append_only.install(connection)
    yield
    append_only.remove(connection)


def race(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a thread is still waiting for the database"
    return results


def issue_as(username: str, case_id: int, kind: str) -> Callable[[], Document]:
    return lambda: actions.issue_document(User.objects.get(username=username), case_id, kind)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_issues_get_consecutive_numbers(migrated_rows, world) -> None:
    make_body(world)
    pairs = [(unit_case(world, 2 * i), unit_case(world, 2 * i + 1)) for i in range(ROUNDS)]
    got: list[Document] = []
    for a, b in pairs:
        results = race(issue_as("handler", a.pk, "acceptance"), issue_as("handler", b.pk, "acceptance"))
        for r in results:
            assert isinstance(r, Document), r
        got.extend(results)
    numbers = sorted(d.seq for d in got)
    assert numbers == list(range(1, 2 * ROUNDS + 1))  # no gap, no reuse
    rows = list(Document.objects.order_by("seq").values_list("number", flat=True))
    year = got[0].year
    assert rows == [f"苏纪发〔{year}〕{i}号" for i in range(1, 2 * ROUNDS + 1)]
    assert all(re.match(NUMBER_RE, n) for n in rows)
    assert DocumentNumberCounter.objects.get().last == 2 * ROUNDS
    assert verify_chain().ok
