"""Result use 「结果运用」: does any matter count against a cadre for a purpose on a day? Pure functions.

The rules, in the order they are applied to each recorded decision (see docs in the module tests):
1. A matter cleared by 澄清正名 never counts.
2. A decision made after the day asked about does not count yet.
3. The disposition picks the rule set (从轻处理/减轻处理 → mitigate even if the engine said exempt;
   免予问责/不予问责/免除相关责任 → exempt; 问责处理 → not_tolerated); an appeal that changed the decision
   changed the disposition recorded, so the changed one is used.
4. exempt: never counts. Cites the policy's exempt rule naming the purpose, else the general rule
   「同样看待、不受影响」 labelled as the system's reading.
5. mitigate: counts during the influence period unless the policy lists the purpose as unaffected; never
   after it ends (citing after_period_unaffected where the policy names the purpose, else the general rule).
   An influence period of 0 months means no influence period. Without any recorded period: counts, 「按有关规定」.
6. not_tolerated: counts during its influence period when one was recorded, never after; otherwise counts,
   「按有关规定」.
Influence period: starts on the decision date; its last day is the day with the same number N months later
(the month's last day when there is none), counted like 民法典 第二百零一条、第二百零二条; it still counts on
that last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rongcuo.policy.catalog import catalog

SYSTEM_REF = "系统解读"
GENERAL_EXEMPT = (
    "对给予容错免责的干部，在各类考核和干部提拔任用、职级职称晋升、评先评优、表彰奖励以及党代表、人大代表、"
    "政协委员、后备干部资格等方面同样看待、不受影响"
)
GENERAL_AFTER = "影响期满后，根据工作需要和干部的德才素质、现实表现，按照有关规定正常使用，不再受该处理影响"
GENERAL_IN_PERIOD = "从轻、减轻处理的，在影响期内按照有关规定产生影响"
BY_REGULATIONS = "按有关规定：决定未载明影响期，其影响按照有关规定确定，请结合有关规定核实"
CLEARED_TEXT = "经核实不实的检举控告事项已予澄清正名，不作为负面因素，在结果运用中不产生任何影响"


@dataclass(frozen=True)
class Citation:
    source: str  # policy / system / decision / clarification
    ref: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "ref": self.ref, "text": self.text}


@dataclass(frozen=True)
class Rule:
    """A policy's result-use rule as recorded with the decision."""

    id: str
    applies_to: str
    ref: str
    text: str
    unaffected: tuple[str, ...] = ()
    after_period_unaffected: tuple[str, ...] = ()
    no_negative_evaluation: bool = False
    period_months: int | None = None
    period_note: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Rule:
        return cls(
            id=d.get("id", ""),
            applies_to=d.get("applies_to", ""),
            ref=d.get("ref", ""),
            text=d.get("text", ""),
            unaffected=tuple(d.get("unaffected") or ()),
            after_period_unaffected=tuple(d.get("after_period_unaffected") or ()),
            no_negative_evaluation=bool(d.get("no_negative_evaluation")),
            period_months=d.get("period_months"),
            period_note=d.get("period_note") or "",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "applies_to": self.applies_to,
            "ref": self.ref,
            "text": self.text,
            "unaffected": list(self.unaffected),
            "after_period_unaffected": list(self.after_period_unaffected),
            "no_negative_evaluation": self.no_negative_evaluation,
            "period_months": self.period_months,
            "period_note": self.period_note,
        }


@dataclass(frozen=True)
class Clearance:
    organ: str
    held_on: dt.date
    matter_text: str
    report_number: str

    def citation(self) -> Citation:
        return Citation(
            "clarification", f"澄清正名（{self.organ}，{self.report_number}，{cn_date(self.held_on)}）", CLEARED_TEXT
        )


@dataclass(frozen=True)
class Matter:
    """One decision on the cadre as result use sees it."""

    case_number: str
    kind: str
    outcome: str
    disposition: str
    decided_on: dt.date
    organ: str
    policy: str = ""
    policy_version: str = ""
    policy_title: str = ""
    document_number: str = ""
    form: int | None = None
    influence_months: int | None = None
    influence_source: str = ""
    rules: tuple[Rule, ...] = ()
    changed_on_appeal: bool = False
    original_disposition: str = ""
    cleared: Clearance | None = None

    @property
    def influence_ends_on(self) -> dt.date | None:
        return influence_end(self.decided_on, self.influence_months)

    def policy_citation(self, rule: Rule) -> Citation:
        title = self.policy_title or self.policy
        return Citation("policy", f"{title}{rule.ref}".strip(), rule.text)


