"""Sample import workbooks, built with openpyxl in memory (no binary files in the repository).

`id_number()` makes valid GB 11643 numbers; `build()` writes sheets given as header + rows; `good()` is a
complete workbook for the 江苏省 (320000) handler of the `world` fixture.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl

from rongcuo.exchange.idcard import check_char

Sheets = dict[str, Sequence[Sequence[Any]]]

UNIT_HEADERS = ["区划代码", "单位名称", "上级单位", "单位编码"]
CADRE_HEADERS = ["姓名", "身份证号", "手机号", "区划代码", "单位名称", "单位编码", "职务", "职级", "是否党员"]
MATTER_HEADERS = [
    "对象类型",
    "干部身份证号",
    "区划代码",
    "单位名称",
    "单位编码",
    "事项名称",
    "事项描述",
    "启动机关",
    "行为发生日期",
    "启动日期",
    "领域",
]


def id_number(seq: int = 1, region: str = "320102", born: str = "19800101") -> str:
    first = f"{region}{born}{seq:03d}"
    return first + check_char(first)


def bad_checksum(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


ID1, ID2, ID3, ID4 = (id_number(i) for i in (11, 12, 18, 14))  # ID3 ends in X


def build(sheets: Sheets, extra: dict[str, Sequence[Sequence[Any]]] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in {**sheets, **(extra or {})}.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_sheets(existing_unit: str = "江苏省某县发展和改革局") -> Sheets:
    return {
        "单位": [
            UNIT_HEADERS,
            ["320000", "江苏省测试局", None, "JS-001"],
            ["320000", "办公室", "江苏省测试局", None],
            [320000, "政策法规处", "JS-001", None],
            ["320000", "二级科", "政策法规处", "JS-003"],
        ],
        "干部": [
            CADRE_HEADERS,
            ["李四", ID1, "13900001111", "320000", "江苏省测试局", None, "局长", "正厅级", "是"],
            ["王五", ID2, None, None, None, "JS-003", "科长", "正科级", "否"],
            ["赵六", ID3.lower(), "0871-1234567", "320000", "办公室", None, "主任", None, None],  # x → X
            ["孙七", ID4, 13900004444, "320000", existing_unit, None, "副局长", "副处级", True],
        ],
        "问责事项": [
            MATTER_HEADERS,
            ["干部", ID1, None, None, None, "项目审批失误", "描述一", "省纪委", "2023-01-05", "2024-02-01", "征地拆迁"],
            ["单位", None, "320000", "办公室", None, "管理不到位", None, "省纪委", None, "2024/3/1", None],
            [
                "单位",
                None,
                None,
                None,
                "JS-001",
                "招商引资失误",
                "描述三",
                "省纪委",
                "2022年5月6日",
                "2024-04-02",
                None,
            ],
            ["干部", ID4, None, None, None, "应急处置问题", None, "省纪委监委", None, "20240503", "应急处置"],
        ],
    }


def good() -> bytes:
    return build(good_sheets())
