from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rongcuo.cli import main

from .conftest import FIXTURES

DEMO = str(FIXTURES / "demo-county.yaml")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_list_and_show() -> None:
    r = run("policy", "list")
    assert r.exit_code == 0 and "jiangsu-2017" in r.output
    r = run("policy", "show", "cn-accountability-2019")
    assert r.exit_code == 0
    assert "第十七条" in r.output and "when:" in r.output and "部分" in r.output
    r = run("policy", "show", "cn-accountability-2019", "--json")
    assert json.loads(r.output)["rules"]["situations"][0]["ref"].startswith("第十七条")


def test_evaluate_jsonl_keeps_order_and_ids(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "violates_discipline_or_law": True},
        {
            "id": 7,
            "objected_in_collective_decision": True,
            "violates_discipline_or_law": False,
            "superior_decision_illegal": False,
            # the red lines inherited from cn-common-red-lines must be answered too: unknown is never false
            "defied_explicit_ban": False,
            "intentional": False,
            "private_gain": False,
        },
        {"id": "c"},
    ]
    f = tmp_path / "cases.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    r = run("policy", "evaluate", "cn-accountability-2019", "--facts", str(f), "--json", "--on", "2020-01-01")
    assert r.exit_code == 0, r.output
    out = [json.loads(line) for line in r.output.splitlines()]
    assert [o["id"] for o in out] == ["a", 7, "c"]
    assert [o["outcome"] for o in out] == ["not_tolerated", "exempt", "undetermined"]
    for o in out:
        for key in (
            "policy",
            "version",
            "outcome",
            "dispositions",
            "decisive_facts",
            "citations",
            "trace",
            "explanation",
        ):
            assert key in o
    assert out[2]["decisive_facts"][0] == "violates_discipline_or_law"


def test_evaluate_stdin_single_object_text_output() -> None:
    r = run(
        "policy",
        "evaluate",
        "cn-accountability-2019",
        "--facts",
        "-",
        input='{\n  "objected_in_collective_decision": true\n}\n',
    )
    assert r.exit_code == 0
    assert "下一步需要查明" in r.output


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        ('{"exploratory_reformm": true}', "exploratory_reformm"),
        ('{"exploratory_reform": "yes"}', "应为 true、false 或 null"),
        ('{"exploratory_reform": 1}', "应为 true、false 或 null"),
        ("{not json", "不是合法的 JSON"),
        ("[1, 2]", "JSON 对象"),
        ("", "没有案件事实"),
    ],
)
def test_bad_facts_exit_2_with_message(facts: str, words: str) -> None:
    r = CliRunner().invoke(main, ["policy", "evaluate", "jiangsu-2017", "--facts", "-"], input=facts)
    assert r.exit_code == 2
    assert words in r.output
    assert "Traceback" not in r.output


def test_bad_line_is_named(tmp_path: Path) -> None:
    f = tmp_path / "b.jsonl"
    f.write_text('{"remedied": true}\n{"remedied": null}\n{"remedied": "no"}\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["policy", "evaluate", "jiangsu-2017", "--facts", str(f), "--json"])
    assert r.exit_code == 2
    assert f"{f}:3: remedied:" in r.output
    assert '"outcome"' not in r.output  # nothing evaluated when the input is bad


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["policy", "evaluate", "no-such-policy", "--facts", "-"], "未知的政策编号"),
        (["policy", "evaluate", "jiangsu-2017", "--facts", "-", "--on", "2001-01-01"], "没有有效版本"),
        (["policy", "evaluate", "jiangsu-2017", "--facts", "-", "--on", "2020-02-30"], "YYYY-MM-DD"),
        (["policy", "evaluate", "jiangsu-2017", "--facts", "/no/such/file.json"], "不存在"),
        (["policy", "show", "jiangsu-2017@1999-01-01"], "没有有效版本"),
    ],
)
def test_bad_arguments_exit_2(args: list[str], words: str) -> None:
    r = CliRunner().invoke(main, args, input="{}")
    assert r.exit_code == 2, r.output
    assert words in r.output


def test_real_process_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    exe = [sys.executable, "-m", "rongcuo"]
    p = subprocess.run(
        [*exe, "policy", "evaluate", "jiangsu-2017", "--facts", "-"], input='{"x": 1}', capture_output=True, text=True
    )
    assert p.returncode == 2 and "Traceback" not in p.stderr and "x" in p.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (FIXTURES / "demo-county.yaml")
        .read_text(encoding="utf-8")
        .replace("when: remedied}", "when: remedied and secret_fact}", 1),
        encoding="utf-8",
    )
    p = subprocess.run([*exe, "policy", "check", str(bad)], capture_output=True, text=True)
    assert p.returncode == 1
    assert "secret_fact" in p.stdout and f"{bad}:" in p.stdout


def test_check_reports_never_firing_rule(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (FIXTURES / "demo-county.yaml")
        .read_text(encoding="utf-8")
        .replace("when: remedied}", "when: remedied and not remedied}", 1),
        encoding="utf-8",
    )
    r = run("policy", "check", str(bad))
    assert r.exit_code == 1 and "never-fires" in r.output


