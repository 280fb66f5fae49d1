"""统计 dashboard: figures equal hand counts over the user's scope, SVG charts drawn by the application with
escaped text, staff only, and a query count that does not grow with the cases."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rongcuo.accounts import totp
from rongcuo.core import crypto
from rongcuo.web import charts
from rongcuo.web.views.dashboard import month_starts
from tests.stats import dataset

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user, enrol: bool = True) -> Client:
    c = Client()
    if enrol and totp.needs_second_factor(user):
        totp.start_enrolment(user)
        user.totp_enabled = True
        user.save()
    r = c.post("/login/", {"username": user.username, "password": PASSWORD})
    if r.status_code == 302 and r["Location"].startswith("/login/totp"):
        code = pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()
        r = c.post("/login/totp/", {"code": code})
    assert r.status_code == 302, r.content[:300]
    return c


def counts(rows: list[dict]) -> dict[str, int]:
    return {r["key"]: r["count"] for r in rows}


def tables(r) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    return {key: counts(rows) for _title, key, rows in r.context["tables"]}


@pytest.fixture
def ds(world) -> dataset.Dataset:
    return dataset.build(world)


def test_dashboard_counts_equal_hand_counts(world, ds) -> None:
    c = signed_in(world.handler)  # 江苏 320000: cases A–E; F (昌宁) is outside
    r = c.get("/stats/")
    assert r.status_code == 200
    t = tables(r)
    assert t["outcome"] == {"": 3, "exempt": 1, "not_tolerated": 1}
    assert t["stage"] == {"unit_review": 1, "investigation": 1, "closed": 2, "feedback": 1}
    assert t["start_type"] == {"individual": 3, "unit": 1, "proactive": 1}
    assert t["jurisdiction"] == {"320000": 5}
    assert t["domain"] == {"征地拆迁": 2, "招商引资": 1, "应急处置": 1, "": 1}
    assert r.context["summary"]["total"] == 5 and r.context["summary"]["closed"] == 2
    page = r.content.decode()
    assert re.search(r'id="kpi-total">5<', page)
    assert page.count("<svg") >= 7 and "<title" in page and 'role="img"' in page
    assert "处理结论构成" in page and "近12个月立案数" in page and "各办理环节案件数" in page
    assert 'href="/cases/?overdue=1"' in page
    # stage rows follow the procedure's order, not the alphabet
    assert [row["key"] for row in r.context["tables"][1][2]] == ["unit_review", "investigation", "feedback", "closed"]


def test_dashboard_months_and_filters(world, ds) -> None:
    c = signed_in(world.handler)
    r = c.get("/stats/?until=2026-01-31")
    keys = [m["key"] for m in r.context["months"]]
    months = {m["key"]: m["count"] for m in r.context["months"]}
    assert keys[0] == "2025-02" and keys[-1] == "2026-01" and len(keys) == 12
    assert months["2025-03"] == 1 and months["2026-01"] == 1 and sum(months.values()) == 2
    r = c.get("/stats/?since=2024-01-01&until=2024-12-31")
    assert r.context["summary"]["total"] == 3  # A, B, C
    r = c.get("/stats/?jurisdiction=320000")
    assert r.context["summary"]["total"] == 5
    assert 'href="/cases/?overdue=1&amp;jurisdiction=320000"' in r.content.decode()
    r = c.get("/stats/?jurisdiction=530524")  # 昌宁: not the handler's
    assert r.status_code == 200 and "不在您的统计范围内" in r.content.decode()
    assert r.context["summary"]["total"] == 5
    r = c.get("/stats/?since=2025-01-01&until=2024-01-01")
    assert "截止日期早于起始日期" in r.content.decode() and r.context["summary"]["total"] == 5
    assert "日期格式" in c.get("/stats/?since=nonsense").content.decode()


def test_scope_follows_access(world, ds) -> None:
    r = signed_in(world.outsider).get("/stats/")  # 昌宁's handler sees F only
    assert r.context["summary"]["total"] == 1
    assert tables(r)["jurisdiction"] == {"530524": 1}
    assert "江苏" not in "".join(row["label"] for row in r.context["tables"][3][2])


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditadmin", "applicant", "unit_contact", "evaluator"])
def test_only_staff_see_statistics(world, who: str) -> None:
    assert signed_in(world.users[who]).get("/stats/").status_code == 404


def test_stats_link_only_for_staff(world) -> None:
    assert 'href="/stats/"' in signed_in(world.secretary).get("/").content.decode()
    assert 'href="/stats/"' not in signed_in(world.applicant).get("/").content.decode()


def test_anonymous_is_sent_to_sign_in(world) -> None:
    r = Client().get("/stats/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_dashboard_page_has_no_external_urls(world, ds) -> None:
    page = signed_in(world.handler).get("/stats/").content.decode()
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "<script" not in page


def test_query_count_does_not_grow_with_cases(world) -> None:
    w = world
    for _ in range(3):
        dataset.application(w)
    c = signed_in(w.handler)

    def count() -> int:
        c.get("/stats/")  # warm
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/stats/?jurisdiction=320000&since=2000-01-01").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(17):
        dataset.application(w, "招商引资" if i % 2 else "应急处置")
    assert count() == few


def test_month_starts() -> None:
    import datetime as dt

    s = month_starts(dt.date(2026, 2, 15))
    assert len(s) == 12 and s[0] == dt.date(2025, 3, 1) and s[-1] == dt.date(2026, 2, 1)


# --- charts ---------------------------------------------------------------------------------------------

EVIL = "<script>alert('x')</script>&\""


@pytest.mark.parametrize("draw", [charts.hbar, charts.stacked, charts.columns])
def test_charts_escape_every_text(draw) -> None:  # type: ignore[no-untyped-def]
    svg = draw([(EVIL, 3), ("正常", 1)], title=f"标题{EVIL}", unit="件")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "&quot;" in svg and "alert('x')" not in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert re.search(r"<title id=\"[^\"]+\">标题&lt;script", svg)
    assert 'role="img"' in svg and "aria-label=" in svg and "<desc" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_chart_shapes() -> None:
    svg = charts.hbar([("免予问责", 4), ("不予容错", 2)], title="结论", ident="t1")
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', svg)]
    assert len(widths) == 2 and widths[0] == pytest.approx(2 * widths[1])
    assert "免予问责：4件" in svg and 'id="t1-d"' in svg
    stacked = charts.stacked([("甲", 1), ("乙", 3), ("丙", 0)], title="构成")
    assert "75%" in stacked and "25%" in stacked and "丙" not in stacked
    cols = charts.columns([("1月\n2026", 2), ("2月", 0)], title="按月")
    assert "2026" in cols and cols.count("<rect") == 2
    assert "暂无数据" in charts.hbar([], title="空") and "暂无数据" in charts.stacked([("甲", 0)], title="空")
    assert charts.number(2.5) == "2.5" and charts.number(3.0) == "3"
    assert charts.clip("很长很长很长很长的标签", 60).endswith("…")
