"""The workbench's YAML: every shipped rule file survives to_yaml/from_yaml unchanged in content and meaning."""

from __future__ import annotations

import ast
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from rongcuo.policy import PolicyError, PolicyErrors, authoring
from rongcuo.policy.authoring import from_yaml, to_yaml
from rongcuo.policy.checks import check_policy
from rongcuo.policy.diff import diff_versions
from rongcuo.policy.exact import compare_exact
from rongcuo.policy.loader import load_policy_text, policies_dir
from rongcuo.policy.testing import run_policy_tests

ROOT = Path(__file__).resolve().parents[2]


def _rule_files() -> list[Path]:
    # globbed when the tests are collected: files other people add are covered too
    files = []
    for path in sorted(policies_dir().glob("*.yaml")):
        if path.name.endswith(".test.yaml") or path.name.startswith("_"):
            continue
        if from_yaml(path.read_text(encoding="utf-8")).get("kind") == "base":
            continue
        files.append(path)
    return files


RULE_FILES = _rule_files()


def test_there_are_files_to_round_trip() -> None:
    assert len(RULE_FILES) >= 10


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_shipped_rule_file_round_trips(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = from_yaml(text, path.name)
    written = to_yaml(doc)
    assert from_yaml(written) == doc
    assert to_yaml(from_yaml(written)) == written  # deterministic: a second pass writes the same text
    original = load_policy_text(text, path.name, path=path)
    copy_path = tmp_path / path.name
    copy_path.write_text(written, encoding="utf-8")
    reloaded = load_policy_text(written, str(copy_path), path=copy_path)
    assert [v.version for v in reloaded.versions] == [v.version for v in original.versions]
    for a, b in zip(original.versions, reloaded.versions, strict=True):
        assert compare_exact(a, b).differing == 0  # the same outcome on every fact pattern
        assert diff_versions(a, b).changes == []
    # the same static findings as the hand-written file (the test file is found beside the copy)
    test_file = path.with_name(path.stem + ".test.yaml")
    (tmp_path / test_file.name).write_text(test_file.read_text(encoding="utf-8"), encoding="utf-8")
    found = sorted((f.code, f.field, f.message) for f in check_policy(reloaded, str(copy_path)))
    assert found == sorted((f.code, f.field, f.message) for f in check_policy(original, str(path)))
    report = run_policy_tests(reloaded, tmp_path / test_file.name)
    assert report.ok, [c.problems for c in report.failed]


@pytest.mark.parametrize("path", sorted(policies_dir().glob("*.test.yaml")), ids=lambda p: p.stem)
def test_shipped_test_file_round_trips(path: Path) -> None:
    tests = authoring.tests_from_yaml(path.read_text(encoding="utf-8"))
    assert authoring.tests_from_yaml(authoring.tests_to_yaml(tests)) == tests


def test_ambiguous_strings_are_quoted_and_read_back_as_strings() -> None:
    tricky = ["2016", "530524", "on", "yes", "no", "off", "null", "~", "true", "2024-01-01", "1e3", "0x1F", "", "#x",
              "a: b", "- x", "'q'", '"q"', "[1]", "{a}", "行1\n行2", " lead", "trail "]
    doc = {"format": 1, "id": "t", "title": "题", "jurisdiction": {"code": "530524", "name": "昌宁县"},
           "issued_by": "x", "versions": [{"version": "2016", "notes": tricky, "on": "on",
                                           "effective": {"from": dt.date(2016, 1, 1), "to": None}}]}
    text = to_yaml(doc)
    assert 'code: "530524"' in text and 'version: "2016"' in text and '"on": "on"' in text
    assert from_yaml(text) == doc


def test_dates_stay_dates_and_multiline_text_is_a_block() -> None:
    doc = {"versions": [{"effective": {"from": dt.date(2020, 5, 1)}, "note": "第一段\n第二段"}]}
    text = to_yaml(doc)
    assert "from: 2020-05-01" in text and "|" in text
    back = from_yaml(text)
    assert back == doc and isinstance(back["versions"][0]["effective"]["from"], dt.date)


def test_key_order_does_not_change_the_text() -> None:
    a = {"format": 1, "id": "x", "versions": [{"version": "1", "completeness": "partial", "effective": {"to": None,
                                                "from": dt.date(2020, 1, 1)}}]}
    b = {"versions": [{"effective": {"from": dt.date(2020, 1, 1), "to": None}, "completeness": "partial",
                       "version": "1"}], "id": "x", "format": 1}
    assert to_yaml(a) == to_yaml(b)
    assert to_yaml(a).startswith("format: 1\nid: x\nversions:\n  - version: \"1\"\n    effective:")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("format: 1\nid: [x\n", 3, "YAML 格式错误"),
        ("format: 1\nid: a\nid: b\nversions: [{}]\n", 3, "重复"),
        ("- a\n- b\n", 1, "映射"),
        ("format: 1\nid: a\n", None, "versions"),
        ("format: 1\nversions:\n  - 3\n", 3, "映射"),
        ("versions:\n  - effective: {from: 2020-02-30}\n", 2, "日期"),
    ],
)
def test_bad_yaml_names_the_line(text: str, line: int | None, words: str) -> None:
    with pytest.raises(PolicyError) as info:
        from_yaml(text, "draft.yaml")
    assert words in str(info.value)
    if line is not None:
        assert info.value.line == line


def test_strict_reading_reports_schema_problems_with_fields() -> None:
    text = (policies_dir() / "jiangsu-2017.yaml").read_text(encoding="utf-8").replace("applies_by:", "aplies_by:")
    assert from_yaml(text)["versions"][0]["aplies_by"] == "conduct_date"  # lenient: kept for the analysis
    with pytest.raises(PolicyErrors) as info:
        from_yaml(text, strict=True)
    fields = {e.field for e in info.value.errors}
    assert "versions[0].aplies_by" in fields and "versions[0].applies_by" in fields
    assert all(e.line for e in info.value.errors)


def test_tests_document_errors() -> None:
    assert authoring.tests_from_yaml("policy: x\n") == {"policy": "x", "cases": []}
    with pytest.raises(PolicyError):
        authoring.tests_from_yaml("policy: x\ncases:\n  - name: a\n    expect: {outcome: maybe}\n")
    with pytest.raises(PolicyError):
        authoring.tests_from_yaml("policy: x\ncases: 3\n")


def test_authoring_never_imports_django() -> None:
    for path in (ROOT / "rongcuo" / "policy" / "authoring").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            assert not any(n.split(".")[0] == "django" for n in names), path
    code = "import sys, rongcuo.policy.authoring; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
