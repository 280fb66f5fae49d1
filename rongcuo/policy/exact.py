"""Exact comparison of two measures (or two versions): every fact pattern where their outcomes differ.

Each version is compiled once into a three-way decision diagram (mdd.py) of its *label*: the outcome it
gives (exempt / mitigate / not_tolerated / undetermined, exactly as evaluate.run decides it) and the rule
that decides it. The two diagrams are combined; the assignments where the outcomes differ are read off
as disjoint regions (cubes: each names the facts it constrains and the values they may take), with the
number of full assignments each covers over the facts the two versions read (every fact true, false or
unknown: 3^n patterns in all). Every differing assignment lies in exactly one region, and inside a
region both outcomes and both deciding rules are the same (tests check this against brute force).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .catalog import OUTCOME_LABELS, catalog
from .evaluate import evaluate
from .expr import And, AtLeast, Const, Expr, Name, Not, Or, Same, Unknown, Value
from .mdd import Diagram
from .model import GROUPS, PolicyVersion

FORMAT = "rongcuo.exact-comparison/1"
Label = tuple[str, str | None]  # (outcome, deciding rule id — None when undetermined)
VALUE_WORDS = {True: "是", False: "否", None: "未查明"}


def _not(a: Value) -> Value:
    return None if a is None else not a


def _and(a: Value, b: Value) -> Value:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a: Value, b: Value) -> Value:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _same(a: Value, b: Value) -> Value:
    return None if a is None or b is None else a == b


class Compiler:
    """Compiles versions into label diagrams over one shared diagram (so comparisons share its tables)."""

    def __init__(self, facts: Iterable[str]) -> None:
        cat = catalog()
        order = sorted(set(facts), key=lambda f: (cat.facts[f].order if f in cat.facts else 10_000, f))
        self.diagram = Diagram(order)
        self._labels: dict[int, int] = {}

    @classmethod
    def for_versions(cls, versions: Sequence[PolicyVersion]) -> Compiler:
        return cls(f for v in versions for f in v.facts_used())

    def expr(self, e: Expr, env: dict[str, int]) -> int:
        d = self.diagram
        if isinstance(e, Name):
            return env[e.name]
        if isinstance(e, Const):
            return d.terminal(e.value)
        if isinstance(e, Unknown):
            return d.terminal(None)
        if isinstance(e, Not):
            return d.apply("not", _not, self.expr(e.item, env))
        if isinstance(e, And | Or):
            op, name = (_and, "and") if isinstance(e, And) else (_or, "or")
            out = self.expr(e.items[0], env)
            for item in e.items[1:]:
                out = d.apply(name, op, out, self.expr(item, env))
            return out
        if isinstance(e, Same):
            out = d.apply("same", _same, self.expr(e.left, env), self.expr(e.right, env))
            return d.apply("not", _not, out) if e.negate else out
        if isinstance(e, AtLeast):
            k = e.k
            if k == 0:
                return d.terminal(True)

            def count(acc: tuple[int, int], v: Value) -> tuple[int, int]:
                t, u = acc
                return (min(t + (v is True), k), min(u + (v is None), k))

            acc = d.terminal((0, 0))
            for item in e.items:
                acc = d.apply(f"count{k}", count, acc, self.expr(item, env))

            def kleene(acc: tuple[int, int]) -> Value:
                t, u = acc
                return True if t >= k else False if t + u < k else None

            return d.apply(f"atleast{k}", kleene, acc)
        raise TypeError(f"cannot compile {type(e).__name__}")

    def label(self, v: PolicyVersion) -> int:
        """The diagram of (outcome, deciding rule) under v, for every assignment of the facts v reads."""
        key = id(v)
        hit = self._labels.get(key)
        if hit is not None:
            return hit
        d = self.diagram
        env: dict[str, int] = {f: d.var(f) for f in v.facts_used()}
        for g in GROUPS:
            for n in v.nodes[g]:
                env[n.id] = self.expr(n.expr, env)

        def fold(group: str, op: Any, name: str, empty: bool) -> int:
            nodes = v.nodes[group]
            if not nodes:
                return d.terminal(empty)
            out = env[nodes[0].id]
            for n in nodes[1:]:
                out = d.apply(name, op, out, env[n.id])
            return out

        env["excluded"] = fold("exclusions", _or, "or", False)
        env["conditions_met"] = fold("conditions", _and, "and", True)
        env["situation"] = fold("situations", _or, "or", True)
        env["mitigated"] = fold("mitigations", _or, "or", False)
        tol = d.apply("and", _and, env["conditions_met"], env["situation"])
        env["tolerable"] = d.apply("and", _and, tol, d.apply("not", _not, env["excluded"]))

        # the decision list, exactly as evaluate.decide: (outcomes still possible, matched rule, stopped)
        state = d.terminal((frozenset(), None))
        for rule in v.outcomes:
            guard = self.expr(rule.expr, env)
            outcome, rid = rule.outcome, rule.id

            def step(s: tuple, g: Value, outcome: str = outcome, rid: str = rid) -> tuple:
                possible, matched = s
                if matched is not None or g is False:
                    return s
                possible = possible | {outcome}
                return (possible, rid if g is True else None)

            state = d.apply(f"step:{id(v)}:{rid}", step, state, guard)
        other = v.otherwise.outcome

        def finish(s: tuple) -> Label:
            possible, matched = s
            if matched is None:
                possible = possible | {other}
            if len(possible) != 1:
                return ("undetermined", None)
            return (next(iter(possible)), matched or "otherwise")

        out = d.apply(f"finish:{id(v)}", finish, state)
        self._labels[key] = out
        return out


@dataclass
class Side:
    outcome: str
    rule: str | None
    ref: str
    text: str
    questions: list[str] = field(default_factory=list)  # 尚需查明 at the region's least-informed point

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "outcome_label": OUTCOME_LABELS[self.outcome],
            "rule": self.rule,
            "ref": self.ref,
            "text": self.text,
            "questions": self.questions,
        }


@dataclass
class Region:
    facts: dict[str, list[Value]]  # constrained facts -> the values they may take (others: any)
    count: int  # full assignments (over the facts either version reads) inside the region
    a: Side
    b: Side

    def to_dict(self) -> dict[str, Any]:
        return {"facts": self.facts, "count": self.count, "a": self.a.to_dict(), "b": self.b.to_dict()}


@dataclass
class Comparison:
    a: PolicyVersion
    b: PolicyVersion
    facts: list[str]  # the facts either version reads: the space compared
    total: int  # 3 ** len(facts)
    differing: int
    regions: list[Region]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "a": self.a.summary(),
            "b": self.b.summary(),
            "facts": self.facts,
            "total": self.total,
            "differing": self.differing,
            "share": round(self.differing / self.total, 6) if self.total else 0.0,
            "regions": [r.to_dict() for r in self.regions],
        }


BIT = {True: 1, False: 2, None: 4}
FULL_MASK = 7


def merge_cubes(
    cubes: list[tuple[tuple[tuple[int, int], ...], Any]], levels: Sequence[int], space: Sequence[str]
) -> list[tuple[tuple[int, ...], Any]]:
    """Fewer, larger regions: cubes with the same value that differ in one fact only are one cube (their
    value sets for that fact are disjoint, so the union is exact). Repeated until nothing merges.
    Cubes are tuples of 3-bit masks (T=1, F=2, U=4; 7 = any value) so each pass is a few hash lookups."""
    values: dict[Any, int] = {}
    rows: list[tuple[int, tuple[int, ...]]] = []
    slot = {lvl: i for i, lvl in enumerate(levels)}
    n = len(space)
    for cube, value in cubes:
        vid = values.setdefault(value, len(values))
        masks = [FULL_MASK] * n
        for lvl, m in cube:
            masks[slot[lvl]] = m
        rows.append((vid, tuple(masks)))
    changed = True
    while changed and len(rows) > 1:
        changed = False
        for i in range(n):
            acc: dict[tuple[int, tuple[int, ...]], int] = {}
            for vid, masks in rows:
                key = (vid, (*masks[:i], 0, *masks[i + 1:]))
                acc[key] = acc.get(key, 0) | masks[i]
            if len(acc) < len(rows):
                changed = True
                rows = [(vid, (*rest[:i], m, *rest[i + 1:])) for (vid, rest), m in acc.items()]
    by_id = {i: v for v, i in values.items()}
    return [(masks, by_id[vid]) for vid, masks in rows]


# a value mask -> the values it allows, in the order true, false, unknown
MASK_VALUES = {m: [x for x, b in BIT.items() if m & b] for m in range(1, 8)}


def _side(v: PolicyVersion, label: Label, point: dict[str, Value], cache: dict | None) -> Side:
    outcome, rid = label
    if rid is None:
        if cache is None:  # questions not wanted (the matrix counts only)
            return Side(outcome, None, "", "")
        known = cache.get(("known", id(v)))
        if known is None:
            known = cache[("known", id(v))] = v.known_fact_ids()
        own = tuple((f, x) for f, x in point.items() if f in known)
        key = (id(v), own)
        if key not in cache:
            cache[key] = [q.fact for q in evaluate(v, dict(own)).questions]
        return Side(outcome, None, "", "", cache[key])
    if rid == "otherwise":
        return Side(outcome, rid, v.otherwise.ref, v.otherwise.text)
    rule = next(r for r in v.outcomes if r.id == rid)
    return Side(outcome, rid, rule.ref, rule.text)


def least_informed(cube: dict[str, list[Value]]) -> dict[str, Value]:
    """The region's point with the fewest facts known: unknown wherever the region allows it."""
    return {f: (None if None in vs else vs[0]) for f, vs in cube.items()}


