"""GET /api/policies/compare/exact, /compare/matrix and /{policy_id}/verify, checked against brute force.

The exact comparison is checked against evaluate.run on every one of the 3^n fact patterns of a pair of
shipped measures with few facts: the differing count, the regions (disjoint, covering exactly the
differing patterns, each stating the outcomes and deciding rules both sides give at every point inside
it) and the per-outcome-pair summary. The solver check is checked on a measure written for the test that
opts out of a red line: the finding's witness must be a real counterexample.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rongcuo import policy_api
from rongcuo.consultation.library import effective_library
from rongcuo.policy import Library, PolicyVersion
from rongcuo.policy.evaluate import run
from rongcuo.policy.exact import compare_exact
from rongcuo.policy.loader import load_policy_text

pytestmark = pytest.mark.django_db

A, B = "guizhou-tongren", "yunnan-dali-2019"  # two measures reading few facts (3^n patterns stay small)
VALUES = (True, False, None)
ON = "2024-06-01"

OPT_OUT = """
format: 1
id: demo-optout
title: 演示容错办法
jurisdiction: {code: "320100", name: 江苏省南京市}
issued_by: 演示机关
versions:
  - version: "2020"
    effective: {from: 2020-01-01}
    source: {}
    completeness: complete
    applies_by: conduct_date
    base:
      id: cn-common-red-lines
      opt_out: [rl_private_gain]
    readings:
      - {ref: 第一条, note: 本办法不以谋取私利为红线（测试用）, node: rl_private_gain}
    conditions:
      - {id: c_public, ref: 第一条, text: 出于公心, when: public_interest}
    outcomes:
      - {id: o_ok, ref: 第二条, text: 免予问责, when: tolerable, outcome: exempt, dispositions: [免予问责]}
