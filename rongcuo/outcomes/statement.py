"""The standing answer as JSON and as a printable Chinese statement 「结果运用情况说明」."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rongcuo.org.models import Cadre

from .models import FORM_LABELS
from .standing import Answer, Clearance, Matter, Verdict, cn_date

KIND_LABELS = {"exempt": "容错免责", "mitigate": "从轻、减轻处理", "not_tolerated": "不予容错（问责处理）"}
CN_NUMS = "一二三四五六七八九十"


def _ordinal(i: int) -> str:
    return CN_NUMS[i] if i < len(CN_NUMS) else str(i + 1)


def matter_dict(m: Matter) -> dict[str, Any]:
    return {
        "case_number": m.case_number,
        "decided_on": m.decided_on.isoformat(),
        "organ": m.organ,
        "document_number": m.document_number,
        "disposition": m.disposition,
        "outcome": m.outcome,
        "kind": m.kind,
        "kind_label": KIND_LABELS.get(m.kind, m.kind),
        "form": m.form,
        "form_label": FORM_LABELS.get(m.form or 0, ""),
        "influence_months": m.influence_months,
        "influence_source": m.influence_source,
        "influence_ends_on": m.influence_ends_on.isoformat() if m.influence_ends_on else None,
        "policy": m.policy,
        "policy_version": m.policy_version,
        "policy_title": m.policy_title,
        "changed_on_appeal": m.changed_on_appeal,
        "original_disposition": m.original_disposition,
        "cleared": m.cleared is not None,
    }


def verdict_dict(v: Verdict) -> dict[str, Any]:
    return {
        "decision": matter_dict(v.matter),
        "counts_against": v.counts_against,
        "status": v.status,
        "reason": v.reason,
        "citations": [c.to_dict() for c in v.citations],
    }


def cadre_dict(cadre: Cadre) -> dict[str, Any]:
    return {"id": cadre.pk, "name": cadre.name, "unit": cadre.unit.name, "position": cadre.position}


def clearance_dict(c: Clearance) -> dict[str, Any]:
    return {"report": c.report_number, "matter": c.matter_text, "organ": c.organ, "held_on": c.held_on.isoformat()}


def standing_json(cadre: Cadre, on: dt.date, answers: list[Answer], clearances: list[Clearance]) -> dict[str, Any]:
    return {
        "cadre": cadre_dict(cadre),
        "on": on.isoformat(),
        "counts_against": any(a.counts_against for a in answers),
        "purposes": [
            {
                "id": a.purpose,
                "label": a.label,
                "counts_against": a.counts_against,
                "matters": [verdict_dict(v) for v in a.verdicts],
            }
            for a in answers
        ],
        "cleared_matters": [clearance_dict(c) for c in clearances],
        "note": "标注“系统解读”的依据为本系统对容错纠错通行规则的理解，不是办法原文。",
    }


def _matter_line(m: Matter) -> str:
    doc = f"（{m.document_number}）" if m.document_number else ""
    form = f"，属{FORM_LABELS[m.form]}" if m.form in FORM_LABELS else ""
    line = f"{m.organ}于{cn_date(m.decided_on)}作出决定{doc}：{m.disposition}{form}"
    if m.changed_on_appeal:
        line += f"（经申诉由“{m.original_disposition}”变更）"
    if m.influence_months:
        line += f"，影响期{m.influence_months}个月，至{cn_date(m.influence_ends_on)}止"
        if m.influence_source == "policy":
            line += "（影响期依办法确定）"
    return line


def _verdict_lines(v: Verdict) -> list[str]:
    lines = [f"    结论：{'产生影响' if v.counts_against else '不受影响'}。{v.reason}。"]
    for c in v.citations:
        if c.source == "decision":
            continue
        label = {"policy": "依据", "system": "依据（系统解读）", "clarification": "澄清正名"}.get(c.source, "依据")
        lines.append(f"    {label}：{c.ref}「{c.text}」")
    return lines


def standing_text(
    cadre: Cadre, on: dt.date, answers: list[Answer], clearances: list[Clearance], *, issued_by: str = ""
) -> str:
    """A printable statement for appraisal and appointment files."""
    out = ["结果运用情况说明", ""]
    out.append(f"干部：{cadre.name}（{cadre.unit.name}{' ' + cadre.position if cadre.position else ''}）")
    out.append(f"查询日期：{cn_date(on)}")
    out.append(f"查询用途：{'、'.join(a.label for a in answers)}")
    out.append("")
    for a in answers:
        n = sum(1 for v in a.verdicts if v.counts_against)
        if n:
            out.append(f"【{a.label}】截至{cn_date(on)}，有{n}项处理在{a.label}方面对该干部产生影响。")
        else:
            out.append(f"【{a.label}】截至{cn_date(on)}，没有在{a.label}方面对该干部产生影响的处理事项。")
        for i, v in enumerate(a.verdicts):
            out.append(f"  {_ordinal(i)}、案件{v.matter.case_number}，{_matter_line(v.matter)}。")
            out.extend(_verdict_lines(v))
        out.append("")
    if clearances:
        out.append("已澄清正名事项（不作为负面因素）：")
        for c in clearances:
            out.append(f"  · {c.matter_text}（{c.organ}于{cn_date(c.held_on)}澄清，{c.report_number}）")
        out.append("")
    out.append("说明：本说明依据本系统记录的容错纠错决定及所适用办法的结果运用规定生成；")
    out.append("标注“系统解读”的，为本系统对容错纠错通行规则的理解，不是办法原文。")
    if issued_by:
        out.append(f"查询人：{issued_by}")
    return "\n".join(out) + "\n"
