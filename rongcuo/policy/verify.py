"""Solver-checked soundness of a measure (`rongcuo policy verify`).

Four questions, each put to a SAT solver (python-sat, MiniSat 2.2) over the CNF of sat.py, whose models
range over every assignment of the facts the measure reads (each true, false or unknown):

- weaker-than-base (error): an assignment where a red line of the base is true (the base says 不予容错)
  yet the measure's outcome is exempt or mitigate;
- dead-rule (warning): a node of the measure whose removal (its value fixed to what its group ignores:
  true for a condition, false otherwise) never changes the outcome: it can never decide anything;
- shadowed-outcome (warning): an outcome rule (or `otherwise`) that never decides, because earlier rules
  always win or its guard never holds;
- unknown-turned-determinate (error): an assignment and a more informed one (unknown facts answered)
  whose outcomes are different determined outcomes. Kleene evaluation makes this impossible; a finding
  means the engine (or this encoding) is wrong.

Every finding carries a witness: the facts (JSON) and the same in Chinese. Witnesses are re-run through
the evaluator (evaluate.run); if the evaluator disagrees with the encoding the finding says so
(encoding-mismatch, error) instead of being reported as a property of the measure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pysat.solvers import Solver

from .catalog import OUTCOME_LABELS
from .evaluate import run
from .expr import Value
from .loader import resolve_base
from .model import PolicyVersion
from .sat import CNF, Circuit, encode, fact_literals, read_facts

SOLVER = "minisat22"
VALUE_WORDS = {True: "是", False: "否", None: "未查明"}


@dataclass
class Finding:
    severity: str  # "error" or "warning"
    code: str
    message: str
    policy: str
    version: str
    subject: str | None = None  # node or rule id
    witness: dict[str, Value] | None = None
    witness_text: str = ""
    after: dict[str, Value] | None = None  # unknown-turned-determinate: the more informed assignment
    outcomes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "policy": self.policy,
            "version": self.version,
            "subject": self.subject,
            "message": self.message,
            "witness": self.witness,
            "witness_text": self.witness_text,
            "outcomes": self.outcomes,
        }
        if self.after is not None:
            out["after"] = self.after
        return out

    def __str__(self) -> str:
        label = "错误" if self.severity == "error" else "警告"
        subject = f" {self.subject}:" if self.subject else ""
        line = f"{self.policy}@{self.version}: {label}[{self.code}]{subject} {self.message}"
        if self.witness_text:
            line += f"\n    反例：{self.witness_text}"
        return line


def describe(v: PolicyVersion, facts: dict[str, Value]) -> str:
    known = [(f, x) for f, x in facts.items() if x is not None]
    if not known:
        return "全部事实未查明"
    parts = []
    for f, x in sorted(known, key=lambda p: v.fact_order(p[0])):
        fact = v.fact(f)
        parts.append(f"{fact.label if fact else f}={VALUE_WORDS[x]}")
    return "、".join(parts) + "，其余未查明"


class _Problem:
    """One solver loaded with the measure's circuit (and what the questions add), queried by assumptions."""

    def __init__(self, v: PolicyVersion, base: PolicyVersion | None) -> None:
        self.v = v
        self.cnf = CNF()
        ids = list(v.facts_used())
        if base is not None:
            ids += [f for n in base.nodes["exclusions"] for f in n.facts if f not in ids]
        self.facts = fact_literals(self.cnf, ids)
        self.main = encode(self.cnf, v, self.facts)
        self._solver: Solver | None = None
        self._loaded = 0

    def solve(self, assumptions: list[int]) -> set[int] | None:
        if self._solver is None:
            self._solver = Solver(name=SOLVER)
        clauses = self.cnf.clauses
        for clause in clauses[self._loaded :]:
            self._solver.add_clause(clause)
        self._loaded = len(clauses)
        if not self._solver.solve(assumptions=assumptions):
            return None
        return set(self._solver.get_model() or ())

    def minimal(self, assumptions: list[int], model: set[int], facts: dict | None = None) -> set[int]:
        """A model with as many facts unknown as the question allows (a readable witness)."""
        facts = facts or self.facts
        fixed: list[int] = []
        for t, f in facts.values():
            if t not in model and f not in model:
                fixed += [-t, -f]
        for t, f in facts.values():
            if t in model or f in model:
                trial = self.solve([*assumptions, *fixed, -t, -f])
                if trial is not None:
                    fixed += [-t, -f]
                    model = trial
        return model

    def close(self) -> None:
        if self._solver is not None:
            self._solver.delete()


def verify_version(v: PolicyVersion) -> list[Finding]:
    base = v.base
    if base is None and not v.is_base:
        base = resolve_base("cn-common-red-lines")  # a measure without base is still held to the red lines
    if v.is_base:
        return []
    p = _Problem(v, base)
    try:
        return [*_weaker_than_base(p, base), *_dead_rules(p), *_shadowed(p), *_monotone(p)]
    finally:
        p.close()


def _finding(p: _Problem, severity: str, code: str, message: str, subject: str | None, model: set[int] | None,
             outcomes: dict[str, str] | None = None) -> Finding:
    v = p.v
    witness = read_facts(model, p.facts) if model is not None else None
    return Finding(severity, code, message, v.policy.id, v.version, subject, witness,
                   describe(v, witness) if witness is not None else "", None, outcomes or {})


def _engine(v: PolicyVersion, facts: dict[str, Value]) -> str:
    return run(v, {f: x for f, x in facts.items() if f in v.known_fact_ids()}).outcome


