"""Public aggregates: final results only, cells under 5 suppressed (and one more where a total would reveal it),
no names."""

from __future__ import annotations

import json

import pytest

from rongcuo.cases import actions
from rongcuo.cases.models import Case
from rongcuo.stats import queries

from . import dataset
from .dataset import TODAY, local

pytestmark = pytest.mark.django_db


def close(case: Case, outcome: str, year: int) -> None:
    Case.objects.filter(pk=case.pk).update(
        status="closed", stage="closed", outcome=outcome, closed_at=local(year, 6, 1)
    )


def cells(table: list[dict]) -> dict[str, int | None]:
    return {c["key"]: c["count"] for c in table}


@pytest.fixture
def published(world) -> list[Case]:
    js = [dataset.proactive(world, f"问责事项{i}") for i in range(10)]
    matter, auto = actions.open_matter(
        world.outsider,
        {"unit_id": world.other_unit.pk, "title": "镇项目问责", "initiating_organ": "县纪委", "started_on": str(TODAY)},
    )
    yn = auto or actions.open_proactive(world.outsider, matter.pk)
    plan = [("exempt", 2026)] * 5 + [("exempt", 2025), ("mitigate", 2025), ("not_tolerated", 2024), ("exempt", 2024)]
    for case, (outcome, year) in zip(js, plan, strict=False):
        close(case, outcome, year)
    close(yn, "exempt", 2026)
    # js[9] stays open: not counted. A closed case without an outcome (refused) is not counted either.
    Case.objects.filter(pk=js[9].pk).update(outcome="exempt")
    refused = dataset.proactive(world, "不予受理")
    Case.objects.filter(pk=refused.pk).update(status="closed", closing_reason="refused", closed_at=local(2026, 2, 1))
    return js


def test_public_aggregates_suppress_small_cells(world, published) -> None:
    p = queries.public_aggregates()
    assert p["total"] == 10 and p["threshold"] == 5 and p["suppressed"] is True
    # exempt 8; mitigate 1 and not_tolerated 1 are hidden (two hidden cells: the total reveals neither).
    assert cells(p["by_outcome"]) == {"exempt": 8, "mitigate": None, "not_tolerated": None}
    assert [c["suppressed"] for c in p["by_outcome"]] == [False, True, True]
    assert p["by_outcome"][0]["share"] == 0.8 and p["by_outcome"][1]["share"] is None
    # 2026: 6; 2025: 2 and 2024: 2 hidden.
    assert cells(p["by_year"]) == {"2024": None, "2025": None, "2026": 6}
    # 云南 1 is hidden; 江苏 9 alone would then reveal it (10 − 9), so it is hidden too.
    assert cells(p["by_province"]) == {"320000": None, "530000": None}
    assert {c["label"] for c in p["by_province"]} == {"江苏省", "云南省"}
    assert cells(p["by_start_type"]) == {"proactive": 10}


def test_public_aggregates_contain_no_names(world, published) -> None:
    text = json.dumps(queries.public_aggregates(), ensure_ascii=False)
    for secret in ("张三", "某县发展和改革局", "某镇人民政府", "问责事项", "RC-", "handler", "昌宁县", "320102"):
        assert secret not in text
    assert set(queries.public_aggregates()) == {
        "format",
        "generated_at",
        "scope",
        "threshold",
        "note",
        "total",
        "suppressed",
        "by_outcome",
        "by_start_type",
        "by_year",
        "by_province",
    }


def test_public_aggregates_small_total_hides_everything(world) -> None:
    for i in range(4):
        close(dataset.proactive(world, f"事项{i}"), "exempt", 2026)
    p = queries.public_aggregates()
    assert p["total"] is None and p["suppressed"] is True
    assert all(c["count"] is None and c["share"] is None for t in ("by_outcome", "by_year") for c in p[t])


def test_public_aggregates_empty(db) -> None:
    p = queries.public_aggregates()
    assert p["total"] is None and p["by_outcome"] == [] and p["by_province"] == []
