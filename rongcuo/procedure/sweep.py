"""The deadline sweeper: marks overdue deadlines, raises reminders once, keeps `Case.overdue` in step.

Idempotent (rerunning on the same day changes nothing and creates no reminder) and set-based: the number of
queries is the same for ten deadlines or ten thousand. One audit record per run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from rongcuo.audit import chain
from rongcuo.cases.models import Case

from .models import Deadline, Reminder
from .workdays import add_working_days

DUE_SOON_WORKING_DAYS = 2
KIND_TEXT = {"overdue": "已逾期", "due_soon": "即将到期"}


@dataclass(frozen=True)
class SweepResult:
    today: dt.date
    newly_overdue: int
    overdue_cleared: int
    overdue_reminders: int
    due_soon_reminders: int
    cases_flagged: int
    cases_unflagged: int

    @property
    def reminders_created(self) -> int:
        return self.overdue_reminders + self.due_soon_reminders


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _message(row: dict[str, Any], kind: str) -> str:
    whose = f"案件 {row['case__number']}" if row["case__number"] else f"事前报备 {row['pre_filing__number']}"
    return f"{whose} {row['label']} 期限 {chinese_date(row['due_on'])}，{KIND_TEXT[kind]}"


def sweep(today: dt.date | None = None) -> SweepResult:
    today = today or timezone.localdate()
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS).date
    now = timezone.now()
    # A deadline of a closed case no longer runs (closing ends the case's steps), whatever its completed_at says.
    # Correction milestones (stage "correction") run after a case is decided, often after it is closed.
    running = Deadline.objects.filter(
        Q(case__isnull=True) | Q(case__status="open") | Q(stage="correction"), completed_at__isnull=True
    )
    has_reminder = Reminder.objects.filter(deadline=OuterRef("pk"))

    with transaction.atomic():
        newly_overdue = running.filter(due_on__lt=today, overdue=False).update(overdue=True)
        # A deadline extended past today (or a sweep run for an earlier day) is no longer overdue.
        cleared = running.filter(due_on__gte=today, overdue=True).update(overdue=False)

        # One query for every deadline still owed a reminder of either kind.
        wanted = running.filter(
            (Q(overdue=True) & ~Exists(has_reminder.filter(kind="overdue")))
            | (Q(overdue=False, due_on__gte=today, due_on__lte=soon) & ~Exists(has_reminder.filter(kind="due_soon")))
        ).values("id", "due_on", "overdue", "label", "case__number", "pre_filing__number")
        reminders = []
        for row in wanted:
            kind = "overdue" if row["overdue"] else "due_soon"
            reminders.append(Reminder(deadline_id=row["id"], kind=kind, message=_message(row, kind), created_at=now))
        # ignore_conflicts: a concurrent sweep may have inserted the same (deadline, kind) since the select above;
        # the unique constraint keeps one, and the count below is taken from what this run really inserted.
        Reminder.objects.bulk_create(reminders, ignore_conflicts=True)
        inserted = Reminder.objects.filter(created_at=now).order_by().values("kind").annotate(n=Count("id"))
        made = {row["kind"]: row["n"] for row in inserted}

        has_overdue = Exists(running.filter(case=OuterRef("pk"), overdue=True))
        flagged = Case.objects.filter(has_overdue, overdue=False).update(overdue=True)
        unflagged = Case.objects.filter(~has_overdue, overdue=True).update(overdue=False)

        result = SweepResult(
            today=today,
            newly_overdue=newly_overdue,
            overdue_cleared=cleared,
            overdue_reminders=made.get("overdue", 0),
            due_soon_reminders=made.get("due_soon", 0),
            cases_flagged=flagged,
            cases_unflagged=unflagged,
        )
        chain.append(
            chain.Actor.system("deadline-sweeper"),
            "deadlines.sweep",
            "deadline",
            detail={**asdict(result), "today": today.isoformat(), "due_soon_until": soon.isoformat()},
        )
    return result
