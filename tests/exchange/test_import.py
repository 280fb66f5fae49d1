"""Importing units, cadres and accountability matters: counts, idempotence, every problem at once, scope."""

from __future__ import annotations

import json

import pytest

from rongcuo.audit.models import AuditRecord
from rongcuo.core import crypto
from rongcuo.core.errors import Forbidden
from rongcuo.exchange import actions
from rongcuo.exchange.workbook import OLE_MAGIC, BadWorkbook
from rongcuo.org.builders import make_cadre, make_unit
from rongcuo.org.models import AccountabilityMatter, Cadre, Unit

from . import workbooks as wb
from .workbooks import CADRE_HEADERS, ID1, ID2, ID3, ID4, MATTER_HEADERS, UNIT_HEADERS

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Unit.objects.count(), Cadre.objects.count(), AccountabilityMatter.objects.count()


def rejected(user, content: bytes) -> actions.Report:
    with pytest.raises(actions.ImportRejected) as info:
        actions.import_workbook(user, content, "问题.xlsx")
    return info.value.report


def places(report: actions.Report) -> set[tuple[str, int | None, str]]:
    return {(p.sheet, p.row, p.column) for p in report.problems}


def test_good_workbook_imports_everything_and_reimport_changes_nothing(world) -> None:
    before = counts()
    report = actions.import_workbook(world.handler, wb.good(), "干部名册.xlsx", ip="10.0.0.1")
    assert report.ok and report.imported
    assert report.rows == {"单位": 4, "干部": 4, "问责事项": 4}
    assert {k: v["created"] for k, v in report.counts.items()} == {"单位": 4, "干部": 4, "问责事项": 4}
    assert counts() == (before[0] + 4, before[1] + 4, before[2] + 4)

    top = Unit.objects.get(name="江苏省测试局")
    office = Unit.objects.get(name="办公室")
    policy = Unit.objects.get(name="政策法规处")
    leaf = Unit.objects.get(name="二级科")
    assert top.parent is None and top.code == "JS-001" and top.path == f"320000/{top.pk}/"
    assert office.parent == top and policy.parent == top  # by name and by unit code
    assert leaf.parent == policy and leaf.path == f"320000/{top.pk}/{policy.pk}/{leaf.pk}/"

    li = Cadre.objects.get(id_number_index=crypto.blind_index(ID1))
    assert (li.name, li.unit, li.position, li.rank, li.party_member) == ("李四", top, "局长", "正厅级", True)
    assert crypto.decrypt(li.id_number_enc) == ID1 and crypto.decrypt(li.phone_enc) == "13900001111"
    assert ID1 not in li.id_number_enc  # encrypted at rest
    wang = Cadre.objects.get(name="王五")
    assert wang.unit == leaf and wang.party_member is False and wang.phone_enc == ""
    zhao = Cadre.objects.get(name="赵六")  # written with a lower-case x, stored and indexed upper-case
    assert zhao.id_number_index == crypto.blind_index(ID3) and crypto.decrypt(zhao.id_number_enc) == ID3
    assert zhao.phone_masked.startswith("087")
    sun = Cadre.objects.get(name="孙七")
    assert sun.unit == world.unit

    m = AccountabilityMatter.objects.get(title="项目审批失误")
    assert (m.subject_type, m.cadre, m.unit, m.jurisdiction_id, m.status) == ("cadre", li, top, "320000", "open")
    assert str(m.conduct_date) == "2023-01-05" and str(m.started_on) == "2024-02-01" and m.domain == "征地拆迁"
    unit_matter = AccountabilityMatter.objects.get(title="管理不到位")
    assert unit_matter.subject_type == "unit" and unit_matter.cadre is None and unit_matter.unit == office
    assert AccountabilityMatter.objects.get(title="招商引资失误").unit == top
    assert AccountabilityMatter.objects.get(title="应急处置问题").cadre == sun

    rec = AuditRecord.objects.filter(action="exchange.import").latest("seq")
    detail = json.loads(rec.detail)
    assert rec.success and rec.username == "handler" and rec.role == "handler" and rec.ip == "10.0.0.1"
    assert rec.object_id == report.sha256 and detail["sha256"] == report.sha256
    assert detail["filename"] == "干部名册.xlsx" and detail["counts"]["干部"]["created"] == 4
    assert ID1 not in rec.detail

    again = actions.import_workbook(world.handler, wb.good(), "干部名册.xlsx")
    assert again.ok and again.imported
    assert all(c["created"] == 0 and c["changed"] == 0 for c in again.counts.values())
    assert {k: v["unchanged"] for k, v in again.counts.items()} == {"单位": 4, "干部": 4, "问责事项": 4}
    assert counts() == (before[0] + 4, before[1] + 4, before[2] + 4)


