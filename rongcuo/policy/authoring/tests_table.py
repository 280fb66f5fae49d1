"""The tests table of a draft: rows of the `<id>.test.yaml` document (policy-format §6), checked as they are
entered so that a test file written from it loads."""

from __future__ import annotations

import copy
from typing import Any

from ..catalog import OUTCOME_LABELS, catalog
from .common import EditError, day, known_facts, last_version, text

EXPECT_KEYS = ("outcome", "dispositions", "citations", "decisive_facts")


def _tests(tests: Any) -> dict:
    if not isinstance(tests, dict):
        raise EditError("tests", "测试：应为测试文档（policy、cases）")
    cases = tests.get("cases") or []
    if not isinstance(cases, list):
        raise EditError("tests.cases", "测试：cases 应为用例列表")
    return tests


def _fact_ids(ids: Any, known: set[str] | None, field: str, name: str) -> list[str]:
    if not isinstance(ids, list | tuple):
        raise EditError(field, f"{name}：应为事实列表")
    out = []
    for fid in ids:
        if not isinstance(fid, str) or (known is not None and fid not in known) or (
                known is None and fid not in catalog().facts):
            raise EditError(field, f"{name}：未知事实 {fid}")
        if fid not in out:
            out.append(fid)
    return out


def put_test(tests: dict, row: dict, *, index: int | None = None, doc: dict | None = None) -> dict:
    """Add a test row, or replace the one at `index` (0-based). row = {name, on (date or None), facts: {id: True |
    False | None}, expect: {outcome, dispositions?, citations?, decisive_facts?}}. Fact ids are checked against
    `doc` (catalog and its local facts); without `doc`, against the catalog only. A document with several
    versions needs `on` to say which version the row tests."""
    tests = _tests(tests)
    cases = list(tests.get("cases") or [])
    if index is not None and (not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(cases)):
        raise EditError(f"cases[{index}]", f"测试：没有第 {index + 1 if isinstance(index, int) else index} 个用例")
    number = (len(cases) if index is None else index)
    where, label = f"cases[{number}]", f"第 {number + 1} 个测试用例"
    if not isinstance(row, dict):
        raise EditError(where, f"{label}：应为映射（name、on、facts、expect）")
    extra = sorted(set(row) - {"name", "on", "facts", "expect"})
    if extra:
        raise EditError(where, f"{label}：不认识的字段 {', '.join(map(str, extra))}")
    known = known_facts(last_version(doc)) if doc is not None else None
    item: dict[str, Any] = {"name": text(row.get("name"), f"{where}.name", f"{label}的名称", limit=500)}
    on = day(row.get("on"), f"{where}.on", f"{label}的适用日期", required=False)
    if on is None and doc is not None and len(doc.get("versions") or []) > 1:
        raise EditError(f"{where}.on", f"{label}的适用日期：办法有多个版本，须写明适用日期")
    if on is not None:
        item["on"] = on
    facts = row.get("facts") or {}
    if not isinstance(facts, dict):
        raise EditError(f"{where}.facts", f"{label}的事实：应为 事实 → 是/否/未查明")
    values: dict[str, bool | None] = {}
    for fid, value in facts.items():
        _fact_ids([fid], known, f"{where}.facts", f"{label}的事实")
        if value is not None and not isinstance(value, bool):
            raise EditError(f"{where}.facts.{fid}", f"{label}的事实 {fid}：应为是、否或未查明")
        values[fid] = value
    item["facts"] = values
    item["expect"] = _expect(row.get("expect"), known, f"{where}.expect", f"{label}的预期")
    new = copy.deepcopy(tests)
    new_cases = list(new.get("cases") or [])
    if index is None:
        new_cases.append(item)
    else:
        new_cases[index] = item
    new["cases"] = new_cases
    return new


def _expect(expect: Any, known: set[str] | None, field: str, name: str) -> dict:
    if not isinstance(expect, dict):
        raise EditError(field, f"{name}：应写明预期结论")
    extra = sorted(set(expect) - set(EXPECT_KEYS))
    if extra:
        raise EditError(field, f"{name}：不认识的字段 {', '.join(map(str, extra))}")
    outcome = expect.get("outcome")
    if outcome not in OUTCOME_LABELS:
        choices = "、".join(f"{w}（{k}）" for k, w in OUTCOME_LABELS.items())
        raise EditError(f"{field}.outcome", f"{name}的结论：应为 {choices} 之一")
    out: dict[str, Any] = {"outcome": outcome}
    if expect.get("decisive_facts") is not None:
        out["decisive_facts"] = _fact_ids(expect["decisive_facts"], known, f"{field}.decisive_facts",
                                          f"{name}的待查明事实")
    citations = expect.get("citations") or []
    if not isinstance(citations, list | tuple):
        raise EditError(f"{field}.citations", f"{name}的引用条款：应为列表")
    cites = [text(c, f"{field}.citations", f"{name}的引用条款") for c in citations]
    if cites:
        out["citations"] = cites
    if expect.get("dispositions") is not None:
        known_d = catalog().dispositions
        ds = expect["dispositions"]
        if not isinstance(ds, list | tuple) or any(d not in known_d for d in ds):
            raise EditError(f"{field}.dispositions", f"{name}的处理方式：应为 {'、'.join(known_d)} 中的若干项")
        out["dispositions"] = list(ds)
    return out


def remove_test(tests: dict, index: int) -> dict:
    tests = _tests(tests)
    cases = list(tests.get("cases") or [])
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(cases):
        raise EditError(f"cases[{index}]", f"测试：没有第 {index + 1 if isinstance(index, int) else index} 个用例")
    new = copy.deepcopy(tests)
    new["cases"] = [c for i, c in enumerate(new["cases"]) if i != index]
    return new


def rename_fact_in_tests(tests: dict, old_id: str, new_id: str) -> dict:
    """The tests after a local fact was renamed with put_fact(old_id=…): its values and expected decisive facts
    follow."""
    tests = _tests(tests)
    new = copy.deepcopy(tests)
    for case in new.get("cases") or []:
        facts = case.get("facts")
        if isinstance(facts, dict) and old_id in facts:
            case["facts"] = {(new_id if k == old_id else k): v for k, v in facts.items()}
        expect = case.get("expect")
        if isinstance(expect, dict) and isinstance(expect.get("decisive_facts"), list):
            expect["decisive_facts"] = [new_id if f == old_id else f for f in expect["decisive_facts"]]
    return new
