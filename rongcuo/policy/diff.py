"""Structural diff of two policy versions (same policy over time, or two places).

Nodes are matched by id within each group; nodes left over are matched by identical
expression (the same rule under another id or citation). What remains is added/removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalog import GROUP_LABELS
from .model import GROUPS, PolicyVersion

KIND_LABELS = {"added": "新增", "removed": "删除", "changed": "修改", "renamed": "改号"}


@dataclass
class Change:
    kind: str
    group: str
    id: str
    other_id: str | None = None
    ref_a: str | None = None
    ref_b: str | None = None
    text: str | None = None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "group": self.group,
            "id": self.id,
            "other_id": self.other_id,
            "ref_a": self.ref_a,
            "ref_b": self.ref_b,
            "text": self.text,
            "fields": {k: {"a": a, "b": b} for k, (a, b) in self.fields.items()},
        }


@dataclass
class Diff:
    a: PolicyVersion
    b: PolicyVersion
    meta: dict[str, tuple[Any, Any]]
    changes: list[Change]

    @property
    def empty(self) -> bool:
        return not self.meta and not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "rongcuo.diff/1",
            "a": self.a.summary(),
            "b": self.b.summary(),
            "meta": {k: {"a": a, "b": b} for k, (a, b) in self.meta.items()},
            "changes": [c.to_dict() for c in self.changes],
        }

    def render(self) -> str:
        a, b = self.a, self.b
        lines = [
            f"A: {a.ref} {a.display_title()}〔{a.policy.jurisdiction_name}，{a.effective_from}起〕",
            f"B: {b.ref} {b.display_title()}〔{b.policy.jurisdiction_name}，{b.effective_from}起〕",
        ]
        if self.empty:
            lines.append("两者规则相同。")
            return "\n".join(lines)
        for key, (x, y) in self.meta.items():
            lines.append(f"~ {key}: {x} → {y}")
        for group in (*GROUPS, "outcomes"):
            items = [c for c in self.changes if c.group == group]
            if not items:
                continue
            lines.append(f"[{GROUP_LABELS[group]}]")
            for c in items:
                sign = {"added": "+", "removed": "-", "changed": "~", "renamed": "~"}[c.kind]
                ref = c.ref_b if c.kind == "added" else c.ref_a
                head = f"{sign} {KIND_LABELS[c.kind]} {c.id}"
                if c.other_id:
                    head += f" → {c.other_id}"
                head += f"（{ref}）" if ref else ""
                if c.text and c.kind in ("added", "removed"):
                    head += f"「{c.text}」"
                lines.append("  " + head)
                for k, (x, y) in c.fields.items():
                    lines.append(f"      {k}: {x} → {y}")
        return "\n".join(lines)


def _node_fields(n: Any) -> dict[str, Any]:
    out = {"when": n.expr.source(), "ref": n.ref, "text": n.text}
    if n.inherited:  # the measure's own article cited beside an inherited red line
        out["cites"] = "；".join(f"{r}「{t}」" for r, t in n.cites)
    return out


def _rule_fields(r: Any) -> dict[str, Any]:
    return {"when": r.expr.source(), "ref": r.ref, "outcome": r.outcome, "dispositions": "、".join(r.dispositions)}


def _diff_items(group: str, xs: list, ys: list, fields_of: Any) -> list[Change]:
    out: list[Change] = []
    by_id_b = {y.id: y for y in ys}
    left = []
    for x in xs:
        y = by_id_b.pop(x.id, None)
        if y is None:
            left.append(x)
            continue
        fx, fy = fields_of(x), fields_of(y)
        changed = {k: (fx[k], fy[k]) for k in fx if fx[k] != fy[k]}
        if changed:
            out.append(
                Change("changed", group, x.id, None, x.ref, y.ref, x.text if hasattr(x, "text") else None, changed)
            )
    by_when = {}
    for y in by_id_b.values():
        by_when.setdefault(y.expr.source(), []).append(y)
    for x in left:
        cands = by_when.get(x.expr.source())
        if cands:
            y = cands.pop(0)
            del by_id_b[y.id]
            fx, fy = fields_of(x), fields_of(y)
            changed = {k: (fx[k], fy[k]) for k in fx if fx[k] != fy[k]}
            out.append(Change("renamed", group, x.id, y.id, x.ref, y.ref, None, changed))
        else:
            out.append(
                Change(
                    "removed",
                    group,
                    x.id,
                    None,
                    x.ref,
                    None,
                    getattr(x, "text", None),
                    {"when": (x.expr.source(), None)},
                )
            )
    for y in by_id_b.values():
        out.append(
            Change("added", group, y.id, None, None, y.ref, getattr(y, "text", None), {"when": (None, y.expr.source())})
        )
    return out


def diff_versions(a: PolicyVersion, b: PolicyVersion) -> Diff:
    meta: dict[str, tuple[Any, Any]] = {}
    pairs = {
        "jurisdiction": (
            f"{a.policy.jurisdiction_code} {a.policy.jurisdiction_name}",
            f"{b.policy.jurisdiction_code} {b.policy.jurisdiction_name}",
        ),
        "effective": (f"{a.effective_from}～{a.effective_to or ''}", f"{b.effective_from}～{b.effective_to or ''}"),
        "completeness": (a.completeness, b.completeness),
        "applies_by": (a.applies_by, b.applies_by),
        "otherwise": (a.otherwise.outcome, b.otherwise.outcome),
    }
    for k, (x, y) in pairs.items():
        if x != y:
            meta[k] = (x, y)
    changes: list[Change] = []
    for group in GROUPS:
        changes.extend(_diff_items(group, list(a.nodes[group]), list(b.nodes[group]), _node_fields))
    changes.extend(_diff_items("outcomes", list(a.outcomes), list(b.outcomes), _rule_fields))
    return Diff(a, b, meta, changes)
