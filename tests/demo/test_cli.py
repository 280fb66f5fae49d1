"""`rongcuo demo` on the command line: loads once, prints the accounts every time."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rongcuo import demo
from rongcuo.cli import main
from tests.demo.test_demo import counts

pytestmark = pytest.mark.django_db


def test_cli_loads_once_and_prints_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    # The full set of cases is checked in test_demo.py; two are enough for the command's plumbing.
    monkeypatch.setattr(demo, "CASES", demo.CASES[:2])
    runner = CliRunner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "演示数据已载入：2 件案件" in first.output
    for text in (demo.PASSWORD, "sysadmin", "js_handler", "cn_handler", "wangjianguo", "江苏省（320000）", "逾期案件"):
        assert text in first.output
    before = counts()
    second = runner.invoke(main, ["demo"])
    assert second.exit_code == 0, second.output
    assert "演示数据已存在，未重复载入" in second.output and "js_handler" in second.output
    assert counts() == before
