"""Writing .xlsx exports in openpyxl's write-only mode: rows stream to a temporary file as they come, so a
million-row export never sits in memory. Chinese headers in bold on a tinted row, frozen under the header,
with an auto-filter and column widths; dates are real dates (yyyy-mm-dd), times are local (Asia/Shanghai).

Text that a spreadsheet would run as a formula (=, +, -, @ …) is stored as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(name="宋体", bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="9C1F1F")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(bottom=Side(style="thin", color="666666"))
FORMULA_START = ("=", "+", "-", "@")
FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "int": "0",
    "float": "0.00",
    "percent": "0.0%",
}


@dataclass(frozen=True)
class Col:
    header: str
    width: int = 14
    kind: str = "text"  # text / date / datetime / int / float / percent


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


class SheetWriter:
    """One sheet: the header row at once, then `append` row by row; `close` adds the auto-filter."""

    def __init__(self, wb: Workbook, title: str, columns: Sequence[Col]) -> None:
        self.ws = wb.create_sheet(title=title[:31])
        self.columns = tuple(columns)
        self.rows = 0
        for i, col in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = col.width
        self.ws.freeze_panes = "A2"
        header = []
        for col in self.columns:
            cell = WriteOnlyCell(self.ws, value=col.header)
            cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, HEADER_BORDER
            header.append(cell)
        self.ws.append(header)

    def append(self, values: Sequence[Any]) -> None:
        self.ws.append([self._cell(v, col) for v, col in zip(values, self.columns, strict=True)])
        self.rows += 1

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.append(row)

    def close(self) -> None:
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"

    def _cell(self, value: Any, col: Col) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith(FORMULA_START):
                cell = WriteOnlyCell(self.ws, value=value)
                cell.data_type = "s"  # text, never a formula
                return cell
            return value
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            value = value.replace(microsecond=0)
        fmt = FORMATS.get(col.kind)
        if fmt is None:
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = fmt
        return cell


def save(wb: Workbook, out: IO[bytes]) -> None:
    wb.save(out)
