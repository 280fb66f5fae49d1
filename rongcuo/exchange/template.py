"""The empty import template: a 说明 sheet describing every column, then the three data sheets with their
headers (required columns marked *). Built from rongcuo.exchange.schema, so it never drifts from the
importer."""

from __future__ import annotations

from typing import IO

from .exporter import Col, SheetWriter, new_workbook, save
from .schema import SHEETS

KIND_NOTES = {
    "code": "6位数字",
    "id_number": "文本，18位",
    "phone": "文本",
    "date": "日期",
    "bool": "是/否",
    "choice": "",
    "text": "文本",
}


def write_template(out: IO[bytes]) -> None:
    wb = new_workbook()
    notes = SheetWriter(
        wb, "说明", (Col("工作表", 10), Col("列名", 14), Col("必填", 8), Col("格式", 12), Col("说明", 80))
    )
    notes.append(["（全部）", "", "", "", "第1行为列名，列的顺序不限；有任何一处问题时不导入任何数据；本页不导入。"])
    for sheet in SHEETS:
        notes.append([sheet.name, "", "", "", sheet.note])
        for col in sheet.columns:
            fmt = "、".join(col.choices) if col.kind == "choice" else KIND_NOTES.get(col.kind, "")
            if col.max_length:
                fmt = f"{fmt}，≤{col.max_length}字"
            notes.append([sheet.name, col.header, "是" if col.required else "", fmt, col.note])
    notes.close()
    for sheet in SHEETS:
        data = SheetWriter(
            wb, sheet.name, [Col(c.header + ("*" if c.required else ""), c.width) for c in sheet.columns]
        )
        data.close()
    save(wb, out)
