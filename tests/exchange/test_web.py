"""The import and export pages: upload → report → confirm, downloads, who sees the page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongcuo.org.models import AccountabilityMatter, Cadre, Unit

from . import workbooks as wb
from .workbooks import ID1

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    user.totp_enabled = True  # staff must have a second factor before the workbench opens
    user.save(update_fields=["totp_enabled"])
    c = Client()
    c.force_login(user)
    return c


def upload(c: Client, content: bytes, name: str = "名册.xlsx"):  # type: ignore[no-untyped-def]
    return c.post("/exchange/import/", {"file": SimpleUploadedFile(name, content)})


def test_index_shows_what_the_user_may_do(world) -> None:
    r = page_client(world.handler).get("/exchange/")
    html = r.content.decode()
    assert r.status_code == 200 and "上传并校验" in html and "导出案件清单" in html and "导出台账" in html
    html = page_client(world.investigator).get("/exchange/").content.decode()
    assert "上传并校验" not in html and "导出统计" in html and "导出台账" not in html
    html = page_client(world.applicant).get("/exchange/").content.decode()
    assert "导出案件清单" in html and "导出统计" not in html
    assert page_client(world.sysadmin).get("/exchange/").status_code == 404
    assert Client().get("/exchange/").status_code == 302  # sign in first


def test_upload_with_problems_shows_the_report_and_writes_nothing(world) -> None:
    c = page_client(world.handler)
    sheets = wb.good_sheets()
    sheets["干部"][1][1] = wb.bad_checksum(ID1)
    sheets["单位"][2][0] = "999999"
    before = (Unit.objects.count(), Cadre.objects.count())
    r = upload(c, wb.build(sheets))
    html = r.content.decode()
    assert r.status_code == 200
    assert "校验未通过" in html and "未知的区划代码 999999" in html and "校验码" in html
    assert "<td>干部</td><td>2</td><td>B</td><td>身份证号</td>" in html
    assert "确认导入" not in html
    assert (Unit.objects.count(), Cadre.objects.count()) == before


def test_upload_then_confirm_imports(world) -> None:
    c = page_client(world.handler)
    r = upload(c, wb.good())
    html = r.content.decode()
    assert "校验通过，可以导入" in html and "确认导入" in html and "将新增" in html
    assert not Unit.objects.filter(name="江苏省测试局").exists()
    token = c.session["exchange_pending"]["token"]
    r = c.post("/exchange/import/confirm/", {"token": token})
    html = r.content.decode()
    assert r.status_code == 200 and "导入完成" in html
    assert Unit.objects.filter(name="江苏省测试局").exists() and AccountabilityMatter.objects.count() == 4
    r = c.post("/exchange/import/confirm/", {"token": token})  # used once
    assert r.status_code == 302
    r = upload(c, wb.good())
    assert "新增 0，更新 0，无变化 4" in r.content.decode()


def test_confirm_needs_the_session_token(world) -> None:
    c = page_client(world.handler)
    upload(c, wb.good())
    r = c.post("/exchange/import/confirm/", {"token": "0" * 32})
    assert r.status_code == 302 and not Unit.objects.filter(name="江苏省测试局").exists()


def test_bad_upload_and_non_handlers(world) -> None:
    c = page_client(world.handler)
    r = upload(c, b"%PDF-1.4 not a workbook", "a.xlsx")
    assert r.status_code == 400 and "不是 Excel 工作簿" in r.content.decode()
    r = c.post("/exchange/import/", {})
    assert r.status_code == 400 and "请选择" in r.content.decode()
    r = upload(page_client(world.investigator), wb.good())
    assert r.status_code == 400 and "只有承办人" in r.content.decode()


def test_downloads(world) -> None:
    from tests.stats import dataset

    ds = dataset.build(world)
    c = page_client(world.handler)
    r = c.get("/exchange/export/cases/", {"status": "closed", "q": ""})
    assert r.status_code == 200 and r["Content-Type"].endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert {row[0] for row in book["案件清单"].iter_rows(min_row=2, values_only=True)} == {ds.c.number, ds.d.number}
    r = c.get("/exchange/export/stats/", {"period": "quarter", "since": "2024-01-01"})
    assert r.status_code == 200
    r = page_client(world.org_liaison).get("/exchange/export/standing/", {"on": "2030-01-01"})
    assert r.status_code == 200
    r = c.get("/exchange/template/")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    r = c.get("/exchange/export/cases/", {"stage": "nope"})
    assert r.status_code == 302  # back to the page with the message
    r = page_client(world.applicant).get("/exchange/export/stats/", follow=True)
    assert "统计仅对办案人员开放" in r.content.decode()