"""
# The same measure holding to every red line: the solver must find nothing wrong with it.
CLEAN = OPT_OUT.replace("      opt_out: [rl_private_gain]\n", "").replace(
    "    readings:\n      - {ref: 第一条, note: 本办法不以谋取私利为红线（测试用）, node: rl_private_gain}\n", ""
)


def label(v: PolicyVersion, point: dict[str, Any]) -> tuple[str, str | None]:
    """(outcome, deciding rule) under evaluate.run: the rule whose guard held, `otherwise` when no rule
    decided but the outcome is determined, None when undetermined."""
    ev = run(v, {f: x for f, x in point.items() if f in v.known_fact_ids()})
    if ev.outcome == "undetermined":
        return (ev.outcome, None)
    return (ev.outcome, ev.matched.id if ev.matched is not None else "otherwise")


def brute_force(a: PolicyVersion, b: PolicyVersion, facts: list[str]) -> dict[tuple, tuple]:
    """Every differing assignment (as a tuple of values in `facts` order) → (label under a, label under b)."""
    out = {}
    for values in itertools.product(VALUES, repeat=len(facts)):
        point = dict(zip(facts, values, strict=True))
        la, lb = label(a, point), label(b, point)
        if la[0] != lb[0]:
            out[values] = (la, lb)
    return out


def points_in(region: dict[str, Any], facts: list[str]) -> list[tuple]:
    allowed = [region["facts"].get(f, list(VALUES)) for f in facts]
    return list(itertools.product(*allowed))


@pytest.fixture(scope="module")
def pair() -> tuple[PolicyVersion, PolicyVersion]:
    a, b = (
        Library.default().get(A).version_on(dt.date.fromisoformat(ON)),
        Library.default().get(B).version_on(dt.date.fromisoformat(ON)),
    )
    assert len(set(a.facts_used()) | set(b.facts_used())) <= 11, "pick two measures reading fewer facts"
    return a, b


def test_exact_comparison_equals_brute_force(pair) -> None:
    a, b = pair
    r = Client().get("/api/policies/compare/exact", {"a": f"{A}@{ON}", "b": f"{B}@{ON}"})
    assert r.status_code == 200, r.content
    data = r.json()
    facts = data["facts"]
    assert set(facts) == set(a.facts_used()) | set(b.facts_used()) and len(facts) == len(set(facts))
    assert data["a"]["policy"] == A and data["b"]["policy"] == B and data["a"]["version"] == a.version
    expected = brute_force(a, b, facts)
    assert expected, "the two measures should disagree somewhere"
    assert data["total"] == 3 ** len(facts)
    assert data["differing"] == len(expected)
    assert data["share"] == pytest.approx(len(expected) / data["total"], abs=1e-6)
    assert sum(reg["count"] for reg in data["regions"]) == len(expected)

    # every region: its count is its size, its points are all differing, no point is in two regions, and at
    # every point inside it both sides give the outcome and the deciding rule it states
    seen: set[tuple] = set()
    for reg in data["regions"]:
        pts = points_in(reg, facts)
        assert len(pts) == reg["count"]
        stated = ((reg["a"]["outcome"], reg["a"]["rule"]), (reg["b"]["outcome"], reg["b"]["rule"]))
        for p in pts:
            assert p not in seen, f"{p} is in two regions"
            seen.add(p)
            assert expected.get(p) == stated, (reg["facts"], p)
        assert reg["a"]["outcome_label"] and reg["b"]["outcome_label"]
        for side, v in (("a", a), ("b", b)):
            s = reg[side]
            if s["rule"] is None:  # undetermined: the facts still to find are facts the side reads
                assert s["questions"] and set(s["questions"]) <= set(v.facts_used())
            else:
                assert s["rule"] == "otherwise" or s["rule"] in {o.id for o in v.outcomes}
    assert seen == set(expected)

    # both-determined disagreements (甲地容许，乙地不容许) come first
    both = ["undetermined" not in (reg["a"]["outcome"], reg["b"]["outcome"]) for reg in data["regions"]]
    assert any(both) and both == sorted(both, reverse=True)

    # the summary: patterns and regions per (A outcome, B outcome), as brute force counts them
    by_pair = Counter((la[0], lb[0]) for la, lb in expected.values())
    assert {(s["a"], s["b"]): s["count"] for s in data["summary"]} == dict(by_pair)
    regions_per_pair = Counter((reg["a"]["outcome"], reg["b"]["outcome"]) for reg in data["regions"])
    assert {(s["a"], s["b"]): s["regions"] for s in data["summary"]} == dict(regions_per_pair)
    assert all(s["both_determined"] == ("undetermined" not in (s["a"], s["b"])) for s in data["summary"])
    flags = [s["both_determined"] for s in data["summary"]]
    assert flags == sorted(flags, reverse=True)
    assert {s["a_label"] for s in data["summary"]} <= {"免予问责", "从轻或减轻处理", "不予容错", "待定"}


def test_sampled_points_with_facts_outside_the_region(pair) -> None:
    """A point inside each region with the unconstrained facts drawn at random gives the stated outcomes."""
    import random

    a, b = pair
    data = Client().get("/api/policies/compare/exact", {"a": f"{A}@{ON}", "b": f"{B}@{ON}"}).json()
    rnd = random.Random(7)
    for reg in data["regions"]:
        for _ in range(3):
            point = {f: rnd.choice(reg["facts"].get(f, VALUES)) for f in data["facts"]}
            assert label(a, point) == (reg["a"]["outcome"], reg["a"]["rule"])
            assert label(b, point) == (reg["b"]["outcome"], reg["b"]["rule"])


def test_spec_forms_and_default_date(pair) -> None:
    c = Client()
    a, b = pair
    by_name = c.get("/api/policies/compare/exact", {"a": f"{A}@{a.version}", "b": f"{B}@{b.version}"}).json()
    by_on = c.get("/api/policies/compare/exact", {"a": A, "b": B, "on": ON}).json()
    assert by_name["differing"] == by_on["differing"] and by_name["regions"] == by_on["regions"]
    same = c.get("/api/policies/compare/exact", {"a": f"{A}@{ON}", "b": f"{A}@{a.version}"}).json()
    assert same["differing"] == 0 and same["regions"] == [] and same["summary"] == []
    today = c.get("/api/policies/compare/exact", {"a": A, "b": B})
    assert today.status_code == 200


def test_errors_name_the_parameter() -> None:
    c = Client()
    url = "/api/policies/compare/exact"
    r = c.get(url, {"a": "no-such-policy", "b": B})
    assert r.status_code == 404 and r.json()["field"] == "a" and "no-such-policy" in r.json()["message"]
    r = c.get(url, {"a": A, "b": "no-such-policy@2020-01-01"})
    assert r.status_code == 404 and r.json()["field"] == "b"
    r = c.get(url, {"a": A, "b": f"{B}@1990-01-01"})  # no version in force that day
    assert r.status_code == 400 and r.json()["field"] == "b" and r.json()["message"].startswith("b：")
    assert "没有有效版本" in r.json()["message"]
    r = c.get(url, {"a": f"{A}@2024-02-30", "b": B})
    assert r.status_code == 400 and r.json()["field"] == "a" and "不是有效日期" in r.json()["message"]
    r = c.get(url, {"a": f"{A}@第九版", "b": B})
    assert r.status_code == 400 and r.json()["field"] == "a" and "版本" in r.json()["message"]
    r = c.get(url, {"a": A, "b": B, "on": "1990-01-01"})
    assert r.status_code == 400 and r.json()["field"] in ("a", "b")
    r = c.get(url, {"a": A, "b": B, "on": "昨天"})
    assert r.status_code == 400 and r.json()["field"] == "on" and "日期" in r.json()["message"]
    r = c.get(url, {"b": B})
    assert r.status_code == 400 and r.json()["field"] == "a"
    # a path is never read as a rule file
    r = c.get(url, {"a": "/etc/passwd@2017", "b": B})
    assert r.status_code == 404 and "root:" not in r.content.decode()


def test_matrix_of_every_pair_in_force(pair) -> None:
    r = Client().get("/api/policies/compare/matrix", {"on": ON})
    assert r.status_code == 200, r.content
    data = r.json()
    lib = effective_library()
    day = dt.date.fromisoformat(ON)
    in_force = [pid for pid in lib.ids() if any(v.in_force_on(day) for v in lib.policies[pid].versions)]
    assert data["on"] == ON and data["ids"] == in_force
    assert data["skipped"] == [pid for pid in lib.ids() if pid not in in_force]
    assert [p["policy"] for p in data["policies"]] == in_force
    n = len(in_force)
    assert len(data["pairs"]) == n * (n - 1) // 2
    assert {(p["a"], p["b"]) for p in data["pairs"]} == set(itertools.combinations(in_force, 2))
    cells = {(p["a"], p["b"]): p for p in data["pairs"]}
    # the brute-forced pair has the brute-force figure
    a, b = pair
    c = compare_exact(a, b)
    facts = c.facts
    cell = cells[(A, B)]
    assert cell["differing"] == len(brute_force(a, b, facts)) and cell["total"] == 3 ** len(facts)
    assert cell["facts"] == len(facts)
    # every cell counted off the diagram equals the exact comparison of the pair (regions summed)
    versions = {pid: lib.policies[pid].version_on(day) for pid in in_force}
    for (x, y), p in cells.items():
        assert compare_exact(versions[x], versions[y]).differing == p["differing"]
        assert p["share"] == pytest.approx(p["differing"] / p["total"], abs=1e-6)
    r = Client().get("/api/policies/compare/matrix", {"on": "不是日期"})
    assert r.status_code == 400 and r.json()["field"] == "on"
    empty = Client().get("/api/policies/compare/matrix", {"on": "1900-01-01"}).json()
    assert empty["pairs"] == [] and empty["skipped"] == lib.ids()


def _with(monkeypatch, tmp_path: Path, text: str) -> PolicyVersion:
    """The effective library plus a measure written to a file in a temporary folder."""
    path = tmp_path / "demo-optout.yaml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy_text(path.read_text(encoding="utf-8"), str(path), path)
    lib = Library([*Library.default().policies.values(), policy])
    monkeypatch.setattr(policy_api, "effective_library", lambda: lib)
    return policy.latest()


def test_verify_finds_the_red_line_opted_out(monkeypatch, tmp_path: Path) -> None:
    v = _with(monkeypatch, tmp_path, OPT_OUT)
    r = Client().get("/api/policies/demo-optout/verify")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["policy"] == "demo-optout" and data["version"] == "2020"
    assert data["errors"] == sum(1 for f in data["findings"] if f["severity"] == "error") >= 1
    assert data["warnings"] == sum(1 for f in data["findings"] if f["severity"] == "warning")
    weaker = [f for f in data["findings"] if f["code"] == "weaker-than-base"]
    assert len(weaker) == 1
    f = weaker[0]
    assert f["severity"] == "error" and "宽于共同红线" in f["message"] and "rl_private_gain" in f["message"]
    witness = f["witness"]
    assert witness["private_gain"] is True
    # the witness is a real counterexample: the red line holds, yet the measure exempts
    assert run(v, {k: x for k, x in witness.items() if k in v.known_fact_ids()}).outcome == "exempt"
    assert f["outcomes"] == {"base": "not_tolerated", "measure": "exempt"}
    assert "谋取私利=是" in f["witness_text"] and "private_gain" not in f["witness_text"]


def test_verify_clean_measure_and_errors(monkeypatch, tmp_path: Path) -> None:
    _with(monkeypatch, tmp_path, CLEAN)
    data = Client().get("/api/policies/demo-optout/verify", {"on": "2024-01-01"}).json()
    assert data == {"policy": "demo-optout", "version": "2020", "errors": 0, "warnings": 0, "findings": []}
    r = Client().get("/api/policies/no-such-policy/verify")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = Client().get("/api/policies/demo-optout/verify", {"on": "2019-01-01"})
    assert r.status_code == 400 and r.json()["field"] == "on"
    r = Client().get("/api/policies/demo-optout/verify", {"on": "2019-13-01"})
    assert r.status_code == 400 and r.json()["field"] == "on"


def test_openapi_documents_the_new_operations() -> None:
    spec = Client().get("/api/openapi.json").json()
    for path, codes in (
        ("/api/policies/compare/exact", {"200", "400", "404"}),
        ("/api/policies/compare/matrix", {"200", "400"}),
        ("/api/policies/{policy_id}/verify", {"200", "400", "404"}),
    ):
        op = spec["paths"][path]["get"]
        assert op["summary"] and "security" not in op
        assert set(op["responses"]) == codes | {"414"}  # 414: every operation with parameters (core/openapi.py)
        for code in codes - {"200"}:
            ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut")
    params = {p["name"]: p for p in spec["paths"]["/api/policies/compare/exact"]["get"]["parameters"]}
    assert params["a"]["required"] and params["b"]["required"] and not params["on"]["required"]
