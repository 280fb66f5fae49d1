"""The analysis beside the editor: load errors with fields, check and solver findings, tests and coverage,
exact comparisons with the parent and the version in force, local-fact warnings."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rongcuo.policy import Library
from rongcuo.policy import authoring as A
from rongcuo.policy.loader import policies_dir


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.default()


@pytest.fixture
def jiangsu() -> dict:
    return A.from_yaml((policies_dir() / "jiangsu-2017.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def jiangsu_tests() -> dict:
    return A.tests_from_yaml((policies_dir() / "jiangsu-2017.test.yaml").read_text(encoding="utf-8"))


def _county(jiangsu: dict) -> dict:
    doc = A.derived_document(jiangsu, "2017", "jiangsu-demo-county", "示范县办法", "320115", "江宁区", "2024",
                             dt.date(2024, 1, 1))
    return A.set_meta(doc, issued_by="中共示范县委")


SAFE = {"violates_discipline_or_law": False, "defied_explicit_ban": False, "private_gain": False,
        "intentional": False, "major_incident": False}


def test_a_shipped_measure_with_its_tests_is_clean(jiangsu: dict, jiangsu_tests: dict, library: Library) -> None:
    an = A.analyse(jiangsu, jiangsu_tests, library=library)
    assert an.loads and an.check == [] and an.verify == [] and an.tests_error is None
    assert len(an.tests) == len(jiangsu_tests["cases"]) and all(t["passed"] for t in an.tests)
    assert an.coverage == [] and an.ok
    assert an.compare_current is not None and an.compare_current["differing"] == 0  # the library's own version
    json.dumps(an.to_dict(), ensure_ascii=False)  # serialisable as it is


def test_findings_of_a_flawed_draft(jiangsu: dict, jiangsu_tests: dict, library: Library) -> None:
    parent = library.get("jiangsu-2017").versions[0]
    doc = _county(jiangsu)
    # a check error: a situation that can never hold
    doc = A.put_node(doc, "situations", {"id": "s_never", "ref": "办法·第五条", "text": "自相矛盾的情形",
                                         "when": "exploratory_reform and not exploratory_reform"})
    # a verify finding: leave out the shared red line on private gain → a private gain can be exempted
    doc = A.put_reading(doc, "办法·第三条", "本县办法未列谋取私利", node="rl_private_gain")
    doc = A.set_base(doc, "cn-common-red-lines", opt_out=["rl_private_gain"], cite=[])
    # a local fact, so that the measure is 待定 wherever it is not asked
    doc = A.put_fact(doc, "county_pilot", "县级试点", "是否属于县委批准的试点事项？")
    doc = A.put_node(doc, "situations", {"id": "s_county_pilot", "ref": "办法·第六条", "text": "县级试点中出现失误的",
                                         "when": "county_pilot"})
    tests = {"policy": "jiangsu-demo-county", "cases": []}
    pilot = {**SAFE, "county_pilot": True, "public_interest": True, "collective_decision": True}
    tests = A.put_test(tests, {"name": "县级试点 → 免予问责", "facts": pilot, "expect": {"outcome": "exempt"}}, doc=doc)
    tests = A.put_test(tests, {"name": "错误的预期", "facts": {**SAFE, "county_pilot": True, "public_interest": True,
                                                             "collective_decision": True},
                               "expect": {"outcome": "not_tolerated"}}, doc=doc)
    an = A.analyse(doc, tests, parent=parent, library=library)
    assert an.loads
    never = [f for f in an.check if f["code"] == "never-fires"]
    assert never and never[0]["field"] == "situations[s_never]" and never[0]["severity"] == "error"
    weaker = [f for f in an.verify if f["code"] == "weaker-than-base"]
    assert weaker and weaker[0]["witness"]["private_gain"] is True and "谋取私利=是" in weaker[0]["witness_text"]
    assert an.findings and an.findings[0].code == "weaker-than-base"  # the library's objects, for the pages
    rows = {t["name"]: t for t in an.tests}
    assert rows["县级试点 → 免予问责"]["passed"] is True
    assert rows["错误的预期"]["passed"] is False and "结论应为 not_tolerated" in rows["错误的预期"]["message"]
    # a rule that can never hold is asked to be false only (and the facts left it unknown)
    assert "情形 s_never（办法·第五条）：没有一个用例使它不成立" in an.coverage
    assert "不予容错情形 rl_discipline_law（共同红线，中办发〔2018〕29号）：没有一个用例使它成立" in an.coverage
    assert any(line.startswith("条件 c_public_spirited") and "不成立" in line for line in an.coverage)
    assert an.local_fact_warnings == ["本地事实「县级试点」（county_pilot）不在要件库中：凡未问及此事实的案件，"
                                      "情形 s_county_pilot 均无法判断，结论可能因此为待定"]
    cmp = an.compare_parent
    assert cmp is not None and cmp["a"] == "jiangsu-2017@2017" and cmp["b"] == "jiangsu-demo-county@2024"
    assert cmp["differing"] > 0 and cmp["regions"] and "结论不同的事实组合" in cmp["summary"]
    first = cmp["regions"][0]
    assert first["a"]["label"] in ("不予容错", "待定", "免予问责", "从轻或减轻处理") and "=" in first["cond"]
    assert "parent" in an.comparisons and an.comparisons["parent"].differing == cmp["differing"]
    assert not an.ok
    json.dumps(an.to_dict(), ensure_ascii=False)


def test_a_draft_that_does_not_load_reports_only_that(jiangsu: dict) -> None:
    text = A.to_yaml(jiangsu).replace("applies_by: conduct_date", "applies_by: whenever")
    doc = A.from_yaml(text)
    an = A.analyse(doc, None)
    assert not an.loads and an.check == [] and an.verify == [] and an.tests == [] and an.compare_parent is None
    error = an.load_errors[0]
    assert error["field"] == "applies_by" and error["raw_field"] == "versions[0].applies_by" and error["line"]
    # a load error inside a rule names the rule by its id
    v = doc["versions"][0]
    v["applies_by"] = "conduct_date"
    v["situations"][0]["when"] = "exploratory_reform and nonsense_fact"
    an = A.analyse(doc, None)
    assert an.load_errors[0]["field"] == "situations[s_reform_no_precedent].when"
    assert "nonsense_fact" in an.load_errors[0]["message"]


def test_a_new_draft_and_its_reminders(library: Library) -> None:
    blank = A.blank_document("demo-new", "示范办法", "530524", "昌宁县", "1", dt.date(2024, 1, 1))
    an = A.analyse(blank, None, library=library)
    codes = {(f["code"], f["field"]) for f in an.check}
    assert ("missing-citation", "outcomes[o_tolerate]") in codes
    assert ("draft-placeholder", "issued_by") in codes and ("draft-placeholder", "completeness_note") in codes
    assert an.coverage == ["尚无测试用例：每条规则都应在某个用例中成立一次、不成立一次"]
    taken = A.blank_document("jiangsu-2017", "示范办法", "320000", "江苏省", "1", dt.date(2024, 1, 1))
    assert any(f["code"] == "id-taken" for f in A.analyse(taken, None, library=library).check)


def test_a_revision_is_compared_with_the_version_in_force(jiangsu: dict, jiangsu_tests: dict,
                                                          library: Library) -> None:
    doc = A.revision_document(jiangsu, "2025", dt.date(2025, 1, 1))
    doc = A.set_open_situations(A.remove_reading(doc, 0), None)  # the list of situations is now complete
    undated = A.analyse(doc, jiangsu_tests, library=library)
    assert undated.tests_error and "未写明适用日期" in undated.tests_error
    cases = [{**c, "on": c.get("on") or dt.date(2018, 1, 1)} for c in jiangsu_tests["cases"]]
    tests = A.put_test({**jiangsu_tests, "cases": cases}, {"name": "新版", "on": "2025-06-01",
                                       "facts": {**SAFE, "public_interest": True, "collective_decision": True,
                                                 "exploratory_reform": False},
                                       "expect": {"outcome": "not_tolerated"}}, doc=doc)
    an = A.analyse(doc, tests, library=library)
    assert an.loads and an.tests_error is None
    assert an.tests[-1] == {"name": "新版", "version": "2025", "passed": True, "message": ""}
    cmp = an.compare_current
    assert cmp is not None and cmp["a"] == "jiangsu-2017@2017" and cmp["b"] == "jiangsu-2017@2025"
    # where the 2017 text was silent (待定), the closed list now says 不予容错
    assert cmp["differing"] > 0
    assert {(r["a"]["outcome"], r["b"]["outcome"]) for r in cmp["regions"]} == {("undetermined", "not_tolerated")}
    # coverage is reported for the version being edited only
    assert all("2017" not in line for line in an.coverage)


def test_a_tests_document_that_cannot_run_is_reported(jiangsu: dict) -> None:
    tests = {"policy": "jiangsu-2017", "cases": [{"name": "太早", "on": dt.date(2000, 1, 1), "facts": {},
                                                  "expect": {"outcome": "exempt"}}]}
    an = A.analyse(jiangsu, tests)
    assert an.tests == [] and an.tests_error and "没有有效版本" in an.tests_error


def test_results_are_kept_per_text(jiangsu: dict, library: Library) -> None:
    first = A.analyse(jiangsu, None, library=library)
    assert A.analyse(A.from_yaml(A.to_yaml(jiangsu)), None, library=library) is first
    assert A.analyse(jiangsu, None) is not first  # another library: another result
    changed = A.set_meta(jiangsu, document_number="苏办发〔2017〕9号")
    assert A.analyse(changed, None, library=library) is not first


def test_local_fact_warnings_name_the_rules(jiangsu: dict) -> None:
    doc = A.put_fact(jiangsu, "park", "园区试点", "是否园区试点？")
    assert A.local_fact_warnings(doc) == ["本地事实「园区试点」（park）没有被任何规则使用"]
    doc = A.put_node(doc, "exclusions", {"id": "x_park", "ref": "办法", "text": "园区", "when": "park and major_loss"})
    assert "不予容错情形 x_park" in A.local_fact_warnings(doc)[0]
    assert any(f["code"] == "unused-fact" for f in A.analyse(A.put_fact(jiangsu, "zone", "园区", "是否？"), None).check)
