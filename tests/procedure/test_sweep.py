"""The deadline sweeper: overdue marks, reminders once, Case.overdue in step, constant query count, CLI."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit.models import AuditRecord
from rongcuo.cases.models import Case, PreFiling
from rongcuo.cli import main
from rongcuo.org.models import Jurisdiction, Unit
from rongcuo.procedure.models import Deadline, Reminder
from rongcuo.procedure.sweep import sweep

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2025, 3, 5)  # a Wednesday; the next two working days are Thu 6 and Fri 7 March
_numbers = itertools.count(1)


@pytest.fixture
def unit() -> Unit:
    jurisdiction, _ = Jurisdiction.objects.get_or_create(
        code="320000", defaults={"name": "江苏省", "level": "province", "path": "000000/320000/"}
    )
    return Unit.objects.create(jurisdiction=jurisdiction, name="测试局", path="/测试局/")


@pytest.fixture
def user() -> User:
    return User.objects.create(username="clerk")


@pytest.fixture
def make_case(unit: Unit, user: User) -> Callable[..., Case]:
    def make(**kw: object) -> Case:
        n = next(_numbers)
        fields = {
            "number": f"RC-320000-2025-{n:05d}",
            "jurisdiction": unit.jurisdiction,
            "start_type": "individual",
            "subject_type": "unit",
            "unit": unit,
            "title": f"测试案件{n}",
            "summary": "—",
            "stage": "acceptance",
            "created_by": user,
        }
        return Case.objects.create(**(fields | kw))

    return make


def deadline(due_on: dt.date, case: Case | None = None, **kw: object) -> Deadline:
    fields = {
        "case": case,
        "stage": "acceptance",
        "label": "受理审查",
        "started_on": due_on - dt.timedelta(days=14),
        "due_on": due_on,
        "within": 10,
        "unit": "working_days",
        "basis": "系统默认值",
    }
    return Deadline.objects.create(**(fields | kw))


def sweep_records() -> int:
    return AuditRecord.objects.filter(action="deadlines.sweep").count()


def test_overdue_marked_and_reminded_once(make_case: Callable[..., Case]) -> None:
    late_case, soon_case, later_case = make_case(), make_case(), make_case()
    late = deadline(D(2025, 3, 4), late_case)
    soon = deadline(D(2025, 3, 7), soon_case)  # the second working day after today
    later = deadline(D(2025, 3, 10), later_case)  # the third: not yet "soon"
    done = deadline(D(2025, 2, 1), later_case, completed_at=timezone.now())

    r = sweep(TODAY)
    assert (r.newly_overdue, r.overdue_reminders, r.due_soon_reminders) == (1, 1, 1)
    assert (r.cases_flagged, r.cases_unflagged) == (1, 0)
    assert r.reminders_created == 2
    for d, overdue in ((late, True), (soon, False), (later, False), (done, False)):
        d.refresh_from_db()
        assert d.overdue is overdue, d.due_on
    assert list(Reminder.objects.filter(deadline=late).values_list("kind", "message")) == [
        ("overdue", f"案件 {late_case.number} 受理审查 期限 2025年3月4日，已逾期")
    ]
    assert list(Reminder.objects.filter(deadline=soon).values_list("kind", "message")) == [
        ("due_soon", f"案件 {soon_case.number} 受理审查 期限 2025年3月7日，即将到期")
    ]
    assert not Reminder.objects.filter(deadline__in=[later, done]).exists()
    assert list(Case.objects.filter(overdue=True)) == [late_case]

    again = sweep(TODAY)
    assert (again.newly_overdue, again.reminders_created, again.cases_flagged, again.cases_unflagged) == (0, 0, 0, 0)
    assert Reminder.objects.count() == 2
    assert sweep_records() == 2  # one audit record per run, even when nothing changed


def test_audit_record_carries_the_counts(make_case: Callable[..., Case]) -> None:
    deadline(D(2025, 3, 3), make_case())
    sweep(TODAY)
    rec = AuditRecord.objects.get(action="deadlines.sweep")
    assert rec.username == "deadline-sweeper" and rec.user_id is None
    assert '"newly_overdue":1' in rec.detail and '"today":"2025-03-05"' in rec.detail


def test_due_soon_counts_working_days_not_calendar_days(make_case: Callable[..., Case]) -> None:
    friday = D(2025, 3, 7)
    tuesday = deadline(D(2025, 3, 11), make_case())  # Mon 10 and Tue 11 are the next two working days
    wednesday = deadline(D(2025, 3, 12), make_case())
    due_today = deadline(friday, make_case())
    r = sweep(friday)
    assert r.due_soon_reminders == 2 and r.newly_overdue == 0
    assert set(Reminder.objects.values_list("deadline", flat=True)) == {tuesday.id, due_today.id}
    assert not Reminder.objects.filter(deadline=wednesday).exists()


def test_due_soon_then_overdue_gets_each_reminder_once(make_case: Callable[..., Case]) -> None:
    d = deadline(D(2025, 3, 6), make_case())
    assert sweep(TODAY).due_soon_reminders == 1
    r = sweep(D(2025, 3, 7))
    assert (r.newly_overdue, r.overdue_reminders, r.due_soon_reminders) == (1, 1, 0)
    sweep(D(2025, 3, 10))
    assert sorted(Reminder.objects.filter(deadline=d).values_list("kind", flat=True)) == ["due_soon", "overdue"]


def test_case_flag_follows_open_overdue_deadlines(make_case: Callable[..., Case]) -> None:
    case = make_case()
    first = deadline(D(2025, 3, 3), case)
    second = deadline(D(2025, 3, 4), case)
    assert sweep(TODAY).cases_flagged == 1
    case.refresh_from_db()
    assert case.overdue

    Deadline.objects.filter(id=first.id).update(completed_at=timezone.now())
    r = sweep(TODAY)
    assert (r.cases_flagged, r.cases_unflagged) == (0, 0)  # the second deadline is still overdue
    case.refresh_from_db()
    assert case.overdue

    Deadline.objects.filter(id=second.id).update(completed_at=timezone.now())
    assert sweep(TODAY).cases_unflagged == 1
    case.refresh_from_db()
    assert not case.overdue


def test_extended_deadline_and_closed_case_are_cleared(make_case: Callable[..., Case]) -> None:
    extended_case, closed_case = make_case(), make_case()
    extended = deadline(D(2025, 3, 3), extended_case)
    deadline(D(2025, 3, 3), closed_case)
    assert sweep(TODAY).cases_flagged == 2

    Deadline.objects.filter(id=extended.id).update(due_on=D(2025, 3, 20))
    Case.objects.filter(id=closed_case.id).update(status="closed")
    r = sweep(TODAY)
    assert (r.overdue_cleared, r.cases_unflagged) == (1, 2)
    assert not Case.objects.filter(overdue=True).exists()


def test_pre_filing_deadline_names_the_filing(unit: Unit, user: User) -> None:
    filing = PreFiling.objects.create(
        number="BB-320000-2025-00001",
        jurisdiction=unit.jurisdiction,
        unit=unit,
        title="容缺审批试点",
        measure="—",
        risks="—",
        safeguards="—",
        expected_effect="—",
        submitted_by=user,
        submitted_at=timezone.now(),
    )
    deadline(D(2025, 3, 4), pre_filing=filing, label="报备受理")
    r = sweep(TODAY)
    assert (r.newly_overdue, r.cases_flagged) == (1, 0)
    assert Reminder.objects.get().message == "事前报备 BB-320000-2025-00001 报备受理 期限 2025年3月4日，已逾期"


def _batch(make_case: Callable[..., Case], n: int) -> None:
    """n deadlines on n // 3 cases: a third overdue, a third due soon, a third later."""
    cases = [make_case() for _ in range(n // 3)]
    for i in range(n):
        due = (D(2025, 3, 4), D(2025, 3, 6), D(2025, 3, 20))[i % 3]
        deadline(due, cases[i // 3])


def test_query_count_does_not_grow_with_deadlines(make_case: Callable[..., Case]) -> None:
    _batch(make_case, 3)
    with CaptureQueriesContext(connection) as small:
        r = sweep(TODAY)
    assert (r.newly_overdue, r.reminders_created, r.cases_flagged) == (1, 2, 1)

    _batch(make_case, 30)
    with CaptureQueriesContext(connection) as large:
        r = sweep(TODAY)
    assert (r.newly_overdue, r.reminders_created, r.cases_flagged) == (10, 20, 10)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_cli_sweep_prints_counts(make_case: Callable[..., Case]) -> None:
    deadline(D(2025, 3, 4), make_case())
    deadline(D(2025, 3, 6), make_case())
    r = CliRunner().invoke(main, ["deadlines", "sweep", "--today", "2025-03-05"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "2025年3月5日" in r.output
    assert "新增逾期期限 1 项" in r.output
    assert "新建提醒 2 条（逾期 1 条，即将到期 1 条）" in r.output
    assert "标记逾期案件 1 件" in r.output
    assert Reminder.objects.count() == 2


@pytest.mark.parametrize("bad", ["2025-13-01", "明天", ""])
def test_cli_bad_date_exits_2(bad: str) -> None:
    r = CliRunner().invoke(main, ["deadlines", "sweep", "--today", bad], catch_exceptions=False)
    assert r.exit_code == 2
    assert "--today" in r.output and "YYYY-MM-DD" in r.output
    assert sweep_records() == 0
