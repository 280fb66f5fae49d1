"""Evaluating one case's facts under one policy version.

The outcome rules form a first-match decision list. Under three-valued logic a guard
may be unknown, so the evaluator tracks the set of outcomes still possible: the
outcome is determined only when that set has one member (sound: every way of
filling in the unknowns gives it), otherwise it is `undetermined`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalog import GROUP_LABELS, OUTCOME_LABELS
from .decisive import Question, decisive_facts
from .errors import PolicyError
from .expr import And, Expr, Name, Not, Or, Same, Value, kleene_and, kleene_or
from .model import OutcomeRule, PolicyVersion, RuleNode

FORMAT = "rongcuo.evaluation/1"
_UNSET = object()
GROUP_COMBINE = {"exclusions": kleene_or, "conditions": kleene_and, "situations": kleene_or, "mitigations": kleene_or}


TV = {True: "T", False: "F", None: "U"}


def tv(v: Value) -> str:
    return "T" if v is True else "F" if v is False else "U"


@dataclass
class Evaluation:
    """Values of every node and group, and the decision, before any presentation."""

    version: PolicyVersion
    facts: Mapping[str, Value]
    values: dict[str, Value]  # node id / group name / outcome rule id -> value
    possible: list[str]  # outcomes still possible, in decision-list order
    matched: OutcomeRule | None  # the rule whose guard is true, if the list stopped at one
    outcome: str

    def determined(self) -> bool:
        return self.outcome != "undetermined"


def group_values(version: PolicyVersion, values: dict[str, Value]) -> None:
    ex = kleene_or([values[n.id] for n in version.nodes["exclusions"]])
    cond = kleene_and([values[n.id] for n in version.nodes["conditions"]])
    sits = version.nodes["situations"]
    sit = kleene_or([values[n.id] for n in sits]) if sits else True
    mit = kleene_or([values[n.id] for n in version.nodes["mitigations"]])
    values["excluded"] = ex
    values["conditions_met"] = cond
    values["situation"] = sit
    values["mitigated"] = mit
    values["tolerable"] = kleene_and([cond, sit, None if ex is None else not ex])


def decide(version: PolicyVersion, values: dict[str, Value]) -> tuple[list[str], OutcomeRule | None]:
    possible: list[str] = []
    matched = None
    for rule in version.outcomes:
        g = rule.fn(values)
        values[rule.id] = g
        if g is False:
            continue
        if rule.outcome not in possible:
            possible.append(rule.outcome)
        if g is True:
            matched = rule
            break
    else:
        if version.otherwise.outcome not in possible:
            possible.append(version.otherwise.outcome)
    return possible, matched


def run(version: PolicyVersion, facts: Mapping[str, Value]) -> Evaluation:
    values: dict[str, Value] = {nid: fn(facts) for nid, fn in version.plan}
    group_values(version, values)
    possible, matched = decide(version, values)
    outcome = possible[0] if len(possible) == 1 else "undetermined"
    return Evaluation(version, facts, values, possible, matched, outcome)


@dataclass
class Result:
    """An evaluation with its presentation: citations, trace, decisive facts, explanation."""

    evaluation: Evaluation
    questions: list[Question]
    case_id: Any = None
    _deciding: list[RuleNode] | None = field(default=None, repr=False)
    _rule: object = field(default=_UNSET, repr=False)

    @property
    def version(self) -> PolicyVersion:
        return self.evaluation.version

    @property
    def outcome(self) -> str:
        return self.evaluation.outcome

    @property
    def decisive_facts(self) -> list[str]:
        return [q.fact for q in self.questions]

    @functools.cached_property
    def dispositions(self) -> list[str]:
        ev = self.evaluation
        if not ev.determined():
            return []
        out: list[str] = []
        # rules still in play (guard true or unknown) all give this outcome: offer what any of them permits
        sources = [r.dispositions for r in ev.version.outcomes if ev.values.get(r.id, False) is not False]
        if ev.matched is None:
            sources.append(ev.version.otherwise.dispositions)
        for ds in sources:
            for d in ds:
                if d not in out:
                    out.append(d)
        return out

    def deciding_nodes(self) -> list[RuleNode]:
        if self._deciding is None:
            self._deciding = deciding_nodes(self.evaluation)
        return self._deciding

    def deciding_rule(self) -> dict[str, Any] | None:
        if self._rule is not _UNSET:
            return self._rule  # type: ignore[return-value]
        self._rule = self._deciding_rule()
        return self._rule  # type: ignore[return-value]

    def _deciding_rule(self) -> dict[str, Any] | None:
        ev = self.evaluation
        if not ev.determined():
            return None
        if ev.matched is not None:
            r = ev.matched
            rule = {"id": r.id, "ref": r.ref, "text": r.text, "outcome": r.outcome}
            if r.source:
                rule["source"] = r.source
            return rule
        o = ev.version.otherwise
        return {"id": "otherwise", "ref": o.ref, "text": o.text, "outcome": o.outcome}

    @functools.cached_property
    def citations(self) -> list[str]:
        out: list[str] = []
        rule = self.deciding_rule()
        if rule and rule["ref"]:
            out.append(rule["ref"])
        for n in self.deciding_nodes():
            for ref in n.all_refs():
                if ref and ref not in out:
                    out.append(ref)
        return out

    def trace(self) -> list[dict[str, Any]]:
        ev = self.evaluation
        get = ev.facts.get
        values = ev.values
        out = [
            {"id": i, "group": g, "ref": r, "value": TV[values[i]], "facts": {f: get(f) for f in fs}}
            for i, g, r, fs in ev.version.trace_skeleton
        ]
        for entry, node in zip(out, ev.version.all_nodes(), strict=True):
            if node.source:
                entry["source"] = node.source
        out.extend(
            {"id": name, "group": "groups", "value": TV[values[name]]}
            for name in ("excluded", "conditions_met", "situation", "mitigated", "tolerable")
        )
        out.extend(
            {"id": r.id, "group": "outcomes", "ref": r.ref, "value": TV[values[r.id]]}
            for r in ev.version.outcomes
            if r.id in values
        )
        return out

    def explanation(self) -> str:
        from .explain import explain

        return explain(self)

    def to_dict(self) -> dict[str, Any]:
        v = self.version
        out: dict[str, Any] = {}
        if self.case_id is not None:
            out["id"] = self.case_id
        out.update(
            {
                "format": FORMAT,
                "policy": v.policy.id,
                "version": v.version,
                "title": v.display_title(),
                "jurisdiction": v.policy.jurisdiction_code,
                "completeness": v.completeness,
                "completeness_note": v.completeness_note,
                "outcome": self.outcome,
                "outcome_label": OUTCOME_LABELS[self.outcome],
                "possible_outcomes": list(self.evaluation.possible),
                "dispositions": self.dispositions,
                "deciding_rule": self.deciding_rule(),
                "citations": self.citations,
                "deciding_nodes": [_node_dict(n, self.evaluation.values[n.id]) for n in self.deciding_nodes()],
                "decisive_facts": self.decisive_facts,
                "questions": [q.to_dict() for q in self.questions],
                "trace": self.trace(),
                "explanation": self.explanation(),
            }
        )
        return out


def _node_dict(n: RuleNode, value: Value) -> dict[str, Any]:
    out: dict[str, Any] = {"id": n.id, "group": n.group, "ref": n.ref, "text": n.text, "value": tv(value)}
    if n.source:
        out["source"] = n.source
    if n.cites:
        out["cites"] = [{"ref": r, "text": t} for r, t in n.cites]
    return out


def evaluate(
    version: PolicyVersion, facts: Mapping[str, Value], *, case_id: Any = None, with_questions: bool = True
) -> Result:
    if version.is_base:
        raise PolicyError(f"{version.policy.id} 是共同红线规则集，随各项办法一并适用，不能单独评估", field="policy")
    ev = run(version, facts)
    questions = decisive_facts(ev) if with_questions and not ev.determined() else []
    return Result(ev, questions, case_id)


# --- why: the nodes whose values decided the guards that mattered ---


def deciding_nodes(ev: Evaluation) -> list[RuleNode]:
    """Nodes that justify the decision: for each guard passed over (false) and the guard that matched
    (true), the nodes that made it so. Absent exclusions and situations are not cited. When the outcome is
    determined, an unknown guard (whose rule gives that same outcome) is stepped over, not a stop."""
    version = ev.version
    picked: dict[str, None] = {}
    determined = ev.determined()
    for rule in version.outcomes:
        g = ev.values.get(rule.id)
        if g is None:
            if determined:
                continue  # gives the same outcome whichever way it goes (e.g. a red line not yet answered)
            break
        _witness(rule.expr, g, ev, picked)
        if g is True:
            break
    by_id = version.node_index
    return [by_id[i] for i in picked]


def _witness(e: Expr, v: Value, ev: Evaluation, out: dict[str, None]) -> None:
    if v is None:
        return
    version = ev.version
    if isinstance(e, Name):
        name = e.name
        if name == "tolerable":
            for part, want in (("conditions_met", v), ("situation", v)):
                if not v and ev.values[part] is not False:
                    continue
                _group_witness(part, want, ev, out)
            ex = ev.values["excluded"]
            if v or ex is True:
                _group_witness("excluded", not v, ev, out)
        elif name in ("excluded", "conditions_met", "situation", "mitigated"):
            _group_witness(name, v, ev, out)
        else:
            node = version.node(name)
            if node is not None and (v is True or node.group == "conditions"):
                out[node.id] = None
        return
    if isinstance(e, Not):
        _witness(e.item, not v, ev, out)
        return
    if isinstance(e, And | Or):
        keep_all = isinstance(e, And) == bool(v)
        for item in e.items:
            iv = _value(item, ev)
            if keep_all or iv == v:
                _witness(item, iv, ev, out)
        return
    if isinstance(e, Same):
        _witness(e.left, _value(e.left, ev), ev, out)
        _witness(e.right, _value(e.right, ev), ev, out)
        return
    for item in getattr(e, "items", ()):
        iv = _value(item, ev)
        if iv == v:
            _witness(item, iv, ev, out)


def _value(e: Expr, ev: Evaluation) -> Value:
    # Guards are tiny trees over names already valued: look names up instead of compiling closures.
    if isinstance(e, Name):
        return ev.values.get(e.name)
    if isinstance(e, Not):
        v = _value(e.item, ev)
        return None if v is None else not v
    return e.compile()(ev.values)


def _group_witness(group: str, v: Value, ev: Evaluation, out: dict[str, None]) -> None:
    nodes = {
        "excluded": "exclusions",
        "conditions_met": "conditions",
        "situation": "situations",
        "mitigated": "mitigations",
    }[group]
    for n in ev.version.nodes[nodes]:
        nv = ev.values[n.id]
        if nodes == "conditions":
            if v is True or nv is False:
                out[n.id] = None
        elif v is True and nv is True:
            out[n.id] = None


__all__ = ["FORMAT", "GROUP_LABELS", "Evaluation", "Result", "evaluate", "run"]
