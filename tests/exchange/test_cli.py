"""`rongcuo import` and `rongcuo export`: exit codes 0 / 1 / 2, the printed report, the files written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from rongcuo.cli import main
from rongcuo.commands import exchange as cli
from rongcuo.org.models import Cadre, Unit

from . import workbooks as wb
from .workbooks import ID1

pytestmark = pytest.mark.django_db


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(wb.good())
    return path


def test_import_ok_then_nothing_changes(world, good_file: Path) -> None:
    r = run("import", str(good_file), "--user", "handler", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "校验通过" in r.stdout and "单位：新增 4" in r.stdout
    assert not Unit.objects.filter(name="江苏省测试局").exists()
    r = run("import", str(good_file), "--user", "handler")
    assert r.exit_code == 0 and "导入完成" in r.stdout and "干部：新增 4" in r.stdout
    r = run("import", str(good_file), "-u", "handler", "--json")
    report = json.loads(r.stdout)
    assert (
        r.exit_code == 0
        and report["imported"]
        and report["counts"]["干部"]
        == {
            "created": 0,
            "changed": 0,
            "unchanged": 4,
        }
    )


def test_import_with_problems_prints_the_report_and_exits_1(world, tmp_path: Path) -> None:
    sheets = wb.good_sheets()
    sheets["干部"][1][1] = wb.bad_checksum(ID1)
    sheets["干部"][2][2] = "12345"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(wb.build(sheets))
    before = Cadre.objects.count()
    r = run("import", str(path), "--user", "handler")
    assert r.exit_code == 1
    assert "工作表“干部” 第2行 B列（身份证号）：身份证号校验码错误" in r.stdout
    assert "工作表“干部” 第3行 C列（手机号）" in r.stdout
    assert "校验未通过：共 3 处问题" in r.stdout and "未导入任何数据" in r.stdout
    assert Cadre.objects.count() == before
    r = run("import", str(path), "--user", "handler", "--dry-run", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["problem_count"] == 3


def test_import_bad_input_exits_2(world, tmp_path: Path, good_file: Path) -> None:
    r = run("import", str(tmp_path / "none.xlsx"), "--user", "handler")
    assert r.exit_code == 2 and "文件不存在" in r.stderr
    text = tmp_path / "名册.csv"
    text.write_text("姓名,身份证号\n", encoding="utf-8")
    r = run("import", str(text), "--user", "handler")
    assert r.exit_code == 2 and "不是 Excel 工作簿" in r.stderr
    r = run("import", str(good_file), "--user", "nobody")
    assert r.exit_code == 2 and "账号“nobody”不存在" in r.stderr
    r = run("import", str(good_file), "--user", "investigator")
    assert r.exit_code == 2 and "只有承办人" in r.stderr
    assert run("import", str(good_file)).exit_code == 2  # --user missing (click usage error)


def test_exports(world, tmp_path: Path) -> None:
    from tests.stats import dataset

    ds = dataset.build(world)
    out = tmp_path / "cases.xlsx"
    r = run("export", "cases", "--user", "handler", "-o", str(out), "--status", "closed")
    assert r.exit_code == 0 and "已导出 2 行" in r.stdout
    numbers = {row[0] for row in openpyxl.load_workbook(out)["案件清单"].iter_rows(min_row=2, values_only=True)}
    assert numbers == {ds.c.number, ds.d.number}
    r = run("export", "stats", "-u", "handler", "-o", str(tmp_path / "s.xlsx"), "--period", "quarter")
    assert r.exit_code == 0 and "按期间" in openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames
    r = run("export", "standing", "-u", "org_liaison", "-o", str(tmp_path / "t.xlsx"), "--on", "2030-01-01")
    assert r.exit_code == 0 and "已导出 2 行" in r.stdout
    r = run("export", "template", "-o", str(tmp_path / "模板.xlsx"))
    assert r.exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "模板.xlsx").sheetnames == ["说明", "单位", "干部", "问责事项"]


def test_export_bad_input_exits_2_and_leaves_no_file(world, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    for args, words in (
        (["cases", "-u", "handler", "--stage", "nope"], "stage"),
        (["cases", "-u", "sysadmin"], "没有可以导出的案件"),
        (["stats", "-u", "applicant"], "统计仅对办案人员开放"),
        (["stats", "-u", "handler", "--since", "2024-13-01"], "格式不对"),
        (["standing", "-u", "handler", "--jurisdiction", "999999"], "999999"),
        (["cases", "-u", "handler", "-o", str(tmp_path / "no" / "x.xlsx")], "输出目录不存在"),
    ):
        r = run("export", *args, "-o", str(out)) if "-o" not in args else run("export", *args)
        assert r.exit_code == 2, (args, r.output)
        assert words in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_on_a_terminal(monkeypatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Tty()
    monkeypatch.setattr("sys.stderr", err)
    assert list(cli._track(range(500), "读取干部", 500)) == list(range(500))
    assert "读取干部" in err.getvalue()
    quiet = Tty()
    monkeypatch.setattr("sys.stderr", quiet)
    assert list(cli._track(range(5), "读取干部", 5)) == list(range(5)) and quiet.getvalue() == ""
