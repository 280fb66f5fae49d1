"""The Chinese explanation a case handler can paste into a report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import OUTCOME_LABELS

if TYPE_CHECKING:
    from .evaluate import Result
    from .model import RuleNode

NUMERALS = "一二三四五六七八九十"
CONCLUSION = {
    "exempt": "符合容错条件、属于容错情形，可以予以容错",
    "mitigate": "不符合免予问责情形，但具有从轻、减轻情形，可以从轻或者减轻处理",
    "not_tolerated": "不予容错，依照有关规定处理",
    "undetermined": "依据已查明的事实，尚不能得出结论（待定）",
}


def _cite(n: RuleNode) -> str:
    text = f"「{n.text}」" if n.text else (n.label or n.id)
    refs = "；".join(f"{r}「{t}」" if t else r for r, t in n.cites)
    where = "；".join(x for x in (n.ref, refs) if x)
    return f"{text}（{where}）" if where else text


def _facts_label(result: Result, nodes: list[RuleNode]) -> str:
    facts = result.evaluation.facts
    labels: list[str] = []
    for n in nodes:
        for f in n.facts:
            if facts.get(f) is None:
                fact = result.version.fact(f)
                label = fact.label if fact else f
                if label not in labels:
                    labels.append(label)
    return "、".join(labels)


def _part(result: Result, group: str) -> str | None:
    ev = result.evaluation
    nodes = list(ev.version.nodes[group])
    if not nodes:
        return None
    true = [n for n in nodes if ev.values[n.id] is True]
    false = [n for n in nodes if ev.values[n.id] is False]
    unknown = [n for n in nodes if ev.values[n.id] is None]
    if group == "exclusions":
        if true:
            return "存在不予容错情形：" + "；".join(_cite(n) for n in true) + "。"
        if unknown:
            return f"是否存在不予容错情形尚未查明（涉及：{_facts_label(result, unknown)}）。"
        return "经查，不存在所列不予容错情形。"
    if group == "conditions":
        if false:
            return "不具备容错条件：" + "；".join(_cite(n) for n in false) + "。"
        if unknown:
            known = f"已具备{len(true)}项，" if true else ""
            return f"容错条件{known}尚有{len(unknown)}项未查明（涉及：{_facts_label(result, unknown)}）。"
        return "所列容错条件均已具备。"
    if group == "situations":
        if true:
            return "属于容错情形：" + "；".join(_cite(n) for n in true) + "。"
        listed = [n for n in unknown if not n.virtual]
        if listed:
            return f"是否属于容错情形尚未查明（涉及：{_facts_label(result, listed)}）。"
        if unknown:  # only the open remainder of the list is unknown
            o = result.version.open_situations
            note = f"（{o.ref}：{o.note}）" if o else ""
            return f"不属于所列容错情形；所列情形之外是否属于容错情形，本办法未能编码，无法判断{note}。"
        return "不属于所列任何一种容错情形。"
    if true:
        return "具有从轻、减轻情形：" + "；".join(_cite(n) for n in true) + "。"
    if unknown:
        return f"是否具有从轻、减轻情形尚未查明（涉及：{_facts_label(result, unknown)}）。"
    return "不具有所列从轻、减轻情形。"


def explain(result: Result) -> str:
    v = result.version
    lines = [f"依据{v.display_title()}〔{v.policy.jurisdiction_name}，{v.version}版〕："]
    if v.partial and v.completeness_note:
        lines.append(f"【提示】{v.completeness_note}")
    outcome = result.outcome
    conclusion = f"结论：{OUTCOME_LABELS[outcome]}。{CONCLUSION[outcome]}"
    if result.dispositions:
        conclusion += f"；可选处理方式：{'、'.join(result.dispositions)}"
    lines.append(conclusion + "。")
    rule = result.deciding_rule()
    if rule and rule["ref"]:
        lines.append(f"依据条款：{rule['ref']}" + (f"「{rule['text']}」" if rule["text"] else "") + "。")
    groups = ["exclusions", "conditions", "situations"]
    if outcome != "exempt":  # mitigation only matters where exemption is not given
        groups.append("mitigations")
    parts = [p for g in groups if (p := _part(result, g))]
    if parts:
        lines.append("理由：")
        lines.extend(f"（{NUMERALS[i]}）{p}" for i, p in enumerate(parts))
    if result.questions:
        lines.append("下一步需要查明：")
        lines.extend(f"{i}. {q.question}（{q.label}）" for i, q in enumerate(result.questions, 1))
    elif outcome == "undetermined":
        ev = result.evaluation
        open_only = v.open_situations is not None and all(
            ev.values[n.id] is not None for n in v.all_nodes() if not n.virtual
        )
        if open_only:  # nothing left to find out: what lies outside the listed situations is for the organ
            lines.append("下一步：所列情形之外是否属于容错情形，须由认定机关对照办法原文研究认定。")
        else:
            lines.append("下一步需要查明：请补充上述尚未查明的事实。")
    return "\n".join(lines)
