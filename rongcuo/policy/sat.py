"""A policy version's three-valued semantics as CNF, for the SAT solver (python-sat).

Each fact is two variables (dual rail): `t` = the fact is true, `f` = it is false, never both; neither
is unknown. Every expression, node, group and outcome guard becomes such a pair through Tseitin gates
(full equivalences, so a model fixes every gate), following the Kleene tables of docs/policy-format.md
§3.3; the decision list then gives, per outcome, "possible" and "determined" literals exactly as
evaluate.decide does. The encoding is written from the specification, not from the evaluator, and the
test suite checks that the two agree on random assignments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .expr import And, AtLeast, Const, Expr, Name, Not, Or, Same, Unknown, Value
from .model import GROUPS, PolicyVersion

Pair = tuple[int, int]
OUTCOMES = ("exempt", "mitigate", "not_tolerated")


class CNF:
    """Clauses with a variable counter and the gates the encoding needs."""

    def __init__(self) -> None:
        self.n = 1
        self.clauses: list[list[int]] = [[1]]  # variable 1 is the constant true
        self._gates: dict[tuple, int] = {}

    TRUE = 1
    FALSE = -1

    def new(self) -> int:
        self.n += 1
        return self.n

    def and_(self, lits: Sequence[int]) -> int:
        lits = sorted(set(lits))
        if -1 in lits or any(-x in lits for x in lits):
            return self.FALSE
        lits = [x for x in lits if x != 1]
        if not lits:
            return self.TRUE
        if len(lits) == 1:
            return lits[0]
        key = ("and", *lits)
        g = self._gates.get(key)
        if g is None:
            g = self.new()
            for x in lits:
                self.clauses.append([-g, x])
            self.clauses.append([g, *(-x for x in lits)])
            self._gates[key] = g
        return g

    def or_(self, lits: Sequence[int]) -> int:
        return -self.and_([-x for x in lits])

    def fact(self) -> Pair:
        t, f = self.new(), self.new()
        self.clauses.append([-t, -f])
        return t, f


def expr_pair(cnf: CNF, e: Expr, env: Mapping[str, Pair]) -> Pair:
    """The (true, false) literals of an expression."""
    if isinstance(e, Name):
        return env[e.name]
    if isinstance(e, Const):
        return (CNF.TRUE, CNF.FALSE) if e.value else (CNF.FALSE, CNF.TRUE)
    if isinstance(e, Unknown):
        return CNF.FALSE, CNF.FALSE
    if isinstance(e, Not):
        t, f = expr_pair(cnf, e.item, env)
        return f, t
    if isinstance(e, And | Or):
        pairs = [expr_pair(cnf, i, env) for i in e.items]
        ts, fs = [p[0] for p in pairs], [p[1] for p in pairs]
        if isinstance(e, And):
            return cnf.and_(ts), cnf.or_(fs)
        return cnf.or_(ts), cnf.and_(fs)
    if isinstance(e, Same):
        at, af = expr_pair(cnf, e.left, env)
        bt, bf = expr_pair(cnf, e.right, env)
        same = cnf.or_([cnf.and_([at, bt]), cnf.and_([af, bf])])
        other = cnf.or_([cnf.and_([at, bf]), cnf.and_([af, bt])])
        return (other, same) if e.negate else (same, other)
    if isinstance(e, AtLeast):
        pairs = [expr_pair(cnf, i, env) for i in e.items]
        return at_least(cnf, e.k, [t for t, _ in pairs]), -at_least(cnf, e.k, [-f for _, f in pairs])
    raise TypeError(f"cannot encode {type(e).__name__}")


def at_least(cnf: CNF, k: int, lits: Sequence[int]) -> int:
    """A literal true exactly when at least k of lits are true (a sequential counter of gates)."""
    reach = [CNF.TRUE] + [CNF.FALSE] * k  # reach[j]: at least j of the items so far
    for x in lits:
        for j in range(k, 0, -1):
            reach[j] = cnf.or_([reach[j], cnf.and_([reach[j - 1], x])])
    return reach[k]


@dataclass
class Circuit:
    """One evaluation of a version on the fact literals `facts`."""

    facts: dict[str, Pair]
    nodes: dict[str, Pair] = field(default_factory=dict)
    guards: dict[str, Pair] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)  # rule id (or "otherwise") -> it decides
    possible: dict[str, int] = field(default_factory=dict)
    determined: dict[str, int] = field(default_factory=dict)  # outcome -> determined to be it
    undetermined: int = CNF.FALSE

    def category(self, outcome: str) -> int:
        return self.undetermined if outcome == "undetermined" else self.determined[outcome]


def encode(
    cnf: CNF, v: PolicyVersion, facts: dict[str, Pair], override: Mapping[str, Pair] | None = None
) -> Circuit:
    """Encode v on the given fact literals; `override` fixes some nodes' values (for the dead-rule check)."""
    c = Circuit(facts)
    for g in GROUPS:
        for n in v.nodes[g]:
            c.nodes[n.id] = override[n.id] if override and n.id in override else expr_pair(cnf, n.expr, facts)

    def group(name: str, conj: bool, empty: bool) -> Pair:
        ps = [c.nodes[n.id] for n in v.nodes[name]]
        if not ps:
            return (CNF.TRUE, CNF.FALSE) if empty else (CNF.FALSE, CNF.TRUE)
        ts, fs = [p[0] for p in ps], [p[1] for p in ps]
        return (cnf.and_(ts), cnf.or_(fs)) if conj else (cnf.or_(ts), cnf.and_(fs))

    env: dict[str, Pair] = dict(c.nodes)
    env["excluded"] = group("exclusions", False, False)
    env["conditions_met"] = group("conditions", True, True)
    env["situation"] = group("situations", False, True)
    env["mitigated"] = group("mitigations", False, False)
    ex, cond, sit = env["excluded"], env["conditions_met"], env["situation"]
    env["tolerable"] = (cnf.and_([cond[0], sit[0], ex[1]]), cnf.or_([cond[1], sit[1], ex[0]]))

    alive = CNF.TRUE
    contributions: dict[str, list[int]] = {o: [] for o in OUTCOMES}
    for rule in v.outcomes:
        t, f = expr_pair(cnf, rule.expr, env)
        c.guards[rule.id] = (t, f)
        contributions[rule.outcome].append(cnf.and_([alive, -f]))
        c.matched[rule.id] = cnf.and_([alive, t])
        alive = cnf.and_([alive, -t])
    contributions[v.otherwise.outcome].append(alive)
    c.matched["otherwise"] = alive
    for o in OUTCOMES:
        c.possible[o] = cnf.or_(contributions[o])
    for o in OUTCOMES:
        c.determined[o] = cnf.and_([c.possible[o], *(-c.possible[x] for x in OUTCOMES if x != o)])
    c.undetermined = -cnf.or_(list(c.determined.values()))
    return c


def fact_literals(cnf: CNF, fact_ids: Sequence[str]) -> dict[str, Pair]:
    return {f: cnf.fact() for f in fact_ids}


def read_facts(model: set[int], facts: Mapping[str, Pair]) -> dict[str, Value]:
    """A model's fact values: true, false or unknown (None)."""
    out: dict[str, Value] = {}
    for name, (t, f) in facts.items():
        out[name] = True if t in model else False if f in model else None
    return out


def outcome_of(c: Circuit, model: set[int]) -> str:
    for o, lit in c.determined.items():
        if lit in model:
            return o
    return "undetermined"