def test_changed_rows_are_updated_and_blank_cells_keep_stored_values(world) -> None:
    actions.import_workbook(world.handler, wb.good(), "a.xlsx")
    sheets = wb.good_sheets()
    sheets["单位"] = [UNIT_HEADERS, ["320000", "江苏省测试局", None, "JS-001-NEW"]]
    sheets["干部"] = [
        CADRE_HEADERS,
        ["李四", ID1, None, None, None, "JS-001-NEW", "一级巡视员", None, None],  # blank phone and rank: kept
        ["王五", ID2, "13900002222", "320000", "办公室", None, None, None, None],  # moved, phone added
    ]
    sheets["问责事项"] = [[*MATTER_HEADERS[:6], "事项描述", "启动机关", "启动日期"]]
    sheets["问责事项"].append(["干部", ID1, None, None, None, "项目审批失误", "补充后的描述", "省纪委", "2024-02-01"])
    report = actions.import_workbook(world.handler, wb.build(sheets), "b.xlsx")
    assert report.counts == {
        "单位": {"created": 0, "changed": 1, "unchanged": 0},
        "干部": {"created": 0, "changed": 2, "unchanged": 0},
        "问责事项": {"created": 0, "changed": 1, "unchanged": 0},
    }
    li = Cadre.objects.get(name="李四")
    assert (li.position, li.rank, crypto.decrypt(li.phone_enc)) == ("一级巡视员", "正厅级", "13900001111")
    assert li.unit.code == "JS-001-NEW"
    wang = Cadre.objects.get(name="王五")
    assert wang.unit.name == "办公室" and crypto.decrypt(wang.phone_enc) == "13900002222" and wang.party_member is False
    m = AccountabilityMatter.objects.get(title="项目审批失误")
    assert m.description == "补充后的描述" and m.domain == "征地拆迁" and str(m.conduct_date) == "2023-01-05"


def test_five_problems_in_three_sheets_are_all_reported_and_nothing_is_written(world) -> None:
    sheets = wb.good_sheets()
    sheets["单位"] = [
        [*UNIT_HEADERS, "备注"],  # E1: unknown header
        ["320000", "江苏省测试局", None, "JS-001", "x"],
        ["999999", "某虚构单位", None, None, None],  # A3: unknown jurisdiction
        ["320000", "办公室", "江苏省测试局", None, None],
        ["320000", "政策法规处", "JS-001", None, None],
        ["320000", "二级科", "政策法规处", "JS-003", None],
    ]
    sheets["干部"][1][1] = wb.bad_checksum(ID1)  # B2: check digit
    sheets["干部"][2][2] = "1390000"  # C3: phone
    sheets["问责事项"][2][9] = "2024-13-01"  # J3: date
    sheets["问责事项"] = [r for i, r in enumerate(sheets["问责事项"]) if i != 1]  # drop the matter on 李四
    before = counts()
    report = rejected(world.handler, wb.build(sheets))
    assert counts() == before
    assert report.total_problems == 5, [p.describe() for p in report.problems]
    assert places(report) == {
        ("单位", 1, "E"),
        ("单位", 3, "A"),
        ("干部", 2, "B"),
        ("干部", 3, "C"),
        ("问责事项", 2, "J"),
    }
    by_place = {(p.sheet, p.row, p.column): p for p in report.problems}
    assert "不认识的列名“备注”" in by_place[("单位", 1, "E")].message
    assert "999999" in by_place[("单位", 3, "A")].message and by_place[("单位", 3, "A")].header == "区划代码"
    assert "校验码" in by_place[("干部", 2, "B")].message and by_place[("干部", 2, "B")].header == "身份证号"
    assert "手机号" in by_place[("干部", 3, "C")].message
    assert "不存在" in by_place[("问责事项", 2, "J")].message and by_place[("问责事项", 2, "J")].header == "启动日期"
    assert all(wb.bad_checksum(ID1) not in p.describe() for p in report.problems)  # personal data not echoed
    failure = AuditRecord.objects.filter(action="exchange.import").latest("seq")
    assert not failure.success and json.loads(failure.detail)["problems"] == 5


def test_dry_run_reports_without_writing(world) -> None:
    before = counts()
    ok = actions.import_workbook(world.handler, wb.good(), "a.xlsx", dry_run=True)
    assert ok.ok and not ok.imported and ok.counts["单位"]["created"] == 4
    sheets = wb.good_sheets()
    sheets["干部"][1][1] = wb.bad_checksum(ID1)
    bad = actions.import_workbook(world.handler, wb.build(sheets), "b.xlsx", dry_run=True)
    assert not bad.ok and bad.total_problems == 2  # the cadre row, and the matter naming that cadre is skipped
    assert counts() == before
    assert AuditRecord.objects.filter(action="exchange.import_check").count() == 2