def compare_exact(
    a: PolicyVersion,
    b: PolicyVersion,
    compiler: Compiler | None = None,
    *,
    questions: bool = True,
    cache: dict | None = None,
) -> Comparison:
    """`questions=False` leaves the 尚需查明 lists of undetermined sides empty (what the matrix needs)."""
    compiler = compiler or Compiler.for_versions([a, b])
    d = compiler.diagram
    la, lb = compiler.label(a), compiler.label(b)

    def pair(x: Label, y: Label) -> tuple | None:
        return None if x[0] == y[0] else (x, y)

    diff = d.apply("pair", pair, la, lb)
    space = sorted(set(a.facts_used()) | set(b.facts_used()), key=lambda f: d.level[f])
    n = len(space)
    regions: list[Region] = []
    differing = 0
    if questions and cache is None:
        cache = {}
    elif not questions:
        cache = None
    cubes = merge_cubes(d.cubes(diff, skip=lambda value: value is None), [d.level[f] for f in space], space)
    for masks, (x, y) in cubes:
        count = 1
        facts: dict[str, list[Value]] = {}
        for f, m in zip(space, masks, strict=True):
            if m != FULL_MASK:
                facts[f] = MASK_VALUES[m]
                count *= len(facts[f])
            else:
                count *= 3
        differing += count
        point = least_informed(facts)
        regions.append(Region(facts, count, _side(a, x, point, cache), _side(b, y, point, cache)))
    # disagreements where both sides decide (甲地容许，乙地不容许) first, then the largest
    regions.sort(key=lambda r: ("undetermined" in (r.a.outcome, r.b.outcome), -r.count))
    return Comparison(a, b, space, 3**n, differing, regions)