@dataclass(frozen=True)
class Verdict:
    matter: Matter
    purpose: str
    counts_against: bool
    status: str  # cleared / not_yet / exempt / no_period / in_period / area_unaffected / after_period / by_regulations
    reason: str
    citations: tuple[Citation, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Answer:
    purpose: str
    on: dt.date
    verdicts: tuple[Verdict, ...]

    @property
    def counts_against(self) -> bool:
        return any(v.counts_against for v in self.verdicts)

    @property
    def label(self) -> str:
        return area_label(self.purpose)


# --- vocabulary ---------------------------------------------------------------------------------------


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def areas() -> dict[str, str]:
    return catalog().areas


def area_label(area: str) -> str:
    return areas().get(area, area)


def resolve_purpose(value: str) -> str | None:
    """An area id or its Chinese label (e.g. 提拔任用 → promotion); None when unknown."""
    value = (value or "").strip()
    found = areas()
    if value in found:
        return value
    for k, label in found.items():
        if label == value:
            return k
    return None


def rule_kind(disposition: str, outcome: str) -> str:
    """The disposition decides which rules apply; the outcome only when the disposition is unknown."""
    return catalog().dispositions.get(disposition, outcome)


def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def influence_end(decided_on: dt.date, months: int | None) -> dt.date | None:
    """The last day of the influence period (inclusive); None without a period."""
    if months is None or months <= 0:
        return None
    return add_months(decided_on, months)


def rules_from_policy(result_use: Iterable[Any], kind: str) -> list[Rule]:
    """The result-use rules of a PolicyVersion that apply to this kind of handling, as plain records."""
    out = []
    for r in result_use:
        if r.applies_to != kind:
            continue
        period = r.influence_period
        out.append(
            Rule(
                id=r.id,
                applies_to=r.applies_to,
                ref=r.ref,
                text=r.text,
                unaffected=tuple(r.unaffected),
                after_period_unaffected=tuple(r.after_period_unaffected),
                no_negative_evaluation=r.no_negative_evaluation,
                period_months=period.months if period else None,
                period_note=(period.note or "") if period else "",
            )
        )
    return out


def influence_months_for(kind: str, decided: int | None, rules: Sequence[Rule]) -> tuple[int | None, str]:
    """The decision's own period; else (mitigate only) a period the policy fixes; else none recorded."""
    if decided is not None:
        return decided, "decision"
    if kind == "mitigate":
        fixed = [r.period_months for r in rules if r.period_months is not None]
        if fixed:
            return max(fixed), "policy"
    return None, ""


# --- judging ------------------------------------------------------------------------------------------


def _decision_citation(m: Matter) -> Citation:
    doc = f"（{m.document_number}）" if m.document_number else ""
    appeal = f"，经申诉由“{m.original_disposition}”变更" if m.changed_on_appeal else ""
    return Citation("decision", f"{m.organ}{cn_date(m.decided_on)}决定{doc}", f"{m.disposition}{appeal}")


def _naming(rules: Sequence[Rule], area: str, attr: str) -> Rule | None:
    return next((r for r in rules if area in getattr(r, attr)), None)


def judge(m: Matter, area: str, on: dt.date) -> Verdict:
    label = area_label(area)
    dec = _decision_citation(m)
    if m.cleared is not None:
        return Verdict(m, area, False, "cleared", "所涉事项已澄清正名，不产生影响", (m.cleared.citation(), dec))
    if on < m.decided_on:
        return Verdict(
            m, area, False, "not_yet", f"查询日期早于决定日期（{cn_date(m.decided_on)}），尚不产生影响", (dec,)
        )
    if m.kind == "exempt":
        rule = _naming(m.rules, area, "unaffected")
        cite = (
            m.policy_citation(rule)
            if rule
            else Citation("system", f"{SYSTEM_REF}（容错免责“同样看待、不受影响”的通行规则）", GENERAL_EXEMPT)
        )
        extra = "，不作负面评价" if rule is not None and rule.no_negative_evaluation else ""
        return Verdict(m, area, False, "exempt", f"容错免责，在{label}方面同样看待、不受影响{extra}", (dec, cite))
    if m.kind == "mitigate" and m.influence_months == 0:
        return Verdict(m, area, False, "no_period", "从轻、减轻处理，决定未设影响期，不产生影响", (dec,))
    end = m.influence_ends_on
    if end is None:
        rule = m.rules[0] if m.rules else None
        cites = (dec, m.policy_citation(rule)) if rule else (dec,)
        cites += (Citation("system", SYSTEM_REF, BY_REGULATIONS),)
        return Verdict(m, area, True, "by_regulations", f"决定未载明影响期，按有关规定在{label}方面产生影响", cites)
    if on <= end:
        rule = _naming(m.rules, area, "unaffected") if m.kind == "mitigate" else None
        if rule is not None:
            reason = f"影响期内（至{cn_date(end)}），但办法规定{label}不受影响"
            return Verdict(m, area, False, "area_unaffected", reason, (dec, m.policy_citation(rule)))
        cites: tuple[Citation, ...] = (dec,)
        if m.kind == "mitigate":
            cites += (
                (m.policy_citation(m.rules[0]),) if m.rules else (Citation("system", SYSTEM_REF, GENERAL_IN_PERIOD),)
            )
        return Verdict(
            m,
            area,
            True,
            "in_period",
            f"影响期内（{cn_date(m.decided_on)}至{cn_date(end)}），在{label}方面产生影响",
            cites,
        )
    rule = _naming(m.rules, area, "after_period_unaffected")
    cite = m.policy_citation(rule) if rule else Citation("system", f"{SYSTEM_REF}（影响期满的通行规则）", GENERAL_AFTER)
    return Verdict(m, area, False, "after_period", f"影响期已于{cn_date(end)}届满，{label}不受影响", (dec, cite))


def answer(matters: Iterable[Matter], area: str, on: dt.date) -> Answer:
    return Answer(area, on, tuple(judge(m, area, on) for m in matters))
