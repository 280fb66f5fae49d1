"""Columnar (vectorised) evaluation of many cases at once, and reform simulation.

Each fact is a numpy int8 column: 0 = false, 1 = unknown, 2 = true. Kleene `and` is the
minimum, `or` the maximum, `not x` is 2 - x, so the same three-valued semantics as the
per-case evaluator hold column-wise. The outcome decision list is run with a bitmask of
still-possible outcomes per row, exactly as evaluate.decide does per case; tests check
that both paths agree on every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .expr import FALSE8, TRUE8, UNKNOWN8
from .facts import Case
from .model import PolicyVersion

OUTCOME_CODES = ("exempt", "mitigate", "not_tolerated", "undetermined")
CODE = {o: i for i, o in enumerate(OUTCOME_CODES)}
_BIT = {o: np.uint8(1 << i) for i, o in enumerate(OUTCOME_CODES[:3])}
# possible-outcome bitmask -> outcome code: one bit set means determined
_LOOKUP = np.array(
    [CODE["undetermined"] if bin(m).count("1") != 1 else m.bit_length() - 1 for m in range(8)], dtype=np.int8
)


@dataclass
class Columns:
    n: int
    columns: dict[str, np.ndarray]
    ids: list[Any] = field(default_factory=list)

    def column(self, fact: str) -> np.ndarray:
        col = self.columns.get(fact)
        if col is None:
            col = np.full(self.n, UNKNOWN8, dtype=np.int8)
            self.columns[fact] = col
        return col


def to_columns(cases: Iterable[Case], fact_ids: Iterable[str]) -> Columns:
    cases = list(cases)
    n = len(cases)
    ids = [c.id if c.id is not None else i + 1 for i, c in enumerate(cases)]
    cols = {}
    for f in fact_ids:
        col = np.full(n, UNKNOWN8, dtype=np.int8)
        for i, c in enumerate(cases):
            v = c.facts.get(f)
            if v is not None:
                col[i] = TRUE8 if v else FALSE8
        cols[f] = col
    return Columns(n, cols, ids)


def evaluate_columns(version: PolicyVersion, data: Columns) -> np.ndarray:
    """Outcome code per row (index into OUTCOME_CODES)."""
    n = data.n
    facts = {f: data.column(f) for f in version.facts_used()}
    env: dict[str, np.ndarray] = {}
    for group in ("exclusions", "conditions", "situations", "mitigations"):
        for node in version.nodes[group]:
            env[node.id] = node.expr.column(facts, n)

    def fold(group: str, fn: Any, empty: np.int8) -> np.ndarray:
        nodes = version.nodes[group]
        if not nodes:
            return np.full(n, empty, dtype=np.int8)
        out = env[nodes[0].id].copy()
        for node in nodes[1:]:
            fn(out, env[node.id], out=out)
        return out

    env["excluded"] = fold("exclusions", np.maximum, FALSE8)
    env["conditions_met"] = fold("conditions", np.minimum, TRUE8)
    env["situation"] = fold("situations", np.maximum, TRUE8)
    env["mitigated"] = fold("mitigations", np.maximum, FALSE8)
    tol = np.minimum(env["conditions_met"], env["situation"])
    np.minimum(tol, TRUE8 - env["excluded"], out=tol)
    env["tolerable"] = tol

    possible = np.zeros(n, dtype=np.uint8)
    alive = np.ones(n, dtype=bool)
    for rule in version.outcomes:
        g = rule.expr.column(env, n)
        can = alive & (g != FALSE8)
        possible |= can.view(np.uint8) * _BIT[rule.outcome]
        alive &= g != TRUE8
    possible |= alive.view(np.uint8) * _BIT[version.otherwise.outcome]
    return np.take(_LOOKUP, possible)


@dataclass
class Simulation:
    baseline: PolicyVersion
    reform: PolicyVersion
    n: int
    matrix: np.ndarray  # 4 x 4 counts: baseline outcome (rows) -> reform outcome (columns)
    changed: list[tuple[Any, str, str]]

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        changed = self.changed if limit is None else self.changed[:limit]
        return {
            "format": "rongcuo.simulation/1",
            "baseline": self.baseline.summary(),
            "reform": self.reform.summary(),
            "cases": self.n,
            "outcomes": list(OUTCOME_CODES),
            "matrix": {
                a: {b: int(self.matrix[i, j]) for j, b in enumerate(OUTCOME_CODES)} for i, a in enumerate(OUTCOME_CODES)
            },
            "changed_count": len(self.changed),
            "changed": [{"id": cid, "baseline": a, "reform": b} for cid, a, b in changed],
        }


def simulate(baseline: PolicyVersion, reform: PolicyVersion, data: Columns) -> Simulation:
    a = evaluate_columns(baseline, data)
    b = evaluate_columns(reform, data)
    matrix = np.bincount(a.astype(np.int64) * 4 + b, minlength=16).reshape(4, 4)
    rows = np.nonzero(a != b)[0]
    ids = data.ids or list(range(1, data.n + 1))
    changed = [(ids[i], OUTCOME_CODES[a[i]], OUTCOME_CODES[b[i]]) for i in rows.tolist()]
    return Simulation(baseline, reform, data.n, matrix, changed)


def outcome_counts(codes: np.ndarray) -> Mapping[str, int]:
    counts = np.bincount(codes.astype(np.int64), minlength=4)
    return {o: int(counts[i]) for i, o in enumerate(OUTCOME_CODES)}