def describe_cube(facts: dict[str, list[Value]], version: PolicyVersion | None = None) -> str:
    """「先行先试=是、谋取私利=否或未查明」: the facts a region constrains, in Chinese."""
    parts = []
    for f, values in facts.items():
        fact = (version.fact(f) if version else None) or catalog().facts.get(f)
        label = fact.label if fact else f
        if len(values) == 1:
            parts.append(f"{label}={VALUE_WORDS[values[0]]}")
        elif set(values) == {True, False}:
            parts.append(f"{label}已查明")
        else:
            parts.append(f"{label}={'或'.join(VALUE_WORDS[x] for x in values)}")
    return "、".join(parts) if parts else "任何情况下"


def render(c: Comparison, limit: int | None = None) -> str:
    """The comparison in Chinese, one line per region."""
    a, b = c.a, c.b
    pa, pb = a.policy.jurisdiction_name, b.policy.jurisdiction_name
    if pa == pb:
        pa, pb = f"{pa}（{a.version}版）", f"{pb}（{b.version}版）"
    lines = [
        f"A: {a.ref} {a.display_title()}",
        f"B: {b.ref} {b.display_title()}",
        f"比较的事实: {len(c.facts)} 项，共 {c.total:,} 种事实组合（每项为 是/否/未查明）；"
        f"结论不同的 {c.differing:,} 种（{c.differing / c.total:.2%}），分为 {len(c.regions)} 个区域。",
    ]
    if not c.regions:
        lines.append("两者在任何事实组合下结论相同。")
    shown = c.regions if limit is None else c.regions[:limit]
    merged = {**a.local_facts, **b.local_facts}
    for i, r in enumerate(shown, 1):
        cond = describe_cube(r.facts, a if all(f in a.known_fact_ids() for f in r.facts) else b)
        lines.append(f"{i}. 当 {cond} 时（{r.count:,} 种）：{pa}{_phrase(r.a, merged)}；{pb}{_phrase(r.b, merged)}")
    if limit is not None and len(c.regions) > limit:
        lines.append(f"…… 另有 {len(c.regions) - limit} 个区域（--json 可输出全部）")
    return "\n".join(lines)


