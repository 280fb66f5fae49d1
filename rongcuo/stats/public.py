"""Aggregates for the public portal: final results only, small cells suppressed so no person can be identified.

Rules (documented for the disclosure page):
- only cases closed with a decision (status closed, outcome exempt / mitigate / not_tolerated) count;
- dimensions: outcome, start type, year the case was closed 「办结年度」, province-level jurisdiction
  (a county or city case counts for its province; 中央 cases for 中央); no free-text field (domain tags
  are typed by staff) and no name ever enters the result;
- a cell below THRESHOLD (5) is suppressed: its count is None and `suppressed` is true (primary
  suppression); where a table would then have exactly one suppressed cell, the next smallest cell is
  suppressed too, so the hidden one cannot be recovered as the total minus the others (secondary
  suppression); when the total itself is below the threshold, every cell is suppressed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Concat, ExtractYear, Substr
from django.utils import timezone

from rongcuo.cases.models import Case, Outcome, StartType
from rongcuo.org.models import Jurisdiction

THRESHOLD = 5
FORMAT = "rongcuo.stats.public/1"
DECIDED = (Outcome.EXEMPT, Outcome.MITIGATE, Outcome.NOT_TOLERATED)


def public_cases() -> QuerySet[Case]:
    return Case.objects.filter(status="closed", outcome__in=DECIDED)


def _suppress(counts: list[tuple[str, str, int]], total: int) -> list[dict[str, Any]]:
    """Cells as dicts with primary and secondary suppression applied (see the module docstring)."""
    hidden = {key for key, _label, n in counts if n < THRESHOLD or total < THRESHOLD}
    if len(hidden) == 1 and len(counts) > 1:
        rest = sorted((n, key) for key, _label, n in counts if key not in hidden)
        hidden.add(rest[0][1])
    cells = []
    for key, label, n in counts:
        h = key in hidden
        share = None if h or total < THRESHOLD else round(n / total, 4)
        cells.append({"key": key, "label": label, "count": None if h else n, "share": share, "suppressed": h})
    return cells


def _table(rows: Counter[str], labels: dict[str, str], total: int) -> list[dict[str, Any]]:
    ordered = sorted(rows.items(), key=lambda kv: kv[0])
    return _suppress([(k, labels.get(k, k), n) for k, n in ordered], total)


def public_aggregates() -> dict[str, Any]:
    """What the public portal may show: counts and shares by outcome, start type, year and province.

    Four grouped queries (one per dimension) plus one for province names, whatever the number of cases.
    """
    qs = public_cases()
    outcome = Counter({r["outcome"]: r["n"] for r in qs.values("outcome").annotate(n=Count("id")).order_by()})
    total = sum(outcome.values())
    start = Counter({r["start_type"]: r["n"] for r in qs.values("start_type").annotate(n=Count("id")).order_by()})
    years = Counter(
        {
            str(r["y"]): r["n"]
            for r in qs.annotate(y=ExtractYear("closed_at")).values("y").annotate(n=Count("id")).order_by()
            if r["y"] is not None
        }
    )
    province_expr = Concat(Substr("jurisdiction_id", 1, 2), Value("0000"))
    provinces = Counter(
        {r["p"]: r["n"] for r in qs.annotate(p=province_expr).values("p").annotate(n=Count("id")).order_by()}
    )
    names = dict(Jurisdiction.objects.filter(code__in=list(provinces)).values_list("code", "name"))
    tables = {
        "by_outcome": _table(outcome, {k: str(v) for k, v in Outcome.choices}, total),
        "by_start_type": _table(start, {k: str(v) for k, v in StartType.choices}, total),
        "by_year": _table(years, {y: f"{y}年" for y in years}, total),
        "by_province": _table(provinces, names, total),
    }
    suppressed_total = total < THRESHOLD
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "scope": "已办结并作出容错认定结论的案件（免予问责、从轻或减轻处理、不予容错）",
        "threshold": THRESHOLD,
        "note": f"为防止识别到具体个人，少于{THRESHOLD}件的数据不予显示；必要时另隐去一项较小数据，以免由合计推算。",
        "total": None if suppressed_total else total,
        "suppressed": suppressed_total or any(c["suppressed"] for t in tables.values() for c in t),
        **tables,
    }
