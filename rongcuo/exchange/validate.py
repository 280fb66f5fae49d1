"""Reading the sheets of an import workbook into typed rows, collecting every problem with its place.

Nothing stops at the first problem: each cell is checked, and the report names the sheet, the Excel row
number, the column letter and header, and what is wrong. Values of personal data are never repeated in a
problem (an ID number or phone in a report would leak it into logs and screens).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from openpyxl.utils import get_column_letter

from . import idcard
from .schema import BY_NAME, IGNORED_SHEETS, SHEETS, SUBJECT_TYPES, Column, Sheet, header_map, normalise_header

T = TypeVar("T")
Track = Callable[[Iterable[T], str, int | None], Iterable[T]]
MAX_LISTED = 1000  # problems kept for the report; all are counted


def no_track(items: Iterable[T], label: str, total: int | None) -> Iterable[T]:
    return items


def max_rows() -> int:
    return int(getattr(settings, "RONGCUO_IMPORT_MAX_ROWS", 100_000))


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    header: str
    message: str

    def place(self) -> str:
        parts = [f"工作表“{self.sheet}”"]
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"{self.column}列" + (f"（{self.header}）" if self.header else ""))
        elif self.header:
            parts.append(f"“{self.header}”列")
        return " ".join(parts)

    def describe(self) -> str:
        return f"{self.place()}：{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
        }


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _safe(text: str, limit: int) -> str:
    """Text from the file, fit to show in a report: no control characters, not overlong."""
    text = _CONTROL.sub("", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Problems:
    listed: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, sheet: str, row: int | None, column: str, header: str, message: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(Problem(_safe(sheet, 40), row, column, _safe(header, 60), _safe(message, 300)))

    def __bool__(self) -> bool:
        return self.total > 0

    def in_order(self) -> list[Problem]:
        """Listed problems by sheet (as in the format), row and column."""
        order = {s.name: i for i, s in enumerate(SHEETS)}
        return sorted(
            self.listed,
            key=lambda p: (order.get(p.sheet, -1), p.sheet, p.row or 0, len(p.column), p.column, p.header),
        )


@dataclass
class Row:
    """One data row: its Excel row number, the typed values by column key, and the keys that had problems."""

    sheet: Sheet
    number: int
    values: dict[str, Any]
    letters: dict[str, str]
    bad: set[str] = field(default_factory=set)

    def get(self, key: str) -> Any:
        return None if key in self.bad else self.values.get(key)

    def problem(self, problems: Problems, key: str | None, message: str) -> None:
        """A problem with this row, placed at the column of `key` (or the whole row)."""
        if key is None:
            problems.add(self.sheet.name, self.number, "", "", message)
            return
        col = self.sheet.column(key)
        problems.add(self.sheet.name, self.number, self.letters.get(key, ""), col.header, message)
        self.bad.add(key)


@dataclass
class Parsed:
    rows: dict[str, list[Row]] = field(default_factory=dict)  # sheet key → rows
    read: dict[str, int] = field(default_factory=dict)  # sheet name → data rows read

    def sheet(self, key: str) -> list[Row]:
        return self.rows.get(key, [])


# --- cells -----------------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value).strip()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_TRUE = {"是", "y", "yes", "true", "1", "党员", "中共党员", "√"}
_FALSE = {"否", "n", "no", "false", "0", "非党员", "群众", "×"}


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellError("应为日期，不应带时间")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", _text(value)).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise CellError(f"日期 {text} 不存在") from None
            if day.year < 1900:
                raise CellError(f"日期 {text} 不合理")
            return day
    raise CellError("日期格式不对，应为 YYYY-MM-DD（如 2024-03-05）或 Excel 日期")


def parse_cell(col: Column, value: Any) -> Any:
    """The typed value of a non-empty cell, or CellError with the problem in Chinese."""
    if col.kind == "date":
        return parse_date(value)
    if col.kind == "bool":
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError("应填“是”或“否”")
    if col.kind == "id_number":
        if isinstance(value, int | float):
            raise CellError("身份证号应按文本格式填写（数字格式会丢失末几位，也不能表示 X）")
        number = idcard.normalise_id(_text(value))
        problem = idcard.id_problem(number)
        if problem:
            raise CellError(problem)
        return number
    if col.kind == "phone":
        phone = idcard.normalise_phone(_text(value))
        problem = idcard.phone_problem(phone)
        if problem:
            raise CellError(problem)
        return phone
    text = _text(value)
    if col.kind == "code":
        text = unicodedata.normalize("NFKC", text)
        if not re.fullmatch(r"\d{6}", text):
            raise CellError("区划代码应为6位数字（GB/T 2260）")
        return text
    if col.kind == "choice":
        if text not in SUBJECT_TYPES and text not in col.choices:
            raise CellError(f"应为 {'、'.join(col.choices)} 之一")
        return SUBJECT_TYPES.get(text, text)
    if col.max_length and len(text) > col.max_length:
        raise CellError(f"过长：不超过 {col.max_length} 个字符（现为 {len(text)} 个）")
    return text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- sheets ----------------------------------------------------------------------------------------------


def _headers(sheet: Sheet, cells: tuple[Any, ...], problems: Problems) -> dict[int, Column]:
    known = header_map(sheet)
    found: dict[int, Column] = {}
    seen: dict[str, str] = {}
    for i, raw in enumerate(cells):
        name = normalise_header(raw)
        letter = get_column_letter(i + 1)
        if not name:
            continue
        col = known.get(name)
        if col is None:
            expected = "、".join(c.header for c in sheet.columns)
            problems.add(sheet.name, 1, letter, name, f"不认识的列名“{name}”（本表的列为：{expected}）")
            continue
        if col.key in seen:
            problems.add(sheet.name, 1, letter, col.header, f"与 {seen[col.key]} 列重复")
            continue
        seen[col.key] = letter
        found[i] = col
    for col in sheet.columns:
        if col.required and col.key not in seen:
            problems.add(sheet.name, 1, "", col.header, f"缺少必填列“{col.header}”")
    return found


def _row(sheet: Sheet, number: int, cells: tuple[Any, ...], columns: dict[int, Column], problems: Problems) -> Row:
    row = Row(sheet, number, {}, {col.key: get_column_letter(i + 1) for i, col in columns.items()})
    for i, col in columns.items():
        value = cells[i] if i < len(cells) else None
        if _blank(value):
            row.values[col.key] = None
            if col.required:
                row.problem(problems, col.key, f"“{col.header}”必填")
            continue
        try:
            row.values[col.key] = parse_cell(col, value)
        except CellError as exc:
            row.values[col.key] = None
            row.problem(problems, col.key, str(exc))
    for col in sheet.columns:
        if col.key not in row.letters:
            row.values[col.key] = None
            if col.required:
                row.bad.add(col.key)  # reported once, as a missing header
    return row


def _sheet_rows(ws: Any, sheet: Sheet, problems: Problems, track: Track) -> Iterator[Row]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None or all(_blank(v) for v in header):
        problems.add(sheet.name, 1, "", "", "第1行应为列名（表头），本表为空")
        return
    columns = _headers(sheet, tuple(header), problems)
    limit = max_rows()
    total = (ws.max_row - 1) if isinstance(ws.max_row, int) and ws.max_row > 1 else None
    count = 0
    for number, cells in enumerate(track(rows, f"读取{sheet.name}", total), start=2):
        if cells is None or all(_blank(v) for v in cells):
            continue
        count += 1
        if count > limit:
            problems.add(sheet.name, number, "", "", f"超过每表 {limit} 行的上限，请分批导入")
            return
        yield _row(sheet, number, tuple(cells), columns, problems)


def parse_workbook(wb: Any, problems: Problems, track: Track = no_track) -> Parsed:
    parsed = Parsed()
    for ws in wb.worksheets:
        name = normalise_header(ws.title)
        sheet = BY_NAME.get(name)
        if sheet is None:
            if name not in IGNORED_SHEETS:
                expected = "、".join(s.name for s in SHEETS)
                problems.add(ws.title, None, "", "", f"不认识的工作表（应为 {expected}，说明页请命名为“说明”）")
            continue
        if sheet.key in parsed.rows:
            problems.add(ws.title, None, "", "", f"工作表“{sheet.name}”重复")
            continue
        parsed.rows[sheet.key] = list(_sheet_rows(ws, sheet, problems, track))
        parsed.read[sheet.name] = len(parsed.rows[sheet.key])
    if not parsed.rows and not problems:
        problems.add("（工作簿）", None, "", "", f"没有可导入的工作表（应为 {'、'.join(s.name for s in SHEETS)}）")
    return parsed
