"""Statistics equal hand counts on a small dataset built through the case actions; scope follows access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongcuo.cases.payloads import DOMAINS
from rongcuo.core.errors import Invalid
from rongcuo.procedure.models import Deadline
from rongcuo.procedure.sweep import sweep
from rongcuo.stats import queries

from . import dataset
from .dataset import local

pytestmark = pytest.mark.django_db


def counts(rows: list[dict]) -> dict[str, int]:
    return {r["key"]: r["count"] for r in rows}


@pytest.fixture
def ds(world) -> dataset.Dataset:
    return dataset.build(world)


def test_counts_by_every_dimension(world, ds) -> None:
    qs = queries.scoped(world.handler)  # 江苏 320000 subtree: cases A–E
    assert counts(queries.case_counts(qs, "outcome")) == {"": 3, "exempt": 1, "not_tolerated": 1}
    assert counts(queries.case_counts(qs, "stage")) == {
        "unit_review": 1,
        "investigation": 1,
        "closed": 2,
        "feedback": 1,
    }
    assert counts(queries.case_counts(qs, "start_type")) == {"individual": 3, "unit": 1, "proactive": 1}
    assert counts(queries.case_counts(qs, "jurisdiction")) == {"320000": 5}
    assert counts(queries.case_counts(qs, "domain")) == {"征地拆迁": 2, "招商引资": 1, "应急处置": 1, "": 1}
    # Periods follow local time (Asia/Shanghai): E, created 00:30 on 2026-01-01 local, is in 2026.
    assert counts(queries.case_counts(qs, "period", period="month")) == {
        "2024-01": 1,
        "2024-02": 1,
        "2024-05": 1,
        "2025-03": 1,
        "2026-01": 1,
    }
    assert counts(queries.case_counts(qs, "period", period="quarter")) == {
        "2024-Q1": 2,
        "2024-Q2": 1,
        "2025-Q1": 1,
        "2026-Q1": 1,
    }
    years = queries.case_counts(qs, "period", period="year")
    assert counts(years) == {"2024": 3, "2025": 1, "2026": 1}
    assert [r["label"] for r in years] == ["2024年", "2025年", "2026年"]
    assert years[0]["share"] == 0.6
    labels = {r["key"]: r["label"] for r in queries.case_counts(qs, "outcome")}
    assert labels == {"": "尚无结论", "exempt": "免予问责", "not_tolerated": "不予容错"}
    assert {r["key"]: r["label"] for r in queries.case_counts(qs, "stage")}["unit_review"] == "单位党委（党组）审议"
    assert {r["key"]: r["label"] for r in queries.case_counts(qs, "domain")}[""] == "未标注领域"


def test_rates_and_summary(world, ds) -> None:
    qs = queries.scoped(world.handler)
    rates = queries.outcome_rates(qs)
    assert rates["decided"] == 2
    assert {r["key"]: r["rate"] for r in rates["rates"]} == {"exempt": 0.5, "mitigate": 0.0, "not_tolerated": 0.5}
    s = queries.summary(qs)
    assert (s["total"], s["open"], s["closed"], s["open_overdue"]) == (5, 3, 2, 0)


def test_processing_times(world, ds) -> None:
    # D: 2025-03-03 (Mon) → 2025-03-10 (Mon) = 5 working days, 7 calendar days; E: Mon → Wed = 2 and 2.
    Deadline.objects.filter(case=ds.d, stage="investigation").update(
        started_on=dt.date(2025, 3, 3), completed_at=local(2025, 3, 10, 9)
    )
    Deadline.objects.filter(case=ds.e, stage="investigation").update(
        started_on=dt.date(2025, 3, 3),
        completed_at=local(2025, 3, 5, 0, 10),  # 2025-03-04 16:10 UTC
    )
    rows = {r["stage"]: r for r in queries.processing_times(queries.scoped(world.handler))}
    inv = rows["investigation"]
    assert (inv["completed"], inv["in_progress"]) == (2, 1)  # B is still being investigated
    assert (inv["median_working_days"], inv["mean_working_days"], inv["max_working_days"]) == (3.5, 3.5, 5)
    assert (inv["median_calendar_days"], inv["mean_calendar_days"]) == (4.5, 4.5)
    ur = rows["unit_review"]
    assert (ur["completed"], ur["in_progress"], ur["median_working_days"]) == (2, 1, 0.0)  # B, E done; A waiting
    assert rows["acceptance"]["completed"] == 3 and rows["acceptance"]["in_progress"] == 0
    order = list(rows)
    assert order.index("unit_review") < order.index("acceptance") < order.index("investigation")


def test_working_days_skip_holidays(world, ds) -> None:
    # (2025-09-26 Fri, 2025-10-13 Mon]: 10-01…10-08 are holidays; Sunday 09-28 and Saturday 10-11 are make-up
    # workdays 调休: 09-28, 29, 30, 10-09, 10, 11, 13 = 7 working days in 17 calendar days.
    Deadline.objects.filter(case=ds.d, stage="investigation").update(
        started_on=dt.date(2025, 9, 26), completed_at=local(2025, 10, 13)
    )
    rows = {r["stage"]: r for r in queries.processing_times(queries.scoped(world.handler).filter(pk=ds.d.pk))}
    assert rows["investigation"]["median_working_days"] == 7.0
    assert rows["investigation"]["median_calendar_days"] == 17.0


def test_overdue(world, ds) -> None:
    Deadline.objects.filter(case=ds.b, stage="investigation").update(due_on=dt.date(2026, 1, 5))
    Deadline.objects.filter(case=ds.e, stage="investigation").update(
        started_on=dt.date(2025, 3, 3), due_on=dt.date(2025, 3, 4), completed_at=local(2025, 3, 5)
    )
    sweep()
    o = queries.overdue_counts(queries.scoped(world.handler))
    assert o["open_overdue"] == 1
    assert o["open_overdue_by_stage"] == [{"stage": "investigation", "label": "调查核实", "count": 1}]
    assert o["deadlines_missed"] == 2  # B's running late, E's completed late
    assert {r["stage"]: r["count"] for r in o["deadlines_missed_by_stage"]} == {"investigation": 2}
    assert queries.summary(queries.scoped(world.handler))["open_overdue"] == 1
    assert queries.overdue_counts(queries.scoped(world.outsider))["open_overdue"] == 0


def test_scope(world, ds) -> None:
    assert counts(queries.case_counts(queries.scoped(world.outsider), "jurisdiction")) == {"530524": 1}
    assert counts(queries.case_counts(queries.scoped(world.outsider), "start_type")) == {"proactive": 1}
    for admin in (world.sysadmin, world.secadmin, world.auditadmin):
        qs = queries.scoped(admin)
        assert queries.case_counts(qs, "outcome") == []
        assert queries.summary(qs)["total"] == 0
        assert queries.processing_times(qs) == []
    # The applicant sees the cases about themselves only (A, B, D, E; not the unit's C), as everywhere else.
    assert queries.summary(queries.scoped(world.applicant))["total"] == 4


def test_bad_dimension_and_period(world) -> None:
    qs = queries.scoped(world.handler)
    with pytest.raises(Invalid) as exc:
        queries.case_counts(qs, "cadre")
    assert exc.value.field == "dimension"
    with pytest.raises(Invalid) as exc:
        queries.case_counts(qs, "period", period="week")
    assert exc.value.field == "period"


def _queries_used(user) -> list[int]:
    qs = queries.scoped(user)
    out = []
    calls = [lambda d=d: queries.case_counts(qs, d, period="quarter") for d in queries.DIMENSIONS]
    calls += [
        lambda: queries.outcome_rates(qs),
        lambda: queries.processing_times(qs),
        lambda: queries.overdue_counts(qs),
        lambda: queries.summary(qs),
        queries.public_aggregates,
    ]
    for call in calls:
        with CaptureQueriesContext(connection) as ctx:
            call()
        out.append(len(ctx.captured_queries))
    return out


def test_query_count_constant_in_number_of_cases(world) -> None:
    for i in range(3):
        dataset.proactive(world, f"问责事项{i}")
    small = _queries_used(world.handler)
    for i in range(17):
        dataset.proactive(world, f"问责事项{i + 3}", domain=DOMAINS[i % 4])
    assert _queries_used(world.handler) == small
    assert max(small) <= 5
