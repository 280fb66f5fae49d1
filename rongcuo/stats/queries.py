"""Statistics over cases: set-based grouped queries (values().annotate(Count)), never a query per case.

Every function takes the queryset to count, so the caller decides the scope: `scoped(user)` for staff (the
access chokepoint), `public_aggregates()` for the public portal (final results only, small cells suppressed).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth, TruncQuarter, TruncYear

from rongcuo.accounts.models import User
from rongcuo.cases import access
from rongcuo.cases.models import Case, Outcome, StartType
from rongcuo.core.errors import Invalid
from rongcuo.procedure.engine import definition
from rongcuo.procedure.models import Deadline
from rongcuo.procedure.workdays import working_days_between

from .public import DECIDED, THRESHOLD, public_aggregates

__all__ = [
    "DIMENSIONS",
    "PERIODS",
    "THRESHOLD",
    "case_counts",
    "outcome_rates",
    "overdue_counts",
    "processing_times",
    "public_aggregates",
    "scoped",
    "summary",
]

DIMENSIONS = ("outcome", "stage", "start_type", "jurisdiction", "domain", "period")
PERIODS = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}
NO_OUTCOME = "尚无结论"
NO_DOMAIN = "未标注领域"


def scoped(user: User) -> QuerySet[Case]:
    """The cases this user may count: exactly the cases they may read (administrators: none)."""
    return access.visible_cases(user)


def stage_labels() -> dict[str, str]:
    return {s["id"]: s["label"] for s in definition()["stages"]}


def _period_key(value: dt.datetime | dt.date, period: str) -> tuple[str, str]:
    if period == "year":
        return f"{value.year}", f"{value.year}年"
    if period == "quarter":
        q = (value.month - 1) // 3 + 1
        return f"{value.year}-Q{q}", f"{value.year}年第{q}季度"
    return f"{value.year}-{value.month:02d}", f"{value.year}年{value.month}月"


def _rows(qs: QuerySet[Case], by: str, period: str) -> list[tuple[str, str, int]]:
    """(key, label, count) per group: one grouped query."""
    base = qs.order_by()
    if by == "outcome":
        labels = {k: str(v) for k, v in Outcome.choices}
        rows = base.values("outcome").annotate(n=Count("id"))
        return [(r["outcome"], labels.get(r["outcome"], NO_OUTCOME), r["n"]) for r in rows]
    if by == "stage":
        labels = stage_labels()
        rows = base.values("stage").annotate(n=Count("id"))
        return [(r["stage"], labels.get(r["stage"], r["stage"]), r["n"]) for r in rows]
    if by == "start_type":
        labels = {k: str(v) for k, v in StartType.choices}
        rows = base.values("start_type").annotate(n=Count("id"))
        return [(r["start_type"], labels.get(r["start_type"], r["start_type"]), r["n"]) for r in rows]
    if by == "jurisdiction":
        rows = base.values("jurisdiction_id", "jurisdiction__name").annotate(n=Count("id"))
        return [(r["jurisdiction_id"], r["jurisdiction__name"], r["n"]) for r in rows]
    if by == "domain":
        rows = base.values("domain").annotate(n=Count("id"))
        return [(r["domain"], r["domain"] or NO_DOMAIN, r["n"]) for r in rows]
    if by == "period":
        if period not in PERIODS:
            raise Invalid(f"统计周期应为 {'、'.join(PERIODS)} 之一", field="period")
        rows = base.annotate(p=PERIODS[period]("created_at")).values("p").annotate(n=Count("id"))
        return [(*_period_key(r["p"], period), r["n"]) for r in rows]
    raise Invalid(f"统计维度应为 {'、'.join(DIMENSIONS)} 之一", field="dimension")


def case_counts(qs: QuerySet[Case], by: str, *, period: str = "month") -> list[dict[str, Any]]:
    """Counts per value of one dimension, with each value's share of the cases counted, sorted by key.

    `by`: outcome / stage / start_type / jurisdiction / domain / period; `period` (for by=period): month /
    quarter / year of the case's creation date (local time).
    """
    rows = sorted(_rows(qs, by, period), key=lambda r: r[0])
    total = sum(n for _k, _l, n in rows)
    return [{"key": k, "label": lab, "count": n, "share": round(n / total, 4) if total else None} for k, lab, n in rows]


def outcome_rates(qs: QuerySet[Case]) -> dict[str, Any]:
    """Share of decided cases (a final outcome: exempt / mitigate / not_tolerated) per outcome."""
    rows = qs.order_by().filter(outcome__in=DECIDED).values("outcome").annotate(n=Count("id"))
    counts = Counter({r["outcome"]: r["n"] for r in rows})
    decided = sum(counts.values())
    labels = {k: str(v) for k, v in Outcome.choices}
    return {
        "decided": decided,
        "rates": [
            {
                "key": str(k),
                "label": labels[k],
                "count": counts.get(k, 0),
                "rate": round(counts.get(k, 0) / decided, 4) if decided else None,
            }
            for k in DECIDED
        ],
    }


def _median_of(hist: Counter[int]) -> float:
    n = sum(hist.values())
    values = sorted(hist)

    def nth(i: int) -> int:  # 0-based i-th smallest value of the histogram
        seen = 0
        for v in values:
            seen += hist[v]
            if i < seen:
                return v
        raise IndexError(i)

    return float(nth(n // 2)) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2


def processing_times(qs: QuerySet[Case]) -> list[dict[str, Any]]:
    """Per stage: how long completed stage visits took, in Chinese working days and calendar days.

    A stage visit is a case's Deadline row for that stage: started on `started_on`, completed when the case left
    the stage (`completed_at`, local date). Stages without a deadline in the pinned procedure are not timed.
    Grouped by (stage, start day, completion day), so the rows read grow with distinct days, not with cases.
    """
    cases = qs.order_by().values("id")
    deadlines = Deadline.objects.filter(case__in=cases).order_by()
    done = (
        deadlines.filter(completed_at__isnull=False)
        .annotate(done_on=TruncDate("completed_at"))
        .values("stage", "started_on", "done_on")
        .annotate(n=Count("id"))
    )
    work: dict[str, Counter[int]] = defaultdict(Counter)
    calendar: dict[str, Counter[int]] = defaultdict(Counter)
    for r in done:
        work[r["stage"]][max(0, working_days_between(r["started_on"], r["done_on"]))] += r["n"]
        calendar[r["stage"]][max(0, (r["done_on"] - r["started_on"]).days)] += r["n"]
    running = dict(
        deadlines.filter(completed_at__isnull=True).values("stage").annotate(n=Count("id")).values_list("stage", "n")
    )
    labels = stage_labels()
    order = {s: i for i, s in enumerate(labels)}
    out = []
    for stage in sorted(set(work) | set(running), key=lambda s: (order.get(s, len(order)), s)):
        hist, cal = work.get(stage, Counter()), calendar.get(stage, Counter())
        n = sum(hist.values())
        out.append(
            {
                "stage": stage,
                "label": labels.get(stage, stage),
                "completed": n,
                "in_progress": running.get(stage, 0),
                "median_working_days": _median_of(hist) if n else None,
                "mean_working_days": round(sum(v * c for v, c in hist.items()) / n, 2) if n else None,
                "max_working_days": max(hist) if n else None,
                "median_calendar_days": _median_of(cal) if n else None,
                "mean_calendar_days": round(sum(v * c for v, c in cal.items()) / n, 2) if n else None,
            }
        )
    return out


def overdue_counts(qs: QuerySet[Case]) -> dict[str, Any]:
    """Overdue now (open cases flagged by the sweeper) per stage, and stage deadlines missed, ever, per stage.

    A deadline counts as missed when the sweeper marked it overdue, or when it was completed after its due day.
    """
    labels = stage_labels()
    now = (
        qs.order_by()
        .filter(status="open", overdue=True)
        .values("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    missed = (
        Deadline.objects.filter(case__in=qs.order_by().values("id"))
        .filter(Q(overdue=True) | Q(completed_at__date__gt=F("due_on")))
        .order_by()
        .values("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    now_d, missed_d = dict(now), dict(missed)

    def table(d: dict[str, int]) -> list[dict[str, Any]]:
        return [{"stage": s, "label": labels.get(s, s), "count": n} for s, n in sorted(d.items())]

    return {
        "open_overdue": sum(now_d.values()),
        "open_overdue_by_stage": table(now_d),
        "deadlines_missed": sum(missed_d.values()),
        "deadlines_missed_by_stage": table(missed_d),
    }


def summary(qs: QuerySet[Case]) -> dict[str, Any]:
    """Totals, status counts and outcome rates: three grouped queries."""
    status = dict(qs.order_by().values("status").annotate(n=Count("id")).values_list("status", "n"))
    open_overdue = qs.order_by().filter(status="open", overdue=True).count()
    return {
        "total": sum(status.values()),
        "open": status.get("open", 0),
        "closed": status.get("closed", 0),
        "open_overdue": open_overdue,
        "outcomes": outcome_rates(qs),
        "dimensions": list(DIMENSIONS),
        "periods": list(PERIODS),
    }
