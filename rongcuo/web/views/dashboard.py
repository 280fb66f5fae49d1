"""统计: the statistics dashboard for staff, over the cases they may read (the rule of the statistics API).

Every figure is one grouped query from rongcuo/stats/queries.py, so the number of queries does not grow with
the cases. Charts are SVG drawn by the application (rongcuo/web/charts.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from rongcuo.cases import access
from rongcuo.cases.models import Case
from rongcuo.org.models import Jurisdiction
from rongcuo.stats import queries
from rongcuo.stats.api import STATS_ROLES

from .. import charts

MONTHS = 12
HALF = 420  # drawing width of the charts in half-width cards (legible on a phone, not huge on a desktop)
WIDE = 560


def scope_jurisdictions(user: Any) -> list[Jurisdiction]:
    """The jurisdictions in which this user holds a statistics role: the choices of the place filter."""
    codes: set[str] = set()
    for g in access.grants(user):
        if g.role in STATS_ROLES and g.kind == "jurisdiction":
            codes |= g.jurisdiction_codes
    return list(Jurisdiction.objects.filter(code__in=codes).order_by("path"))


def month_starts(end: dt.date, n: int = MONTHS) -> list[dt.date]:
    """The first days of the n months ending with end's month, oldest first."""
    y, m = end.year, end.month
    out = []
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _filters(request: HttpRequest, places: list[Jurisdiction]) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    code = request.GET.get("jurisdiction", "").strip()
    place = next((j for j in places if j.code == code), None)
    if code and place is None:
        errors.append("所选地区不在您的统计范围内，已统计全部范围。")
    since_raw, until_raw = request.GET.get("since", ""), request.GET.get("until", "")
    since, until = _date(since_raw), _date(until_raw)
    if (since_raw.strip() and since is None) or (until_raw.strip() and until is None):
        errors.append("日期格式应为 年-月-日。")
    if since and until and until < since:
        errors.append("截止日期早于起始日期，已忽略日期范围。")
        since = until = None
    return {"place": place, "since": since, "until": until}, errors


def _narrow(qs: QuerySet[Case], f: dict[str, Any]) -> QuerySet[Case]:
    if f["place"] is not None:
        qs = qs.filter(jurisdiction__path__startswith=f["place"].path)
    if f["since"]:
        qs = qs.filter(created_at__date__gte=f["since"])
    if f["until"]:
        qs = qs.filter(created_at__date__lte=f["until"])
    return qs


def _items(rows: list[dict[str, Any]], colours: dict[str, str] | None = None) -> list[charts.Item]:
    return [charts.Item(r["label"], r["count"], (colours or {}).get(r["key"])) for r in rows]


def by_months(qs: QuerySet[Case], end: dt.date) -> list[dict[str, Any]]:
    """Cases created in each of the twelve months ending with end's month, zeros included."""
    starts = month_starts(end)
    found = {r["key"]: r["count"] for r in queries.case_counts(qs.filter(created_at__date__gte=starts[0]), "period")}
    out = []
    for i, s in enumerate(starts):
        key = f"{s.year}-{s.month:02d}"
        short = f"{s.month}月" + (f"\n{s.year}" if i == 0 or s.month == 1 else "")
        out.append({"key": key, "label": f"{s.year}年{s.month}月", "short": short, "count": found.get(key, 0)})
    return out


def _svg(text: str) -> str:
    return mark_safe(text)  # built by charts.py, every text in it escaped


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.role_names(user) & STATS_ROLES:
        raise Http404("统计仅对办案人员开放")
    places = scope_jurisdictions(user)
    f, errors = _filters(request, places)
    qs = _narrow(queries.scoped(user), f)
    summary = queries.summary(qs)
    outcome = queries.case_counts(qs, "outcome")
    stage_order = {k: i for i, k in enumerate(queries.stage_labels())}
    stage = sorted(queries.case_counts(qs, "stage"), key=lambda r: (stage_order.get(r["key"], 99), r["key"]))
    start = queries.case_counts(qs, "start_type")
    place = sorted(queries.case_counts(qs, "jurisdiction"), key=lambda r: -r["count"])
    domain = sorted(queries.case_counts(qs, "domain"), key=lambda r: -r["count"])
    months = by_months(qs, f["until"] or timezone.localdate())
    times = queries.processing_times(qs)
    overdue = queries.overdue_counts(qs)
    link: dict[str, str] = {"overdue": "1"}
    if f["place"] is not None:
        link["jurisdiction"] = f["place"].code
    ctx = {
        "places": places,
        "f": f,
        "errors": errors,
        "summary": summary,
        "tables": [
            ("按处理结论", "outcome", outcome),
            ("按办理环节", "stage", stage),
            ("按启动方式", "start_type", start),
            ("按地区", "jurisdiction", place),
            ("按领域", "domain", domain),
        ],
        "charts": {
            "outcome": _svg(
                charts.stacked(
                    _items(outcome, charts.OUTCOME_COLOURS), title="处理结论构成", ident="c-outcome", width=HALF
                )
            ),
            "stage": _svg(charts.hbar(_items(stage), title="各办理环节案件数", ident="c-stage", width=HALF)),
            "start_type": _svg(charts.hbar(_items(start), title="各启动方式案件数", ident="c-start", width=HALF)),
            "jurisdiction": _svg(charts.hbar(_items(place), title="各地区案件数", ident="c-place", width=HALF)),
            "domain": _svg(charts.hbar(_items(domain), title="各领域案件数", ident="c-domain", width=HALF)),
            "months": _svg(
                charts.columns(
                    [charts.Item(m["short"], m["count"]) for m in months],
                    title="近12个月立案数",
                    ident="c-months",
                    width=WIDE,
                )
            ),
            "times": _svg(
                charts.hbar(
                    [charts.Item(t["label"], t["median_working_days"]) for t in times if t["completed"]],
                    title="各环节办理用时中位数",
                    unit="个工作日",
                    ident="c-times",
                    width=WIDE,
                )
            ),
        },
        "months": months,
        "times": times,
        "overdue": overdue,
        "overdue_link": "/cases/?" + urlencode(link),
    }
    return render(request, "web/dashboard/index.html", ctx)
