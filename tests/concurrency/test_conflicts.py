"""Two acts on one case at the same moment, in real threads with their own database connections:
conflicting transitions — exactly one wins, the other gets a clear conflict, nothing is lost;
concurrent fact settings — both land, one after the other."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from rongcuo.accounts.models import User
from rongcuo.audit.chain import GENESIS
from rongcuo.audit.models import AuditHead, AuditRecord
from rongcuo.audit.verify import verify_chain
from rongcuo.cases import actions
from rongcuo.cases.models import Case
from rongcuo.core.errors import Conflict
from rongcuo.org.models import Jurisdiction
from rongcuo.org.seed import seed_jurisdictions
from tests.cases.conftest import World, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5
append_only = importlib.import_module("rongcuo.audit.migrations.0003_append_only")


@pytest.fixture(autouse=True)
def migrated_rows(transactional_db: None) -> Iterator[None]:
    """A transactional test starts from whatever the last one's flush left (every table empty) and ends
    with a flush itself: put back the rows the migrations seed (jurisdictions, the audit head) and the
    audit table's append-only triggers, and lift the triggers again for the closing flush."""
    seed_jurisdictions(Jurisdiction)
    AuditHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
    append_only.install(connection)
    yield
    append_only.remove(connection)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result is a return value or the exception raised."""
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


def as_user(username: str, act: Callable[[User], Any]) -> Callable[[], Any]:
    # Each thread loads its own user object: grants are cached on it.
    return lambda: act(User.objects.get(username=username))


def unit_case(w: World, n: int) -> Case:
    return actions.submit_application(
        w.unit_contact,
        {
            "unit_id": w.unit.pk,
            "title": f"并发受理测试 {n}",
            "summary": "单位申请",
            "statement": "申请容错",
            "self_check": "已对照免责清单自查",
        },
    )


def assert_chain_ok() -> None:
    result = verify_chain(exact=True)
    assert result.ok, result.broken.describe() if result.broken else ""


def test_conflicting_transitions_one_wins(world: World) -> None:  # noqa: F811
    w = world
    for n in range(ROUNDS):
        case = unit_case(w, n)
        assert case.stage == "acceptance"
        before = case.version
        results = race(
            as_user("handler", lambda u, pk=case.pk: actions.transition(u, pk, "accept", {"note": "受理"})),
            as_user("handler", lambda u, pk=case.pk: actions.transition(u, pk, "refuse", {"reason": "不属于受理范围"})),
        )
        won = [i for i, r in enumerate(results) if isinstance(r, Case)]
        lost = [r for r in results if not isinstance(r, Case)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], Conflict), repr(lost[0])
        assert "不能执行" in lost[0].message or "已被他人修改" in lost[0].message
        winner, loser = ("accept", "refuse") if won == [0] else ("refuse", "accept")

        case.refresh_from_db()
        assert case.version == before + 1
        assert case.stage == ("investigation" if winner == "accept" else "closed")
        verbs = list(case.events.filter(verb__in=["accept", "refuse"]).values_list("verb", flat=True))
        assert verbs == [winner]
        # The refused attempt is not lost either: the security audit records it as a failure.
        refused = AuditRecord.objects.filter(action=f"case.{loser}", object_id=str(case.pk), success=False)
        assert refused.count() == 1
        assert AuditRecord.objects.filter(action=f"case.{winner}", object_id=case.number, success=True).count() == 1
    assert_chain_ok()


def test_concurrent_fact_settings_both_land(world: World) -> None:  # noqa: F811
    w = world
    case = unit_case(w, 0)
    case = actions.transition(w.handler, case.pk, "accept", {"note": "受理"})
    for n in range(ROUNDS):
        before = Case.objects.get(pk=case.pk).version
        events_before = case.events.filter(verb="set_fact").count()
        results = race(
            *(
                as_user(
                    "investigator",
                    lambda u, v=value, note=f"第{n}轮": actions.set_fact(
                        u, case.pk, {"fact": "private_gain", "value": v, "comment": note}
                    ),
                )
                for value in (True, False)
            )
        )
        assert not [r for r in results if isinstance(r, BaseException)], results
        case.refresh_from_db()
        assert case.version == before + 2
        events = list(case.events.filter(verb="set_fact").order_by("id"))[events_before:]
        assert len(events) == 2
        first, last = events
        # Serial, not interleaved: the second saw what the first wrote, and the last one written wins.
        assert last.data["from"] == first.data["to"]
        assert {first.data["to"], last.data["to"]} == {True, False}
        assert case.facts.get(fact="private_gain").value is last.data["to"]
    assert_chain_ok()