def test_id_checksum_and_text_format(world) -> None:
    sheets = {
        "干部": [
            CADRE_HEADERS,
            ["甲", wb.bad_checksum(wb.id_number(31)), None, "320000", world.unit.name, None, None, None, None],
            ["乙", int(wb.id_number(32)[:17]), None, "320000", world.unit.name, None, None, None, None],
            ["丙", "11010519491231002x", None, "320000", world.unit.name, None, None, None, None],
        ]
    }
    report = rejected(world.handler, wb.build(sheets))
    assert [(p.row, p.column) for p in report.problems] == [(2, "B"), (3, "B")]
    assert "校验码" in report.problems[0].message and "文本格式" in report.problems[1].message


def test_scope_every_row_outside_is_refused(world) -> None:
    sheets = {"单位": [UNIT_HEADERS, *(["320000", f"江苏某单位{i}", None, None] for i in range(3))]}
    report = rejected(world.outsider, wb.build(sheets))  # a handler of 昌宁县 (530524)
    assert [(p.sheet, p.row, p.column) for p in report.problems] == [("单位", r, "A") for r in (2, 3, 4)]
    assert all("不在您的管辖范围内" in p.message for p in report.problems)
    ok = actions.import_workbook(
        world.outsider, wb.build({"单位": [UNIT_HEADERS, ["530524", "昌宁县某局", None, None]]}), "c.xlsx"
    )
    assert ok.counts["单位"]["created"] == 1


def test_only_handlers_may_import(world) -> None:
    for name in ("investigator", "applicant", "sysadmin"):
        with pytest.raises(Forbidden):
            actions.import_workbook(world.users[name], wb.good(), "a.xlsx")
    assert not AuditRecord.objects.filter(action="exchange.import", username="investigator").latest("seq").success


def test_references_duplicates_and_missing_values(world) -> None:
    make_unit("320000", "同名科", make_unit("320000", "甲局"))
    make_unit("320000", "同名科", make_unit("320000", "乙局"))
    sheets = {
        "单位": [
            UNIT_HEADERS,
            ["320000", "新单位", "不存在的局", None],  # parent unknown
            ["320000", "新单位二", None, "DUP"],
            ["320000", "新单位二", None, None],  # duplicate row
            ["320000", "新单位三", None, "DUP"],  # duplicate unit code
            ["320000", None, None, None],  # missing name
            ["320000", "环甲", "环乙", None],
            ["320000", "环乙", "环甲", None],  # a loop of parents
        ],
        "干部": [
            CADRE_HEADERS,
            ["甲", wb.id_number(41), None, "320000", "同名科", None, None, None, None],  # ambiguous unit
            ["乙", wb.id_number(42), None, None, "甲局", None, None, None, None],  # name without jurisdiction
            ["丙", wb.id_number(41), None, "320000", "甲局", None, None, None, None],  # duplicate ID
            [None, wb.id_number(43), None, "320000", "甲局", None, None, None, None],  # missing name
        ],
        "问责事项": [
            MATTER_HEADERS,
            ["干部", wb.id_number(44), None, None, None, "事项", None, "省纪委", None, "2024-01-01", None],  # unknown
            ["单位", None, "320000", "甲局", None, "事项", None, "省纪委", "2024-02-01", "2024-01-01", None],
            ["单位", None, "320000", "甲局", None, "事项二", None, "省纪委", None, "2099-01-01", None],
            ["干部", None, None, None, None, "事项三", None, "省纪委", None, "2024-01-01", None],
            ["单位", None, "320000", "甲局", None, "事项四", None, None, None, "2024-01-01", None],
        ],
    }
    report = rejected(world.handler, wb.build(sheets))
    found = {(p.sheet, p.row, p.column): p.message for p in report.problems}
    assert "不存在的局" in found[("单位", 2, "C")]
    assert "第 3 行重复" in found[("单位", 4, "B")]
    assert "单位编码与第 3 行重复" in found[("单位", 5, "D")]
    assert "必填" in found[("单位", 6, "B")]
    assert "循环" in found[("单位", 7, "C")] and "循环" in found[("单位", 8, "C")]
    assert "2 个名为“同名科”" in found[("干部", 2, "E")]
    assert "须填写区划代码" in found[("干部", 3, "D")]
    assert "第 2 行重复" in found[("干部", 4, "B")]
    assert "必填" in found[("干部", 5, "A")]
    assert "找不到该身份证号的干部" in found[("问责事项", 2, "B")]
    assert "不能晚于启动日期" in found[("问责事项", 3, "I")]
    assert "不能晚于今天" in found[("问责事项", 4, "J")]
    assert "必填" in found[("问责事项", 5, "B")]
    assert "必填" in found[("问责事项", 6, "H")]
    assert report.total_problems == len(found) == 15, "\n".join(p.describe() for p in report.problems)


