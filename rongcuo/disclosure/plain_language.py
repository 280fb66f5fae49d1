"""A plain-language explanation of a policy version, generated from its rule structure (no database).

「同时满足以下全部条件……属于以下任一情形……有下列情形之一的，不予容错……」: the four groups with each rule's
text and article reference, the test each rule applies in words (from the fact labels), and the outcome list
read in order. The public policy pages show it beside the article text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rongcuo.policy import PolicyVersion
from rongcuo.policy.catalog import OUTCOME_LABELS
from rongcuo.policy.expr import And, AtLeast, Const, Expr, Name, Not, Or, Same, Unknown
from rongcuo.policy.model import RuleNode
from rongcuo.policy.wording import plain_ids

NUMERALS = "一二三四五六七八九十"
GROUP_TITLES = {
    "conditions": "容错条件",
    "situations": "容错情形",
    "exclusions": "不予容错情形（负面清单）",
    "mitigations": "从轻、减轻情形",
}
GROUP_LEADS = {
    "conditions": "须同时满足以下全部条件：",
    "situations": "并且属于以下任一情形：",
    "exclusions": "有下列情形之一的，不予容错：",
    "mitigations": "具有下列情形之一的，可以从轻、减轻处理：",
}
GROUP_WORDS = {
    "excluded": "存在不予容错情形",
    "conditions_met": "满足全部容错条件",
    "situation": "属于容错情形",
    "mitigated": "具有从轻、减轻情形",
    "tolerable": "可以容错（满足全部容错条件、属于容错情形，且不存在不予容错情形）",
}
NOT_GROUP_WORDS = {
    "excluded": "不存在不予容错情形",
    "conditions_met": "未满足全部容错条件",
    "situation": "不属于任何容错情形",
    "mitigated": "不具有从轻、减轻情形",
    "tolerable": "不能容错",
}
ORDER = ("conditions", "situations", "exclusions", "mitigations")


def ordinal(i: int) -> str:
    """（一）（二）… for 1..99."""
    if i <= 10:
        word = NUMERALS[i - 1]
    elif i < 20:
        word = "十" + NUMERALS[i - 11]
    else:
        word = NUMERALS[i // 10 - 1] + "十" + (NUMERALS[i % 10 - 1] if i % 10 else "")
    return f"（{word}）"


def _name_text(name: str, version: PolicyVersion) -> str:
    if name in GROUP_WORDS:
        return GROUP_WORDS[name]
    node = version.node(name)
    if node is not None:
        return f"「{node.label or node.text or node.id}」"
    fact = version.fact(name)
    return f"「{fact.label if fact else name}」"


def expr_text(e: Expr, version: PolicyVersion) -> str:
    """An expression in words: 「出于公心」且不存在「谋取私利」、「集体决策」或者（「应急处置」且「事后报告」）."""

    def inner(x: Expr) -> str:
        text = expr_text(x, version)
        return f"（{text}）" if isinstance(x, And | Or | AtLeast) else text

    if isinstance(e, Name):
        return _name_text(e.name, version)
    if isinstance(e, Const):
        return "总是成立" if e.value else "不成立"
    if isinstance(e, Unknown):  # the remainder of an open list (open_situations): never decided from the facts
        return "所列情形之外、经认定机关研究认定属于应当容错的（本办法列举未尽，无法逐项判断）"
    if isinstance(e, Not):
        if isinstance(e.item, Name) and e.item.name in NOT_GROUP_WORDS:
            return NOT_GROUP_WORDS[e.item.name]
        return f"不存在{inner(e.item)}" if isinstance(e.item, Name) else f"并非{inner(e.item)}"
    if isinstance(e, And):
        return "且".join(inner(i) for i in e.items)
    if isinstance(e, Or):
        return "或者".join(inner(i) for i in e.items)
    if isinstance(e, AtLeast):
        return f"以下至少{e.k}项成立：" + "、".join(inner(i) for i in e.items)
    if isinstance(e, Same):
        return f"{inner(e.left)}与{inner(e.right)}{'不同' if e.negate else '相同'}"
    return e.source()


@dataclass(frozen=True)
class NodeView:
    number: str
    ref: str
    text: str
    label: str
    test: str  # the rule's test in words
    questions: tuple[str, ...]


@dataclass(frozen=True)
class GroupView:
    key: str
    title: str
    lead: str
    nodes: tuple[NodeView, ...]


@dataclass(frozen=True)
class OutcomeView:
    when: str
    outcome: str
    dispositions: str
    ref: str
    text: str


@dataclass(frozen=True)
class PolicyExplanation:
    overview: str
    groups: tuple[GroupView, ...]
    outcomes: tuple[OutcomeView, ...]
    otherwise: OutcomeView
    completeness_note: str
    partial: bool
    notes: tuple[str, ...] = field(default=())


def _node_view(i: int, n: RuleNode, version: PolicyVersion) -> NodeView:
    questions = tuple(f.question for f in (version.fact(fid) for fid in n.facts) if f is not None)
    return NodeView(ordinal(i), n.ref, n.text, n.label or "", expr_text(n.expr, version), questions)


def overview(version: PolicyVersion) -> str:
    """One paragraph: what must hold for tolerance under this version."""
    counts = {g: len([n for n in version.nodes[g] if not n.virtual]) for g in ORDER}
    parts: list[str] = []
    if counts["conditions"]:
        parts.append(f"同时满足全部{counts['conditions']}项容错条件")
    if counts["situations"]:
        more = "（列举未尽）" if version.open_situations is not None else ""
        parts.append(f"属于所列{counts['situations']}种容错情形{more}中的任一情形")
    if counts["exclusions"]:
        parts.append(f"且不存在所列{counts['exclusions']}种不予容错情形")
    text = "按照本办法，" + ("、".join(parts[:-1]) + ("，" if len(parts) > 1 else "") + parts[-1] if parts else "")
    text += "的，可以容错。" if parts else "本办法未列出可编码的容错条件和情形。"
    if counts["mitigations"]:
        text += f"不能免予问责、但具有所列{counts['mitigations']}种从轻、减轻情形之一的，可以从轻或者减轻处理。"
    return text


def explain_policy(version: PolicyVersion) -> PolicyExplanation:
    groups = tuple(
        GroupView(
            g,
            GROUP_TITLES[g],
            GROUP_LEADS[g],
            tuple(_node_view(i, n, version) for i, n in enumerate(version.nodes[g], 1)),
        )
        for g in ORDER
        if version.nodes[g]
    )
    outcomes = tuple(
        OutcomeView(
            expr_text(r.expr, version),
            OUTCOME_LABELS.get(r.outcome, r.outcome),
            "、".join(r.dispositions),
            r.ref,
            r.text,
        )
        for r in version.outcomes
    )
    o = version.otherwise
    otherwise = OutcomeView(
        "不属于以上各项的", OUTCOME_LABELS.get(o.outcome, o.outcome), "、".join(o.dispositions), o.ref, o.text
    )
    notes = tuple(f"{r.ref}：{plain_ids(r.note, version)}" for r in version.readings)
    return PolicyExplanation(
        overview=overview(version),
        groups=groups,
        outcomes=outcomes,
        otherwise=otherwise,
        completeness_note=plain_ids(version.completeness_note, version),
        partial=version.partial,
        notes=notes,
    )
