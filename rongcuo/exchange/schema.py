"""The import workbook: its sheets and columns (documented in docs/exchange-format.md).

A workbook has up to three data sheets, 单位 / 干部 / 问责事项, each with one header row (row 1) of Chinese
column names in any order; a sheet named 说明 is ignored. A header may carry a trailing "*" (the template
marks required columns so) or "（必填）".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rongcuo.cases.payloads import DOMAINS

# Cell kinds: text, code (6-digit GB/T 2260), id_number (GB 11643), phone, date, bool, choice.


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"
    required: bool = False
    max_length: int = 0
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    note: str = ""
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    note: str

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


JURISDICTION = Column(
    "jurisdiction",
    "区划代码",
    "code",
    note="GB/T 2260 六位区划代码，如 320000（江苏省）",
    aliases=("行政区划代码",),
    width=12,
)
UNIT_NAME = Column("unit_name", "单位名称", max_length=128, aliases=("单位",), note="单位全称", width=30)
UNIT_CODE = Column(
    "unit_code", "单位编码", max_length=32, note="统一社会信用代码或内部编码（可选，用于引用）", width=22
)

UNITS = Sheet(
    "units",
    "单位",
    (
        replace(JURISDICTION, required=True),
        replace(UNIT_NAME, required=True),
        Column(
            "parent",
            "上级单位",
            max_length=128,
            aliases=("上级单位名称", "上级单位编码"),
            note="同一区划内上级单位的单位编码或名称；先在本文件单位表中查找，再在系统中查找；空白为顶层单位",
            width=30,
        ),
        UNIT_CODE,
    ),
    "每行一个单位。同一区划、同一上级单位下的同名单位视为同一单位（再次导入不会重复创建）。",
)

CADRES = Sheet(
    "cadres",
    "干部",
    (
        Column("name", "姓名", required=True, max_length=64, width=10),
        Column(
            "id_number",
            "身份证号",
            "id_number",
            required=True,
            aliases=("公民身份号码", "身份证号码"),
            note="18 位第二代居民身份证号（GB 11643，含校验码），请按文本格式填写",
            width=22,
        ),
        Column("phone", "手机号", "phone", aliases=("手机号码", "联系电话"), note="11 位手机号或带区号的固定电话"),
        replace(JURISDICTION, note="按单位名称引用单位时必填"),
        replace(UNIT_NAME, note="所在单位（与区划代码一起使用），或改填单位编码"),
        replace(UNIT_CODE, note="所在单位的单位编码（填写后可不填区划代码和单位名称）"),
        Column("position", "职务", max_length=128, width=20),
        Column("rank", "职级", max_length=64, width=12),
        Column(
            "party_member",
            "是否党员",
            "bool",
            aliases=("中共党员",),
            note="是 / 否；空白：新建时为“是”，已有干部不修改",
            width=10,
        ),
    ),
    "每行一名干部，以身份证号识别：已有的干部按本表更新，空白单元格不修改原值。",
)

MATTERS = Sheet(
    "matters",
    "问责事项",
    (
        Column("subject_type", "对象类型", "choice", required=True, choices=("干部", "单位"), width=10),
        Column(
            "id_number",
            "干部身份证号",
            "id_number",
            aliases=("身份证号",),
            note="对象类型为干部时必填：本文件干部表中或系统中已有的干部",
            width=22,
        ),
        replace(JURISDICTION, note="对象类型为单位、按单位名称引用时必填"),
        replace(UNIT_NAME, note="对象类型为单位时必填（或填单位编码）；为干部时可不填（取干部所在单位）"),
        UNIT_CODE,
        Column("title", "事项名称", required=True, max_length=200, aliases=("事项标题",), width=30),
        Column("description", "事项描述", max_length=20000, width=40),
        Column("initiating_organ", "启动机关", required=True, max_length=128, note="启动问责程序的机关", width=20),
        Column("conduct_date", "行为发生日期", "date", note="YYYY-MM-DD 或 Excel 日期", width=14),
        Column("started_on", "启动日期", "date", required=True, note="启动问责程序的日期，不晚于今天", width=14),
        Column("domain", "领域", "choice", choices=DOMAINS, width=12),
    ),
    "每行一个问责事项，以（单位、干部、事项名称、启动日期）识别；导入的事项状态为“办理中”。",
)

SHEETS: tuple[Sheet, ...] = (UNITS, CADRES, MATTERS)
BY_NAME = {s.name: s for s in SHEETS}
IGNORED_SHEETS = frozenset({"说明"})
SUBJECT_TYPES = {"干部": "cadre", "单位": "unit", "cadre": "cadre", "unit": "unit"}

_MARKS = re.compile(r"[*＊]+$|[（(]必填[)）]$")


def normalise_header(value: object) -> str:
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", "", text.replace("\u3000", ""))
    return _MARKS.sub("", text)


def header_map(sheet: Sheet) -> dict[str, Column]:
    """Header text (and each alias) → column."""
    out: dict[str, Column] = {}
    for col in sheet.columns:
        for name in (col.header, *col.aliases):
            out.setdefault(name, col)
    return out