def test_headers_and_sheets(world) -> None:
    content = wb.build({"单位": [["区划代码", "上级单位", "备注" * 100]], "人员": [["姓名"]], "说明": [["随便写"]]})
    report = rejected(world.handler, content)
    messages = {(p.sheet, p.column): p.message for p in report.problems}
    assert "缺少必填列“单位名称”" in messages[("单位", "")]
    assert "不认识的工作表" in messages[("人员", "")]
    assert "不认识的列名" in messages[("单位", "C")] and len(messages[("单位", "C")]) <= 300  # kept short
    # The template's marks (*) and aliases are accepted.
    content = wb.build({"单位": [["区划代码*", "单位名称（必填）"], ["320000", "新单位", None]]})
    assert actions.import_workbook(world.handler, content, "a.xlsx").counts["单位"]["created"] == 1


def test_a_cadre_registered_outside_scope_is_not_taken_over(world) -> None:
    number = wb.id_number(51)
    make_cadre(world.other_unit, "外地干部", id_number=number)  # 昌宁县
    sheets = {"干部": [CADRE_HEADERS, ["外地干部", number, None, "320000", world.unit.name, None, None, None, None]]}
    report = rejected(world.handler, wb.build(sheets))
    assert "管辖范围以外" in report.problems[0].message
    assert Cadre.objects.get(id_number_index=crypto.blind_index(number)).unit == world.other_unit


def test_matters_may_name_cadres_already_in_the_system(world) -> None:
    number = wb.id_number(52)
    cadre = make_cadre(world.unit, "在册干部", id_number=number)
    row = ["干部", number, None, None, None, "既有干部事项", None, "省纪委", None, "2024-06-01", None]
    report = actions.import_workbook(world.handler, wb.build({"问责事项": [MATTER_HEADERS, row]}), "m.xlsx")
    assert report.counts["问责事项"]["created"] == 1
    m = AccountabilityMatter.objects.get(title="既有干部事项")
    assert m.cadre == cadre and m.unit == world.unit
    wrong = [*row[:2], "320000", "江苏省测试局", None, *row[5:]]
    actions.import_workbook(world.handler, wb.build({"单位": wb.good_sheets()["单位"][:2]}), "u.xlsx")
    report = rejected(world.handler, wb.build({"问责事项": [MATTER_HEADERS, wrong]}))
    assert "不一致" in report.problems[0].message


def test_decided_matters_are_not_changed_by_import(world) -> None:
    actions.import_workbook(world.handler, wb.good(), "a.xlsx")
    AccountabilityMatter.objects.filter(title="项目审批失误").update(status="decided")
    sheets = {"问责事项": [MATTER_HEADERS, list(wb.good_sheets()["问责事项"][1])]}
    sheets["问责事项"][1][6] = "改写描述"
    report = rejected(world.handler, wb.build(sheets))
    assert "已作出决定" in report.problems[0].message
    unchanged = {"问责事项": [MATTER_HEADERS, wb.good_sheets()["问责事项"][1]]}
    assert actions.import_workbook(world.handler, wb.build(unchanged), "b.xlsx").counts["问责事项"]["unchanged"] == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "为空"),
        (b"name,id\n", "不是 Excel"),
        (OLE_MAGIC + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04garbage", "不是 Excel"),
    ],
)
def test_files_that_are_not_workbooks(world, content: bytes, words: str) -> None:
    with pytest.raises(BadWorkbook, match=words):
        actions.import_workbook(world.handler, content, "名册.xlsx")
    assert counts()[1] == 1  # the world's cadre only


def test_problems_are_counted_beyond_the_listed(world, monkeypatch) -> None:
    monkeypatch.setattr("rongcuo.exchange.validate.MAX_LISTED", 3)
    rows = [["320000", None, None, None] for _ in range(6)]
    report = rejected(world.handler, wb.build({"单位": [UNIT_HEADERS, *rows]}))
    assert report.total_problems == 6 and len(report.problems) == 3 and report.to_dict()["problems_truncated"]


def test_id_numbers_in_matters_use_the_same_check(world) -> None:
    row = ["干部", wb.bad_checksum(ID4), None, None, None, "事项", None, "省纪委", None, "2024-01-01", None]
    report = rejected(world.handler, wb.build({"问责事项": [MATTER_HEADERS, row]}))
    assert [(p.column, p.header) for p in report.problems] == [("B", "干部身份证号")]


def test_a_matter_domain_outside_the_fixed_list_is_refused(world) -> None:
    sheets = wb.good_sheets()
    sheets["问责事项"][1][10] = "无此领域"
    before = counts()
    report = rejected(world.handler, wb.build(sheets))
    [problem] = [p for p in report.problems if p.sheet == "问责事项"]
    assert problem.row == 2 and problem.column == "K" and "征地拆迁" in problem.message and "之一" in problem.message
    assert counts() == before