def _phrase(s: Side, local: dict[str, Any]) -> str:
    if s.outcome == "undetermined":
        asks = []
        for f in s.questions[:4]:
            fact = catalog().facts.get(f) or local.get(f)
            asks.append(fact.label if fact else f)
        more = "……" if len(s.questions) > 4 else ""
        return f"待定（尚需查明：{'、'.join(asks)}{more}）" if asks else "待定"
    return f"{OUTCOME_LABELS[s.outcome]}（{s.ref}）" if s.ref else OUTCOME_LABELS[s.outcome]


@dataclass(frozen=True)
class Cell:
    facts: int  # the facts either version of the pair reads
    total: int  # 3 ** facts
    differing: int
    decided: int  # of those, the patterns where both decide (e.g. 免予问责 against 不予容错)

    @property
    def share(self) -> float:
        return self.differing / self.total if self.total else 0.0


@dataclass
class Matrix:
    versions: list[PolicyVersion]
    cells: dict[tuple[str, str], Cell]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "rongcuo.exact-matrix/1",
            "policies": [v.summary() for v in self.versions],
            "ids": [v.policy.id for v in self.versions],
            "pairs": [
                {
                    "a": x,
                    "b": y,
                    "facts": c.facts,
                    "total": c.total,
                    "differing": c.differing,
                    "share": round(c.share, 6),
                    "decided": c.decided,
                }
                for (x, y), c in self.cells.items()
            ],
        }


def _differs(x: Label, y: Label) -> bool:
    return x[0] != y[0]


def _decided_differs(x: Label, y: Label) -> bool:
    return x[0] != y[0] and "undetermined" not in (x[0], y[0])


def count_differing(compiler: Compiler, a: PolicyVersion, b: PolicyVersion, memo: dict | None = None) -> Cell:
    """How many of the 3^n patterns the two versions decide differently, counted on the diagram (no regions):
    the share of assignments reaching a differing terminal, a skipped fact taking each of its three values."""
    d = compiler.diagram
    la, lb = compiler.label(a), compiler.label(b)
    memo = {} if memo is None else memo

    def share(n: int) -> Fraction:
        hit = memo.get(n)
        if hit is None:
            kids = d.kids[n]
            hit = Fraction(d.val[n] is True) if kids is None else sum((share(k) for k in kids), Fraction(0)) / 3
            memo[n] = hit
        return hit

    facts = len(set(a.facts_used()) | set(b.facts_used()))
    total = 3**facts
    differing = share(d.apply("differs", _differs, la, lb)) * total
    decided = share(d.apply("decided-differs", _decided_differs, la, lb)) * total
    return Cell(facts, total, int(differing), int(decided))


def compare_all(versions: Sequence[PolicyVersion]) -> Matrix:
    """Every pair of the versions, counted exactly on one shared diagram."""
    compiler = Compiler.for_versions(versions)
    memo: dict = {}
    cells = {
        (a.policy.id, b.policy.id): count_differing(compiler, a, b, memo)
        for a, b in itertools.combinations(versions, 2)
    }
    return Matrix(list(versions), cells)


def render_matrix(m: Matrix) -> str:
    ids = [v.policy.id for v in m.versions]
    names = {v.policy.id: v.policy.jurisdiction_name for v in m.versions}
    lines = ["结论不同的事实组合所占比例（行 A × 列 B；每对按两者读取的事实计 3^n 种组合）："]
    width = max(len(i) for i in ids) + 2
    lines.append(" " * width + "".join(f"{k + 1:>7}" for k in range(len(ids))))
    for i, x in enumerate(ids):
        row = f"{i + 1:>2} {x:<{width - 3}}"
        for y in ids:
            if x == y:
                row += f"{'—':>7}"
                continue
            c = m.cells.get((x, y)) or m.cells.get((y, x))
            row += f"{c.share:>7.1%}" if c else f"{'':>7}"
        lines.append(row + f"  {names[x]}")
    return "\n".join(lines)
