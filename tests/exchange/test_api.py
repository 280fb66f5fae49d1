"""/api/exchange: import (dry run and real, multipart) and the .xlsx downloads."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.org.models import Cadre, Unit

from . import workbooks as wb
from .workbooks import ID1

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def upload(c: Client, content: bytes, name: str = "名册.xlsx", **extra: str) -> object:
    return c.post("/api/exchange/import", {"file": SimpleUploadedFile(name, content), **extra})


def test_dry_run_then_import(world) -> None:
    c = client(world.handler)
    r = upload(c, wb.good(), dry_run="true")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["ok"] and body["dry_run"] and not body["imported"] and body["counts"]["单位"]["created"] == 4
    assert "校验通过" in body["message"]
    assert not Unit.objects.filter(name="江苏省测试局").exists()
    r = upload(c, wb.good())
    assert r.status_code == 200 and r.json()["imported"] and r.json()["counts"]["干部"]["created"] == 4
    r = upload(c, wb.good())
    assert r.json()["counts"]["干部"] == {"created": 0, "changed": 0, "unchanged": 4}


def test_problems_through_the_api(world) -> None:
    c = client(world.handler)
    sheets = wb.good_sheets()
    sheets["干部"][1][1] = wb.bad_checksum(ID1)
    before = Cadre.objects.count()
    r = upload(c, wb.build(sheets), dry_run="true")
    assert r.status_code == 200 and not r.json()["ok"] and r.json()["problem_count"] == 2
    r = upload(c, wb.build(sheets))
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid" and body["field"] == "file" and "未导入任何数据" in body["message"]
    first = body["report"]["problems"][0]
    assert first == {"sheet": "干部", "row": 2, "column": "B", "header": "身份证号", "message": first["message"]}
    assert "校验码" in first["message"]
    assert Cadre.objects.count() == before


def test_bad_files_and_roles(world) -> None:
    r = upload(client(world.handler), b"not a workbook", "x.xlsx")
    assert r.status_code == 400 and r.json()["field"] == "file" and "不是 Excel" in r.json()["message"]
    assert upload(client(world.investigator), wb.good()).status_code == 403
    assert upload(Client(), wb.good()).status_code == 401
    r = client(world.handler).post("/api/exchange/import", {})
    assert r.status_code in (400, 422) and r["Content-Type"].startswith("application/json")


def test_bearer_token_import_and_csrf_for_sessions(world) -> None:
    token = accounts.issue_token(world.handler, "导入脚本")
    r = Client().post(
        "/api/exchange/import",
        {"file": SimpleUploadedFile("a.xlsx", wb.good()), "dry_run": "true"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200 and r.json()["ok"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.handler)
    r = strict.post("/api/exchange/import", {"file": SimpleUploadedFile("a.xlsx", wb.good())})
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"


def _xlsx(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX and "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_export_downloads(world) -> None:
    from tests.stats import dataset

    ds = dataset.build(world)
    c = client(world.handler)
    book = _xlsx(c.get("/api/exchange/exports/cases", {"status": "closed"}))
    assert {r[0] for r in book["案件清单"].iter_rows(min_row=2, values_only=True)} == {ds.c.number, ds.d.number}
    book = _xlsx(client(world.outsider).get("/api/exchange/exports/cases"))
    assert {r[0] for r in book["案件清单"].iter_rows(min_row=2, values_only=True)} == {ds.f.number}
    assert "概况" in _xlsx(c.get("/api/exchange/exports/stats", {"period": "year"})).sheetnames
    standing = _xlsx(client(world.org_liaison).get("/api/exchange/exports/standing", {"on": "2030-01-01"}))
    assert standing["结果运用台账"].max_row == 3
    assert _xlsx(c.get("/api/exchange/template")).sheetnames == ["说明", "单位", "干部", "问责事项"]
    r = c.get("/api/exchange/exports/cases", {"stage": "nope"})
    assert r.status_code == 400 and r.json()["field"] == "stage"
    r = client(world.applicant).get("/api/exchange/exports/standing")
    assert r.status_code == 403 and r["Content-Type"].startswith("application/json")
    assert Client().get("/api/exchange/exports/cases").status_code == 401
    assert "%E6%A1%88%E4%BB%B6%E6%B8%85%E5%8D%95" in c.get("/api/exchange/exports/cases")["Content-Disposition"]
