"""Excel exchange through the API, mounted at /api/exchange/ by rongcuo/core/routers.py.

- POST /import (multipart: `file`, optional `dry_run`): a dry run answers 200 with the validation report
  (`ok` true or false) and writes nothing; a real import answers 200 with the counts, or 400
  `{error, message, field: "file", report}` listing every problem (nothing written).
- GET /exports/cases (the case-list filters), /exports/stats, /exports/standing, /template: .xlsx downloads.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from rongcuo.core.api_auth import api_user, client_ip, default_auth
from rongcuo.core.types import Day

from . import actions
from .exports import StatsFilters
from .template import write_template
from .workbook import BadWorkbook, max_bytes

PREFIX = "/exchange"
router = Router(auth=default_auth(), tags=["数据导入导出"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Json = dict[str, Any]
XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "Excel 工作簿（.xlsx，作为附件下载）",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class CaseFilters(Schema):
    stage: str | None = Field(None, max_length=32, description="环节代码")
    start_type: str | None = Field(None, max_length=16, description="启动方式：individual / unit / proactive")
    jurisdiction: str | None = Field(None, max_length=6, description="区划代码（含下级）")
    outcome: str | None = Field(
        None, max_length=24, description="结论：exempt / mitigate / not_tolerated / engine_undetermined"
    )
    overdue: str | None = Field(None, max_length=1, description="1：仅逾期")
    domain: str | None = Field(None, max_length=32, description="领域")
    status: str | None = Field(None, max_length=8, description="open / closed")
    q: str | None = Field(None, max_length=64, description="案号或标题包含")


class StatsQuery(Schema):
    jurisdiction: str | None = Field(None, pattern=r"^\d{6}$", description="区划代码（含下级）")
    since: Day | None = Field(None, description="立案日期起（含）")
    until: Day | None = Field(None, description="立案日期止（含）")
    period: Literal["month", "quarter", "year"] = Field("month", description="按期间统计的周期")


class StandingQuery(Schema):
    jurisdiction: str | None = Field(None, pattern=r"^\d{6}$", description="区划代码（含下级）")
    on: Day | None = Field(None, description="按该日期判断是否受影响，默认今天")


def _download(name: str, produce: Any) -> FileResponse:
    fh: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        produce(fh)
    except BaseException:
        fh.close()
        raise
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename=name, content_type=XLSX)


@router.post(
    "/import",
    response={200: Json, 400: Json},
    summary="从 Excel 导入单位、干部和问责事项（dry_run=true 只校验）",
    operation_id="exchange_import",
)
def import_workbook(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False) -> Status[Json] | Json:
    user, ip = api_user(request), client_ip(request)
    if file.size is not None and file.size > max_bytes():
        raise BadWorkbook(f"文件超过 {max_bytes() // (1024 * 1024)} MB 上限，请分批导入")
    content = file.read()
    try:
        report = actions.import_workbook(user, content, file.name or "", dry_run=dry_run, ip=ip)
    except actions.ImportRejected as exc:
        return Status(400, {**exc.to_dict(), "report": exc.report.to_dict()})
    return {**report.to_dict(), "message": report.summary()}


@router.get("/exports/cases", summary="导出案件清单（与案件列表相同的筛选条件）", operation_id="exchange_export_cases",
            openapi_extra=XLSX_RESPONSE)  # fmt: skip
def export_cases(request: HttpRequest, f: Query[CaseFilters]) -> HttpResponse:
    user, ip = api_user(request), client_ip(request)
    filters = f.model_dump(exclude_none=True)
    return _download(actions.export_filename("cases"), lambda out: actions.export_cases(user, filters, out, ip=ip))


@router.get("/exports/stats", summary="导出案件统计（多个工作表）", operation_id="exchange_export_stats",
            openapi_extra=XLSX_RESPONSE)  # fmt: skip
def export_stats(request: HttpRequest, q: Query[StatsQuery]) -> HttpResponse:
    user, ip = api_user(request), client_ip(request)
    f = StatsFilters(q.jurisdiction or "", q.since, q.until, q.period)
    return _download(actions.export_filename("stats"), lambda out: actions.export_stats(user, f, out, ip=ip))


@router.get("/exports/standing", summary="导出结果运用台账（身份证号脱敏）", operation_id="exchange_export_standing",
            openapi_extra=XLSX_RESPONSE)  # fmt: skip
def export_standing(request: HttpRequest, q: Query[StandingQuery]) -> HttpResponse:
    user, ip = api_user(request), client_ip(request)
    return _download(
        actions.export_filename("standing"),
        lambda out: actions.export_standing(user, out, jurisdiction=q.jurisdiction or "", on=q.on, ip=ip),
    )


@router.get("/template", summary="下载空白导入模板", operation_id="exchange_template", openapi_extra=XLSX_RESPONSE)
def template(request: HttpRequest) -> HttpResponse:
    api_user(request)
    return _download("导入模板.xlsx", write_template)
