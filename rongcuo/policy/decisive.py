"""Decisive facts 「下一步需要查明」: the unknown facts whose answer can still change the outcome.

Like Cedar's residual policies, partial evaluation first narrows the question: only
guards still unknown matter, and only the unknown facts of their unknown nodes can
change them (a node already true or false stays so under every completion). Over
those residual facts the analysis is then exact: the residual decision list is
evaluated over all completions at once, using Python integers as truth tables (bit c
of a fact's table is its value in completion c). A fact is decisive when flipping it
changes the outcome in at least one completion; its influence is the share of
completions in which it does, and questions are ranked by it.

Beyond EXACT_LIMIT residual facts the exact step is skipped and every residual fact is
listed (a sound superset), ranked by group: red lines first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .catalog import catalog
from .model import GROUP_RANK, GROUPS, RuleNode

if TYPE_CHECKING:
    from .evaluate import Evaluation

EXACT_LIMIT = 16
GROUP_OF_NAME = {
    "excluded": "exclusions",
    "conditions_met": "conditions",
    "situation": "situations",
    "mitigated": "mitigations",
}


@dataclass(frozen=True)
class Question:
    fact: str
    label: str
    question: str
    influence: float | None  # share of completions in which this answer changes the outcome
    group: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "label": self.label,
            "question": self.question,
            "influence": None if self.influence is None else round(self.influence, 4),
            "group": self.group,
        }


def _nodes_of_guard(ev: Evaluation, names: frozenset[str]) -> list[RuleNode]:
    version = ev.version
    groups: set[str] = set()
    direct: set[str] = set()
    for name in names:
        if name == "tolerable":
            groups.update(("exclusions", "conditions", "situations"))
        elif name in GROUP_OF_NAME:
            groups.add(GROUP_OF_NAME[name])
        else:
            direct.add(name)
    return [n for g in GROUPS for n in version.nodes[g] if g in groups or n.id in direct]


def decisive_facts(ev: Evaluation) -> list[Question]:
    if ev.determined():
        return []
    version, facts, values = ev.version, ev.facts, ev.values
    in_play = []
    for rule in version.outcomes:
        g = values.get(rule.id)
        if g is False:
            continue
        in_play.append(rule)
        if g is True:
            break
    stopped = bool(in_play) and values.get(in_play[-1].id) is True

    unknown_nodes: dict[str, RuleNode] = {}
    for rule in in_play:
        if values[rule.id] is None:
            for n in _nodes_of_guard(ev, rule.expr.names()):
                if values[n.id] is None:
                    unknown_nodes[n.id] = n
    residual: dict[str, str] = {}  # fact -> best (lowest rank) group it appears in
    for n in unknown_nodes.values():
        for f in n.facts:
            if facts.get(f) is None:
                prev = residual.get(f)
                if prev is None or GROUP_RANK[n.group] < GROUP_RANK[prev]:
                    residual[f] = n.group
    if not residual:
        return []

    influence: dict[str, float] | None = None
    if len(residual) <= EXACT_LIMIT:
        influence = _exact_influence(ev, in_play, stopped, unknown_nodes, list(residual))
        if not any(influence.values()):
            influence = None  # a tautology Kleene cannot see: fall back to the sound superset
    chosen = [f for f in residual if influence is None or influence[f] > 0]

    def rank(f: str) -> tuple:
        return (-(influence[f] if influence else 0.0), GROUP_RANK[residual[f]], version.fact_order(f))

    out = []
    for f in sorted(chosen, key=rank):
        fact = version.fact(f)
        out.append(
            Question(
                f,
                fact.label if fact else f,
                fact.question if fact else f,
                influence[f] if influence else None,
                residual[f],
            )
        )
    return out


def _exact_influence(
    ev: Evaluation, in_play: list, stopped: bool, unknown_nodes: dict[str, RuleNode], residual: list[str]
) -> dict[str, float]:
    """Influence of each residual fact over all 2^k completions, with three-valued (dual-rail) truth tables:
    a completion fills in every residual fact, yet a node may still be unknown (an open list's remainder)."""
    k = len(residual)
    size = 1 << k
    full = (1 << size) - 1
    tables: dict[str, tuple[int, int]] = {}
    patterns: list[int] = []
    for i, f in enumerate(residual):
        block = 1 << i
        period = block << 1
        unit = ((1 << block) - 1) << block  # one period: `block` zeros then `block` ones
        pattern = unit * (full // ((1 << period) - 1))
        patterns.append(pattern)
        tables[f] = (pattern, full ^ pattern)
    facts, values = ev.facts, ev.values

    def known(v: object) -> tuple[int, int]:
        return (full, 0) if v is True else (0, full) if v is False else (0, 0)

    env: dict[str, tuple[int, int]] = {}
    version = ev.version
    for g in GROUPS:
        for n in version.nodes[g]:
            v = values[n.id]
            if v is None and n.id in unknown_nodes:
                fenv = {f: tables[f] if f in tables else known(facts.get(f)) for f in n.facts}
                env[n.id] = n.expr.tri(fenv, full)
            else:
                env[n.id] = known(v)  # unknown but read by no guard in play: never consulted
    _group_tri(ev, env, full)

    possible: dict[str, int] = {}
    alive = full
    for rule in in_play:
        t, f = known(True) if values[rule.id] is True else rule.expr.tri(env, full)
        possible[rule.outcome] = possible.get(rule.outcome, 0) | (alive & (full ^ f))
        alive &= full ^ t
    if not stopped:
        o = version.otherwise.outcome
        possible[o] = possible.get(o, 0) | alive
    # the outcome of each completion: determined where exactly one outcome is possible, else undetermined
    masks: list[int] = []
    undetermined = 0
    for o, m in possible.items():
        others = 0
        for o2, m2 in possible.items():
            if o2 != o:
                others |= m2
        masks.append(m & (full ^ others))
        undetermined |= m & others
    masks.append(undetermined)

    out: dict[str, float] = {}
    for i, f in enumerate(residual):
        block = 1 << i
        ones = patterns[i]
        zeros = full ^ ones
        diff = 0
        for m in masks:
            flipped = ((m & zeros) << block) | ((m & ones) >> block)
            diff |= m ^ flipped
        out[f] = diff.bit_count() / size
    return out


def _group_tri(ev: Evaluation, env: dict[str, tuple[int, int]], full: int) -> None:
    version = ev.version

    def fold(group: str, conj: bool, empty: tuple[int, int]) -> tuple[int, int]:
        nodes = version.nodes[group]
        if not nodes:
            return empty
        t, f = (full, 0) if conj else (0, full)
        for n in nodes:
            nt, nf = env[n.id]
            if conj:
                t, f = t & nt, f | nf
            else:
                t, f = t | nt, f & nf
        return t, f

    ex = fold("exclusions", False, (0, full))
    cond = fold("conditions", True, (full, 0))
    sit = fold("situations", False, (full, 0))
    env["excluded"] = ex
    env["conditions_met"] = cond
    env["situation"] = sit
    env["mitigated"] = fold("mitigations", False, (0, full))
    env["tolerable"] = (cond[0] & sit[0] & ex[1], cond[1] | sit[1] | ex[0])


def fact_label(fact_id: str) -> str:
    f = catalog().facts.get(fact_id)
    return f.label if f else fact_id
