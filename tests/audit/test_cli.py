"""`rongcuo audit …` through the command line entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rongcuo.audit.models import AuditCheckpoint, AuditRecord
from rongcuo.cli import main

from .conftest import make_records, sql

pytestmark = pytest.mark.django_db

TABLE = AuditRecord._meta.db_table


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["audit", *args], catch_exceptions=False)


def test_verify_ok_prints_count_and_head() -> None:
    recs = make_records(6)
    r = run("verify")
    assert r.exit_code == 0, r.output
    assert "审计链完整：共 6 条记录" in r.output and recs[-1].hash in r.output and "条/秒" in r.output
    out = json.loads(run("verify", "--json").output)
    assert out["ok"] and out["count"] == 6 and out["head_hash"] == recs[-1].hash and out["broken"] is None


def test_verify_names_the_tampered_record(no_triggers: None) -> None:
    make_records(9)
    sql(f"UPDATE {TABLE} SET action = 'case.forged' WHERE seq = 4")
    for extra in ((), ("--exact",)):
        r = run("verify", *extra)
        assert r.exit_code == 1
        assert "审计链断裂：第 4 条记录" in r.output and "case.forged" in r.output and "内容与哈希不符" in r.output
    out = json.loads(run("verify", "--json").output)
    assert not out["ok"] and out["count"] == 3
    assert out["broken"]["seq"] == 4 and out["broken"]["action"] == "case.forged"
    assert out["broken"]["at"].endswith("Z")


def test_verify_names_a_deleted_record(no_triggers: None) -> None:
    make_records(9)
    sql(f"DELETE FROM {TABLE} WHERE seq = 7")
    r = run("verify")
    assert r.exit_code == 1 and "第 7 条记录：记录缺失" in r.output


def test_checkpoint_export_and_check(tmp_path: Path) -> None:
    r = run("checkpoint")
    assert r.exit_code == 0 and "尚无审计记录" in r.output
    make_records(3)
    r = run("checkpoint")
    assert r.exit_code == 0 and "已生成检查点：树大小 3" in r.output
    assert "检查点已存在" in run("checkpoint").output
    out = tmp_path / "cp.json"
    r = run("export-checkpoints", "--output", str(out))
    assert r.exit_code == 0
    saved = json.loads(out.read_text(encoding="utf-8"))["checkpoints"]
    assert [c["tree_size"] for c in saved] == [3]
    assert json.loads(run("export-checkpoints").output)["checkpoints"] == saved  # to standard output
    r = run("check-checkpoints", str(out))
    assert r.exit_code == 0 and "1 个检查点全部与当前记录的链哈希吻合" in r.output
    assert run("check-checkpoints").exit_code == 0  # the stored ones


def test_check_checkpoints_fails_after_tampering(tmp_path: Path, no_triggers: None) -> None:
    make_records(4)
    run("checkpoint")
    out = tmp_path / "cp.json"
    run("export-checkpoints", "-o", str(out))
    sql(f"UPDATE {TABLE} SET hash = %s WHERE seq = 2", ["cd" * 32])
    r = run("check-checkpoints", str(out))
    assert r.exit_code == 1 and "检查点（树大小 4）" in r.output and "1 个不符" in r.output


def test_bad_checkpoint_file_is_exit_2(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["audit", "check-checkpoints", str(tmp_path / "missing.json")])
    assert r.exit_code == 2 and "不存在" in r.output
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    r = CliRunner().invoke(main, ["audit", "check-checkpoints", str(bad)])
    assert r.exit_code == 2 and "不是有效的 JSON" in r.output
    assert not AuditCheckpoint.objects.exists()


def test_checkpoint_over_a_gap_exits_1(no_triggers: None) -> None:
    make_records(4)
    sql(f"DELETE FROM {TABLE} WHERE seq = 2")
    r = run("checkpoint")
    assert r.exit_code == 1 and "无法生成检查点：第 2 条记录缺失" in r.output
