"""Exports: Chinese headers, the right rows (filters and scope), masked ID numbers, audit, constant queries."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongcuo.accounts.models import User
from rongcuo.audit.models import AuditRecord
from rongcuo.cases.models import Case, Decision
from rongcuo.core.errors import Forbidden, Invalid
from rongcuo.exchange import actions
from rongcuo.exchange.exports import CASE_COLUMNS, StatsFilters
from rongcuo.org.builders import make_cadre
from rongcuo.outcomes.models import ResultUse
from tests.stats import dataset

from .workbooks import id_number

pytestmark = pytest.mark.django_db

FULL_ID = "320102198001011234"  # the world's cadre
PHONE = "13800001234"


@pytest.fixture
def ds(world) -> dataset.Dataset:
    return dataset.build(world)


def export(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, openpyxl.Workbook, bytes]:
    out = io.BytesIO()
    result = fn(*args, out, **kwargs)
    content = out.getvalue()
    return result, openpyxl.load_workbook(io.BytesIO(content)), content


def rows(ws: Any) -> list[dict[str, Any]]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], r, strict=True)) for r in values[1:]]


def numbers(user: User, **filters: str) -> set[str]:
    _r, wb, _c = export(actions.export_cases, user, filters)
    return {r["案号"] for r in rows(wb["案件清单"])}


def test_case_list_export_headers_rows_and_dates(world, ds) -> None:
    result, wb, _ = export(actions.export_cases, world.handler, {})
    ws = wb["案件清单"]
    assert [c.value for c in ws[1]] == [c.header for c in CASE_COLUMNS]
    assert ws[1][0].font.b and ws.freeze_panes == "A2" and ws.column_dimensions["B"].width == 36
    data = rows(ws)
    assert result.rows == len(data) == 5 and result.filename.startswith("案件清单-")
    assert {r["案号"] for r in data} == {c.number for c in (ds.a, ds.b, ds.c, ds.d, ds.e)}
    e = next(r for r in data if r["案号"] == ds.e.number)
    assert e["结论"] == "免予问责" and e["启动方式"] == "依申请（个人）" and e["干部姓名"] == "张三"
    assert e["行为发生日期"].date().isoformat() == "2023-05-01"  # a real date cell
    cell = next(c for c in ws["O"][1:] if c.value is not None)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert next(r for r in data if r["案号"] == ds.d.number)["状态"] == "已办结"
    rec = AuditRecord.objects.filter(action="exchange.export", object_type="cases").latest("seq")
    assert rec.success and json.loads(rec.detail) == {"filters": {}, "rows": 5} and rec.role == "handler"


def test_case_list_export_honours_the_filters_and_scope(world, ds) -> None:
    assert numbers(world.handler, status="closed") == {ds.c.number, ds.d.number}
    assert numbers(world.handler, domain="征地拆迁") == {ds.a.number, ds.e.number}
    assert numbers(world.handler, start_type="proactive") == {ds.d.number}
    assert numbers(world.handler, outcome="exempt") == {ds.e.number}
    assert numbers(world.handler, stage="investigation") == {ds.b.number}
    assert numbers(world.handler, jurisdiction="530524") == set()  # not theirs
    assert numbers(world.handler, q=ds.a.number) == {ds.a.number}
    Case.objects.filter(pk=ds.b.pk).update(overdue=True)
    assert numbers(world.handler, overdue="1") == {ds.b.number}
    assert numbers(world.outsider) == {ds.f.number}
    assert numbers(world.applicant) == {ds.a.number, ds.b.number, ds.d.number, ds.e.number}  # their own
    with pytest.raises(Invalid):
        numbers(world.handler, stage="no-such-stage")
    with pytest.raises(Invalid):
        numbers(world.handler, jurisdiction="999999")
    with pytest.raises(Forbidden):
        numbers(world.sysadmin)
    assert not AuditRecord.objects.filter(action="exchange.export", username="sysadmin").latest("seq").success


def test_text_is_never_a_formula(world, ds) -> None:
    Case.objects.filter(pk=ds.a.pk).update(title='=HYPERLINK("http://x","点我")')
    _r, wb, _c = export(actions.export_cases, world.handler, {"q": ds.a.number})
    cell = wb["案件清单"]["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_statistics_export(world, ds) -> None:
    _r, wb, _ = export(actions.export_stats, world.handler, StatsFilters())
    assert wb.sheetnames == ["概况", "按结论", "按环节", "按启动方式", "按地区", "按领域", "按期间", "办理用时", "逾期"]
    summary = {r["项目"]: r["数值"] for r in rows(wb["概况"])}
    assert summary["案件总数"] == 5 and summary["已办结"] == 2
    by_place = {r["地区"]: r["件数"] for r in rows(wb["按地区"])}
    assert by_place == {"江苏省": 5}
    assert {r["启动方式"]: r["件数"] for r in rows(wb["按启动方式"])} == {
        "依申请（个人）": 3,
        "依申请（单位）": 1,
        "主动容错": 1,
    }
    assert wb["按结论"]["D2"].number_format == "0.0%"
    _r, wb, _ = export(actions.export_stats, world.outsider, StatsFilters())
    assert {r["项目"]: r["数值"] for r in rows(wb["概况"])}["案件总数"] == 1
    _r, wb, _ = export(actions.export_stats, world.handler, StatsFilters(period="year"))
    assert wb["按期间"]["A1"].value == "期间（年）"
    with pytest.raises(Forbidden):
        export(actions.export_stats, world.applicant, StatsFilters())
    with pytest.raises(Invalid):
        export(actions.export_stats, world.handler, StatsFilters(period="week"))


def test_standing_export_masks_id_numbers_and_leaves_phones_out(world, ds) -> None:
    result, wb, content = export(actions.export_standing, world.org_liaison)
    detail = rows(wb["结果运用台账"])
    assert result.rows == len(detail) == 2  # decisions D (not tolerated) and E (exempt) on 张三
    assert {r["案号"] for r in detail} == {ds.d.number, ds.e.number}
    assert all(r["姓名"] == "张三" and r["身份证号（脱敏）"] == "320***********1234" for r in detail)
    kinds = {r["案号"]: r for r in detail}
    promotion = next(h for h in kinds[ds.e.number] if h.startswith("提拔任用"))
    assert kinds[ds.e.number][promotion] == "不受影响"
    assert kinds[ds.e.number]["结果运用类别"] == "容错免责"
    summary = rows(wb["干部汇总"])
    assert len(summary) == 1 and summary[0]["决定数"] == 2
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        text = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    assert FULL_ID not in text and PHONE not in text and "320***********1234" in text
    _r, wb, _c = export(actions.export_standing, world.outsider)
    assert rows(wb["结果运用台账"]) == []
    with pytest.raises(Forbidden):
        export(actions.export_standing, world.applicant)
    rec = AuditRecord.objects.filter(action="exchange.export", object_type="standing", success=True).latest("seq")
    assert json.loads(rec.detail)["rows"] == 0 and rec.username == "outsider"


# --- queries do not grow with rows ----------------------------------------------------------------------------


def _grow(world, source: Case, n: int) -> None:
    """n more decided cases, each on a cadre of its own, cloned from `source` (with its decision)."""
    decision = Decision.objects.get(case=source)
    use = ResultUse.objects.get(decision=decision)
    start = Case.objects.count()
    for i in range(n):
        cadre = make_cadre(world.unit, f"干部{start + i}", id_number=id_number(start + i), phone="13900000000")
        case = Case.objects.create(
            number=f"{source.number}-{start + i}",
            jurisdiction_id=source.jurisdiction_id,
            start_type=source.start_type,
            subject_type="cadre",
            cadre=cadre,
            unit=source.unit,
            title=source.title,
            summary=source.summary,
            stage=source.stage,
            outcome=source.outcome,
            created_by=source.created_by,
        )
        d = Decision.objects.create(
            case=case,
            outcome=decision.outcome,
            disposition=decision.disposition,
            decided_on=decision.decided_on,
            organ=decision.organ,
            policy=decision.policy,
            policy_version=decision.policy_version,
            basis="",
            decided_by=decision.decided_by,
        )
        fields = {f.name: getattr(use, f.name) for f in ResultUse._meta.fields if f.name not in ("id", "updated_at")}
        ResultUse.objects.create(**{**fields, "decision": d, "case": case, "cadre": cadre})


def _queries(fn: Any, username: str, *args: Any) -> int:
    user = User.objects.get(username=username)  # fresh: grants not cached
    with CaptureQueriesContext(connection) as ctx:
        fn(user, *args, io.BytesIO())
    return len(ctx.captured_queries)


def test_export_queries_do_not_grow_with_rows(world) -> None:
    case = dataset.exempt_decided(world, dataset.application(world))
    _grow(world, case, 2)
    small = (
        _queries(actions.export_cases, "handler", {}),
        _queries(actions.export_stats, "handler", StatsFilters()),
        _queries(lambda u, out: actions.export_standing(u, out), "org_liaison"),
    )
    _grow(world, case, 27)
    assert Case.objects.count() == 30 and ResultUse.objects.count() == 30
    large = (
        _queries(actions.export_cases, "handler", {}),
        _queries(actions.export_stats, "handler", StatsFilters()),
        _queries(lambda u, out: actions.export_standing(u, out), "org_liaison"),
    )
    assert small == large
