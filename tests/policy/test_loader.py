from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rongcuo.policy.errors import PolicyError, PolicyErrors
from rongcuo.policy.loader import load_policy_text

from .conftest import FIXTURES

GOOD = (FIXTURES / "demo-county.yaml").read_text(encoding="utf-8")


def errors_of(text: str) -> list[PolicyError]:
    with pytest.raises(PolicyError) as exc:
        load_policy_text(text, "x.yaml")
    err = exc.value
    return err.errors if isinstance(err, PolicyErrors) else [err]


def line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_good_file_loads() -> None:
    p = load_policy_text(GOOD, "x.yaml")
    assert [v.version for v in p.versions] == ["2017", "2020"]


def test_unknown_fact_names_file_line_and_field() -> None:
    bad = GOOD.replace("when: exploratory_reform}", "when: exploratory_reformm}", 1)
    (err,) = errors_of(bad)
    assert err.file == "x.yaml"
    assert err.line == line_of(bad, "exploratory_reformm")
    assert err.field == "versions[0].situations[0].when"
    assert "exploratory_reformm" in err.message
    assert "x.yaml:" in str(err)


def test_expression_outside_language() -> None:
    bad = GOOD.replace("when: remedied}", "when: __import__('os')}", 1)
    (err,) = errors_of(bad)
    assert "__import__" in err.message and err.field == "versions[0].mitigations[0].when"


def test_unknown_field_and_missing_field_reported_together() -> None:
    bad = GOOD.replace("issued_by: 示范县委", "issued_bye: 示范县委")
    errs = errors_of(bad)
    fields = {e.field for e in errs}
    assert {"issued_by", "issued_bye"} <= fields
    assert all(e.line for e in errs)


def test_duplicate_node_ids() -> None:
    bad = GOOD.replace("id: s_list,", "id: s_reform,", 1)
    (err,) = errors_of(bad)
    assert "重复" in err.message and err.line == line_of(bad, "text: 列入免责清单")


def test_duplicate_yaml_keys() -> None:
    bad = GOOD.replace("title: 示范县容错纠错办法（测试用）", "title: a\ntitle: b")
    (err,) = errors_of(bad)
    assert "重复" in err.message and err.line == 4


def test_overlapping_versions() -> None:
    bad = GOOD.replace("to: 2019-12-31", "to: 2020-06-30")
    (err,) = errors_of(bad)
    assert "重叠" in err.message


def test_malformed_yaml_has_line() -> None:
    bad = GOOD.replace("versions:\n", "versions:\n  - [\n", 1)
    (err,) = errors_of(bad)
    assert err.line is not None and "YAML" in err.message


def test_bad_date_value() -> None:
    bad = GOOD.replace("from: 2017-01-01", "from: 2017-13-01")
    errs = errors_of(bad)
    assert any(e.field and "effective" in e.field for e in errs)


def test_partial_needs_note() -> None:
    bad = GOOD.replace("    completeness_note: 测试用：仅编码部分条款\n", "")
    errs = errors_of(bad)
    assert any("completeness_note" in (e.field or "") or "partial" in e.message for e in errs)


def test_unknown_disposition_and_area() -> None:
    bad = GOOD.replace("dispositions: [免予问责]}", "dispositions: [既往不咎]}", 1)
    (err,) = errors_of(bad)
    assert "既往不咎" in err.message


def test_version_in_time(demo_policy) -> None:
    assert demo_policy.version_on(dt.date(2018, 5, 1)).version == "2017"
    assert demo_policy.version_on(dt.date(2019, 12, 31)).version == "2017"
    assert demo_policy.version_on(dt.date(2020, 1, 1)).version == "2020"
    with pytest.raises(PolicyError) as exc:
        demo_policy.version_on(dt.date(2016, 12, 31))
    assert "没有有效版本" in str(exc.value)


def test_yaml_on_key_is_a_string(tmp_path: Path) -> None:
    from rongcuo.policy.yamlsource import load_yaml

    data, _ = load_yaml("on: 2020-01-01\nyes: no\nflag: true\n", "t.yaml")
    assert data == {"on": dt.date(2020, 1, 1), "yes": "no", "flag": True}
