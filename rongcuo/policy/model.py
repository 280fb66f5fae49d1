"""Compiled policies: what the loader builds from a validated rule file and the evaluator runs."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import Fact, catalog
from .errors import PolicyError
from .expr import Expr, Fn

if TYPE_CHECKING:
    from . import schema

# The order groups are evaluated, traced and explained in: red lines first.
GROUPS = ("exclusions", "conditions", "situations", "mitigations")
GROUP_NAMES = ("excluded", "conditions_met", "situation", "mitigated", "tolerable")
# Rank of a group when ordering decisive facts of equal influence: red lines are asked first.
GROUP_RANK = {"exclusions": 0, "conditions": 1, "situations": 2, "mitigations": 3}


@dataclass(frozen=True)
class RuleNode:
    id: str
    group: str
    ref: str
    text: str
    label: str | None
    expr: Expr
    fn: Fn
    facts: tuple[str, ...]
    line: int | None = None
    source: str | None = None  # the base (`ID@VERSION`) this node is inherited from; None = the measure's own
    cites: tuple[tuple[str, str], ...] = ()  # (ref, text) of the measure's own articles restating it
    virtual: bool = False  # added by the loader (an open list's remainder): no facts, never true or false

    @property
    def inherited(self) -> bool:
        return self.source is not None

    def all_refs(self) -> tuple[str, ...]:
        return (self.ref, *(r for r, _ in self.cites))


@dataclass(frozen=True)
class OutcomeRule:
    id: str
    ref: str
    text: str
    outcome: str
    dispositions: tuple[str, ...]
    expr: Expr
    fn: Fn
    line: int | None = None
    source: str | None = None  # the base whose red lines this rule applies (the rule every measure tries first)


@dataclass(frozen=True)
class Otherwise:
    ref: str
    text: str
    outcome: str
    dispositions: tuple[str, ...]


@dataclass
class PolicyVersion:
    policy: Policy
    version: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    effective_note: str | None
    issued: dt.date | None
    document_number: str | None
    source_url: str | None
    source_note: str | None
    completeness: str
    completeness_note: str | None
    applies_by: str
    readings: list[schema.Reading]
    local_facts: dict[str, Fact]
    articles: list[schema.Article]
    nodes: dict[str, tuple[RuleNode, ...]]  # group -> nodes, in file order
    outcomes: tuple[OutcomeRule, ...]
    otherwise: Otherwise
    result_use: list[schema.ResultUseRule]
    procedure: schema.Procedure
    index: int = 0
    line: int | None = None
    base: PolicyVersion | None = None  # the base version this measure is read together with
    opted_out: tuple[str, ...] = ()  # base node ids this measure does not inherit (each with a reading)
    open_situations: schema.OpenList | None = None
    red_line: schema.RedLineRule | None = None  # a base version's: how its red lines decide
    _facts_used: tuple[str, ...] | None = field(default=None, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.policy.id}@{self.version}"

    @property
    def partial(self) -> bool:
        return self.completeness == "partial"

    def all_nodes(self) -> list[RuleNode]:
        return [n for g in GROUPS for n in self.nodes[g]]

    def own_nodes(self) -> list[RuleNode]:
        """The nodes written in this file: neither inherited from the base nor added by the loader."""
        return [n for n in self.all_nodes() if not n.inherited and not n.virtual]

    def inherited_nodes(self) -> list[RuleNode]:
        return [n for n in self.all_nodes() if n.inherited]

    @property
    def is_base(self) -> bool:
        return self.policy.kind == "base"

    @functools.cached_property
    def node_index(self) -> dict[str, RuleNode]:
        return {n.id: n for n in self.all_nodes()}

    @functools.cached_property
    def plan(self) -> tuple[tuple[str, Fn], ...]:
        """Every node's (id, compiled closure) in evaluation order: the evaluator's inner loop."""
        return tuple((n.id, n.fn) for n in self.all_nodes())

    @functools.cached_property
    def trace_skeleton(self) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
        return tuple((n.id, n.group, n.ref, n.facts) for n in self.all_nodes())

    def node(self, node_id: str) -> RuleNode | None:
        return self.node_index.get(node_id)

    def fact(self, fact_id: str) -> Fact | None:
        return catalog().facts.get(fact_id) or self.local_facts.get(fact_id)

    def facts_used(self) -> tuple[str, ...]:
        """Every fact id the rules read, in catalog order (local facts last)."""
        if self._facts_used is None:
            used = {f for n in self.all_nodes() for f in n.facts}
            self._facts_used = tuple(sorted(used, key=self.fact_order))
        return self._facts_used

    def fact_order(self, fact_id: str) -> tuple[int, str]:
        f = catalog().facts.get(fact_id)
        return (f.order, fact_id) if f else (10_000, fact_id)

    def known_fact_ids(self) -> set[str]:
        return set(catalog().facts) | set(self.local_facts)

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def display_title(self) -> str:
        return self.title or f"《{self.policy.title}》"

    def summary(self) -> dict[str, Any]:
        return {
            "policy": self.policy.id,
            "version": self.version,
            "title": self.display_title(),
            "jurisdiction": self.policy.jurisdiction_code,
            "jurisdiction_name": self.policy.jurisdiction_name,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "completeness": self.completeness,
            "completeness_note": self.completeness_note,
            "applies_by": self.applies_by,
        }


@dataclass
class Policy:
    id: str
    title: str
    jurisdiction_code: str
    jurisdiction_name: str
    issued_by: str
    versions: list[PolicyVersion]
    path: Path | None = None
    kind: str = "measure"  # or "base": a shared rule set measures inherit (cn-common-red-lines)

    def version_on(self, day: dt.date) -> PolicyVersion:
        """The version in force on a day; a day with none in force is an error, not a guess."""
        for v in self.versions:
            if v.in_force_on(day):
                return v
        spans = "、".join(f"{v.version}（{v.effective_from}至{v.effective_to or '今'}）" for v in self.versions)
        raise PolicyError(f"{self.id} 在 {day.isoformat()} 没有有效版本；已知版本: {spans}", field="--on")

    def version_named(self, name: str) -> PolicyVersion:
        for v in self.versions:
            if v.version == name:
                return v
        names = "、".join(v.version for v in self.versions)
        raise PolicyError(f"{self.id} 没有名为 {name!r} 的版本；已知版本: {names}")

    def latest(self) -> PolicyVersion:
        return max(self.versions, key=lambda v: v.effective_from)