def test_check_shipped_policies_clean() -> None:
    r = run("policy", "check")
    assert r.exit_code == 0, r.output
    assert "0 个错误" in r.output


def test_test_command_reports_failures_and_coverage(tmp_path: Path) -> None:
    pol = tmp_path / "demo-county.yaml"
    pol.write_text((FIXTURES / "demo-county.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "demo-county.test.yaml").write_text(
        "policy: demo-county\ncases:\n"
        "  - name: 错误期望\n    on: 2021-01-01\n    facts: {violates_discipline_or_law: true}\n"
        "    expect: {outcome: exempt}\n",
        encoding="utf-8",
    )
    r = run("policy", "test", str(pol))
    assert r.exit_code == 1
    assert "结论应为 exempt，实为 not_tolerated" in r.output
    assert "未覆盖" in r.output


def test_compare_shows_places_disagreeing(tmp_path: Path) -> None:
    facts = {
        "exploratory_reform": True,
        "lacks_precedent": True,
        "violates_discipline_or_law": False,
        "private_gain": False,
        "public_interest": True,
        "collective_decision": True,
        "intentional": False,
        "defied_explicit_ban": False,
        "major_incident": False,
        "superior_decision_illegal": False,
    }
    r = run("policy", "compare", "--facts", "-", "--on", "2024-06-01", "--json", input=json.dumps(facts))
    assert r.exit_code == 0, r.output
    out = [json.loads(line) for line in r.output.splitlines()]
    assert {o["policy"] for o in out} >= {"jiangsu-2017", "cn-accountability-2019", "sichuan-ftz-2024"}
    r = run("policy", "compare", "--facts", "-", "--on", "2018-03-01", input=json.dumps(facts))
    assert r.exit_code == 0
    assert "未比较" in r.output and "sichuan-ftz-2024" in r.output  # not yet in force then
    r = run(
        "policy",
        "compare",
        "--facts",
        "-",
        "--policies",
        "jiangsu-2017,shandong-2017",
        "--json",
        input=json.dumps(facts),
    )
    assert [json.loads(line)["policy"] for line in r.output.splitlines()] == ["jiangsu-2017", "shandong-2017"]


def test_diff_versions_and_places() -> None:
    r = run("policy", "diff", f"{DEMO}", "cn-accountability-2019", "--json")
    assert r.exit_code == 0
    d = json.loads(r.output)
    assert d["format"] == "rongcuo.diff/1"
    r = CliRunner().invoke(main, ["policy", "diff", "demo-county@2018-01-01", "demo-county@2021-01-01"])
    assert r.exit_code == 2 and "未知的政策编号" in r.output  # not a shipped id
    r = run("policy", "diff", f"{DEMO}@2018-01-01", f"{DEMO}@2021-01-01", "--json")
    d = json.loads(r.output)
    kinds = {(c["kind"], c["id"]) for c in d["changes"]}
    assert {("added", "c_collective"), ("added", "s_emergency"), ("added", "x_repeat"), ("removed", "s_list")} <= kinds
    assert d["meta"]["completeness"] == {"a": "complete", "b": "partial"}
    r = run("policy", "diff", f"{DEMO}@2018-01-01", f"{DEMO}@2021-01-01")
    assert "+ 新增 c_collective（第三条第三项）" in r.output
    r = run("policy", "diff", "jiangsu-2017", "jiangsu-2017")
    assert "两者规则相同" in r.output


def test_simulate_matrix(tmp_path: Path) -> None:
    cases = [
        {
            "id": "k1",
            "public_interest": True,
            "private_gain": False,
            "violates_discipline_or_law": False,
            "exploratory_reform": True,
            "collective_decision": False,
            "repeat_error": False,
        },
        {
            "id": "k2",
            "public_interest": True,
            "private_gain": False,
            "violates_discipline_or_law": False,
            "exploratory_reform": True,
            "collective_decision": True,
            "repeat_error": False,
        },
    ]
    f = tmp_path / "c.jsonl"
    f.write_text("\n".join(json.dumps(c) for c in cases), encoding="utf-8")
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    text = (FIXTURES / "demo-county.yaml").read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(text, encoding="utf-8")
    r = run("policy", "simulate", "--baseline", f"{old}", "--reform", f"{new}", "--facts", str(f), "--json")
    assert r.exit_code == 0, r.output
    sim = json.loads(r.output)
    assert sim["cases"] == 2
    assert sim["changed_count"] == 0
    # same file, two versions: 2017 needs no collective decision, 2020 does
    from rongcuo.policy import load_policy_file
    from rongcuo.policy.batch import simulate, to_columns
    from rongcuo.policy.facts import Case

    p = load_policy_file(old)
    a, b = p.versions
    data = to_columns(
        [Case(c["id"], {k: v for k, v in c.items() if k != "id"}, 1) for c in cases],
        sorted(set(a.facts_used()) | set(b.facts_used())),
    )
    s = simulate(a, b, data)
    assert s.changed == [("k1", "exempt", "undetermined")]  # 2020 needs collective decision; remedied unknown
    assert int(s.matrix.sum()) == 2
