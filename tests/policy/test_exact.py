"""Exact comparison against brute force: every disagreeing assignment in exactly one region, every
assignment of a region disagreeing as the region says (outcome and deciding rule)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rongcuo.policy import Library
from rongcuo.policy.batch import OUTCOME_CODES, Columns, evaluate_columns
from rongcuo.policy.evaluate import run
from rongcuo.policy.exact import Compiler, compare_all, compare_exact, describe_cube, render
from rongcuo.policy.expr import FALSE8, TRUE8, UNKNOWN8
from rongcuo.policy.loader import load_policy_text

CODE = {True: TRUE8, False: FALSE8, None: UNKNOWN8}
SMALL_PAIRS = [
    ("guizhou-tongren", "hebei-huailai"),
    ("guizhou-tongren", "yunnan-dali-2019"),
    ("guangdong-shenzhen-2006", "yunnan-dali-2019"),
    ("shandong-2017", "yunnan-dali-2019"),
]


def all_assignments(facts: list[str]) -> Columns:
    """Every assignment of the facts (each true, false or unknown) as columns: 3^n rows."""
    n = len(facts)
    grid = np.indices((3,) * n).reshape(n, -1) if n else np.zeros((0, 1), dtype=np.int64)
    codes = np.array([TRUE8, FALSE8, UNKNOWN8], dtype=np.int8)
    cols = {f: codes[grid[i]] for i, f in enumerate(facts)}
    return Columns(grid.shape[1], cols)


def rule_of(v, facts):
    ev = run(v, facts)
    if not ev.determined():
        return ev.outcome, None
    return ev.outcome, ev.matched.id if ev.matched else "otherwise"


def check_against_brute_force(a, b) -> None:
    c = compare_exact(a, b)
    data = all_assignments(c.facts)
    oa, ob = evaluate_columns(a, data), evaluate_columns(b, data)
    differs = oa != ob
    assert c.total == data.n == 3 ** len(c.facts)
    assert c.differing == int(differs.sum())
    covered = np.zeros(data.n, dtype=np.int64)
    rng = random.Random(7)
    for r in c.regions:
        inside = np.ones(data.n, dtype=bool)
        for f, values in r.facts.items():
            inside &= np.isin(data.columns[f], [CODE[x] for x in values])
        assert int(inside.sum()) == r.count
        assert np.all(oa[inside] == OUTCOME_CODES.index(r.a.outcome))
        assert np.all(ob[inside] == OUTCOME_CODES.index(r.b.outcome))
        covered += inside
        # the deciding rules are the region's too: a few points checked with the per-case evaluator
        rows = np.nonzero(inside)[0]
        for i in rng.sample(list(rows), min(5, len(rows))):
            point = {f: {TRUE8: True, FALSE8: False, UNKNOWN8: None}[int(data.columns[f][i])] for f in c.facts}
            assert rule_of(a, point) == (r.a.outcome, r.a.rule)
            assert rule_of(b, point) == (r.b.outcome, r.b.rule)
    assert np.array_equal(covered, differs.astype(np.int64))  # exactly one region each, none elsewhere


@pytest.mark.parametrize(("x", "y"), SMALL_PAIRS)
def test_shipped_pairs_match_brute_force(x: str, y: str) -> None:
    lib = Library.default()
    check_against_brute_force(lib.get(x).latest(), lib.get(y).latest())


def test_two_versions_of_one_measure_and_a_measure_with_itself() -> None:
    lib = Library.default()
    v = lib.get("yunnan-dali-2019").latest()
    same = compare_exact(v, v)
    assert same.differing == 0 and same.regions == []
    assert "结论相同" in render(same)


def test_region_text_names_facts_in_chinese() -> None:
    text = describe_cube({"exploratory_reform": [True], "private_gain": [False, None], "intentional": [True, False]})
    assert text == "先行先试=是、谋取私利=否或未查明、主观故意已查明"


def test_matrix_covers_every_pair_with_the_pairwise_figures() -> None:
    lib = Library.default()
    vs = [lib.get(p).latest() for p in ("guizhou-tongren", "yunnan-dali-2019", "hebei-huailai")]
    m = compare_all(vs)
    assert set(m.cells) == {(a.policy.id, b.policy.id) for a, b in itertools.combinations(vs, 2)}
    for (x, y), cell in m.cells.items():
        alone = compare_exact(lib.get(x).latest(), lib.get(y).latest())
        assert (cell.differing, cell.total) == (alone.differing, alone.total)
        decided = sum(r.count for r in alone.regions if "undetermined" not in (r.a.outcome, r.b.outcome))
        assert cell.decided == decided
        data = all_assignments(alone.facts)
        oa = evaluate_columns(lib.get(x).latest(), data)
        ob = evaluate_columns(lib.get(y).latest(), data)
        und = OUTCOME_CODES.index("undetermined")
        assert cell.decided == int(((oa != ob) & (oa != und) & (ob != und)).sum())


# --- generated rule files ---------------------------------------------------------------------------------

POOL = ["exploratory_reform", "lacks_precedent", "collective_decision", "remedied", "major_incident"]


@st.composite
def expressions(draw, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        name = draw(st.sampled_from(POOL))
        return f"not {name}" if draw(st.booleans()) else name
    kind = draw(st.sampled_from(["and", "or", "at_least", "eq"]))
    items = draw(st.lists(expressions(depth - 1), min_size=2, max_size=3))
    if kind == "at_least":
        k = draw(st.integers(0, len(items)))
        return f"at_least({k}, {', '.join(items)})"
    if kind == "eq":
        return f"({items[0]}) == ({items[1]})"
    return "(" + f" {kind} ".join(items) + ")"


@st.composite
def rule_files(draw) -> str:
    groups = {}
    counter = itertools.count()
    for g in ("conditions", "situations", "exclusions", "mitigations"):
        nodes = draw(st.lists(expressions(), max_size=2))
        groups[g] = [(f"n{next(counter)}", e) for e in nodes]
    node_ids = [i for nodes in groups.values() for i, _ in nodes]
    guard_atoms = ["tolerable", "excluded", "mitigated", "conditions_met", "situation", *node_ids]
    outcomes = []
    for i in range(draw(st.integers(1, 3))):
        atoms = draw(st.lists(st.sampled_from(guard_atoms), min_size=1, max_size=2))
        guard = " and ".join(f"not {a}" if draw(st.booleans()) else a for a in atoms)
        outcome = draw(st.sampled_from(["exempt", "mitigate", "not_tolerated"]))
        disp = {"exempt": "免予问责", "mitigate": "从轻处理", "not_tolerated": "问责处理"}[outcome]
        outcomes.append(f"      - {{id: o{i}, ref: r, when: '{guard}', outcome: {outcome}, dispositions: [{disp}]}}")
    open_list = "    open_situations: {ref: r, note: n}\n" if draw(st.booleans()) else ""
    base = "    base: cn-common-red-lines\n" if draw(st.booleans()) else ""
    lines = [
        "format: 1",
        "id: gen",
        "title: t",
        'jurisdiction: {code: "000000", name: x}',
        "issued_by: x",
        "versions:",
        '  - version: "1"',
        "    effective: {from: 2020-01-01}",
        "    source: {}",
        "    completeness: partial",
        "    completeness_note: 生成",
        "    applies_by: conduct_date",
        base + open_list.rstrip("\n"),
    ]
    for g, nodes in groups.items():
        lines.append(f"    {g}:" + ("" if nodes else " []"))
        lines.extend(f"      - {{id: {i}, ref: r, text: t, when: '{e}'}}" for i, e in nodes)
    lines.append("    outcomes:")
    lines.extend(outcomes)
    return "\n".join(x for x in lines if x) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_files(), rule_files())
def test_generated_rule_files_match_brute_force(x: str, y: str) -> None:
    a = load_policy_text(x, "a.yaml").versions[0]
    b = load_policy_text(y, "b.yaml").versions[0]
    check_against_brute_force(a, b)


@settings(max_examples=40, deadline=None)
@given(rule_files())
def test_diagram_label_is_the_evaluator_everywhere(x: str) -> None:
    v = load_policy_text(x, "a.yaml").versions[0]
    compiler = Compiler.for_versions([v])
    label = compiler.label(v)
    facts = list(v.facts_used())
    for values in itertools.product((True, False, None), repeat=len(facts)):
        point = dict(zip(facts, values, strict=True))
        assert compiler.diagram.evaluate(label, point) == rule_of(v, point)