def _weaker_than_base(p: _Problem, base: PolicyVersion | None) -> list[Finding]:
    if base is None:
        return []
    cnf = p.cnf
    from .sat import expr_pair

    red = cnf.or_([expr_pair(cnf, n.expr, p.facts)[0] for n in base.nodes["exclusions"]])
    lenient = cnf.or_([p.main.determined["exempt"], p.main.determined["mitigate"]])
    assumptions = [red, lenient]
    model = p.solve(assumptions)
    if model is None:
        return []
    model = p.minimal(assumptions, model)
    facts = read_facts(model, p.facts)
    got = _engine(p.v, facts)
    if got not in ("exempt", "mitigate"):
        return [_finding(p, "error", "encoding-mismatch",
                         f"求解器认为此时结论为免予问责或从轻减轻，评估引擎给出{OUTCOME_LABELS[got]}：编码与引擎不一致",
                         None, model)]
    hit = [n.id for n in base.nodes["exclusions"] if n.fn(facts) is True]
    return [_finding(p, "error", "weaker-than-base",
                     f"共同红线（{base.ref}：{'、'.join(hit)}）不予容错，本办法却给出{OUTCOME_LABELS[got]}：宽于共同红线",
                     None, model, {"base": "not_tolerated", "measure": got})]


def _neutral(group: str) -> tuple[int, int]:
    return (CNF.TRUE, CNF.FALSE) if group == "conditions" else (CNF.FALSE, CNF.TRUE)


def _differs(cnf: CNF, a: Circuit, b: Circuit) -> int:
    cats = ("exempt", "mitigate", "not_tolerated", "undetermined")
    return cnf.or_([cnf.and_([a.category(o), -b.category(o)]) for o in cats])


def _dead_rules(p: _Problem) -> list[Finding]:
    out = []
    for n in p.v.own_nodes():
        other = encode(p.cnf, p.v, p.facts, override={n.id: _neutral(n.group)})
        if p.solve([_differs(p.cnf, p.main, other)]) is None:
            word = "成立" if n.group == "conditions" else "不成立"
            out.append(_finding(p, "warning", "dead-rule",
                                f"规则 {n.id}（{n.ref}）从不影响结论：把它当作恒{word}，任何事实下结论都不变"
                                "（可能与其他规则或共同红线重复）", n.id, None))
    return out


def _shadowed(p: _Problem) -> list[Finding]:
    out = []
    rules = [r for r in p.v.outcomes if r.source is None]
    for r in rules:
        if p.solve([p.main.matched[r.id]]) is None:
            out.append(_finding(p, "warning", "shadowed-outcome",
                                f"结论规则 {r.id}（{r.ref}，{OUTCOME_LABELS[r.outcome]}）在任何事实下都不会适用："
                                "前面的规则总是先行适用，或其条件永远不能成立", r.id, None))
    if p.solve([p.main.matched["otherwise"]]) is None:
        out.append(_finding(p, "warning", "shadowed-outcome",
                            f"otherwise（{OUTCOME_LABELS[p.v.otherwise.outcome]}）在任何事实下都不会适用", "otherwise",
                            None))
    return out


def _monotone(p: _Problem) -> list[Finding]:
    """Is there an assignment and a refinement of it (some unknown facts answered) with different
    determined outcomes?"""
    cnf, v = p.cnf, p.v
    later = fact_literals(cnf, list(p.facts))
    for (t1, f1), (t2, f2) in zip(p.facts.values(), later.values(), strict=True):
        cnf.clauses += [[-t1, t2], [-f1, f2]]  # what was known stays as it was
    after = encode(cnf, v, later)
    outs = ("exempt", "mitigate", "not_tolerated")
    changed = cnf.or_([cnf.and_([p.main.determined[x], after.determined[y]]) for x in outs for y in outs if x != y])
    model = p.solve([changed])
    if model is None:
        return []
    before_facts, after_facts = read_facts(model, p.facts), read_facts(model, later)
    got = (_engine(v, before_facts), _engine(v, after_facts))
    f = _finding(p, "error", "unknown-turned-determinate",
                 f"补充查明事实后，已确定的结论由{OUTCOME_LABELS[got[0]]}变为{OUTCOME_LABELS[got[1]]}：评估引擎有误",
                 None, model, {"before": got[0], "after": got[1]})
    f.after = after_facts
    f.witness_text += f"；补充后：{describe(v, after_facts)}"
    return [f]


def possible_values(v: PolicyVersion) -> dict[str, set[str]]:
    """For each node and outcome rule, the values ("T", "F") it can take on some assignment of the facts —
    for a rule, while it is still evaluated (no earlier guard true). What test coverage can ask for."""
    p = _Problem(v, None)
    out: dict[str, set[str]] = {}
    try:
        for n in v.all_nodes():
            t, f = p.main.nodes[n.id]
            out[n.id] = {x for x, lit in (("T", t), ("F", f)) if p.solve([lit]) is not None}
        alive = CNF.TRUE
        for r in v.outcomes:
            t, f = p.main.guards[r.id]
            out[r.id] = {x for x, lit in (("T", t), ("F", f)) if p.solve([alive, lit]) is not None}
            alive = p.cnf.and_([alive, -t])
    finally:
        p.close()
    return out


def verify(versions: Iterable[PolicyVersion]) -> list[Finding]:
    out: list[Finding] = []
    for v in versions:
        out.extend(verify_version(v))
    return out
