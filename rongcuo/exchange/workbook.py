"""Opening an uploaded workbook safely: size limits, the .xlsx container checked before openpyxl reads it
(no .xls, no ZIP bombs), read-only mode with cached values (formulas are never evaluated)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings

from rongcuo.core.errors import Invalid

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and encrypted .xlsx


class BadWorkbook(Invalid):
    """The file is not a workbook we can read at all (as opposed to a workbook with problems in it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


def max_bytes() -> int:
    return int(getattr(settings, "RONGCUO_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_unpacked() -> int:
    return int(getattr(settings, "RONGCUO_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024))


def open_workbook(content: bytes, filename: str = "") -> Any:
    if not content:
        raise BadWorkbook("文件为空")
    if len(content) > max_bytes():
        raise BadWorkbook(f"文件超过 {max_bytes() // (1024 * 1024)} MB 上限，请分批导入")
    if content.startswith(OLE_MAGIC):
        raise BadWorkbook("不支持 Excel 97-2003（.xls）格式或加密的工作簿，请在 Excel 中另存为 .xlsx 后再导入")
    buf = io.BytesIO(content)
    if not zipfile.is_zipfile(buf):
        raise BadWorkbook(f"“{filename or '该文件'}”不是 Excel 工作簿（.xlsx）")
    try:
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        raise BadWorkbook("Excel 文件已损坏，无法读取") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise BadWorkbook(f"“{filename or '该文件'}”不是 Excel 工作簿（.xlsx）")
    if sum(i.file_size for i in infos) > max_unpacked():
        raise BadWorkbook("工作簿解压后过大，请分批导入")
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on malformed parts
        raise BadWorkbook("Excel 文件已损坏或格式不受支持，无法读取") from None
