"""What each article, paragraph or item is: 容错条件, 容错情形, 不予容错, 从轻减轻, 认定程序, 结果运用 …

Recognised by cue words, longest first, a matched cue hiding the shorter ones inside it (「不予容错情形」 is an
exclusion cue, not also the situation cue 「容错情形」). An item's list is announced by its paragraph's lead
(「有下列情形之一的」 → alternative items, 「同时具备下列条件」 → cumulative), so the lead and heading weigh more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import numerals
from .split import Piece

PART_LABELS = {
    "scope": "适用范围",
    "principles": "原则",
    "conditions": "容错条件",
    "situations": "容错情形",
    "exclusions": "不予容错情形",
    "mitigations": "从轻、减轻情形",
    "outcomes": "处理结论",
    "procedure": "认定程序",
    "result_use": "结果运用",
    "appeal": "申诉",
    "correction": "纠错",
    "other": "其他",
}
RULE_GROUPS = ("conditions", "situations", "exclusions", "mitigations")

# (cue, part, weight). Weight 3: the cue alone settles it; 1: one hint among several.
CUES: tuple[tuple[str, str, float], ...] = (
    ("不予容错情形", "exclusions", 3), ("不予容错", "exclusions", 3), ("不得容错", "exclusions", 3),
    ("不能容错", "exclusions", 3),
    ("不适用容错", "exclusions", 3), ("不属于容错", "exclusions", 3), ("不予免责", "exclusions", 3),
    ("不得免责", "exclusions", 3), ("负面清单", "exclusions", 3), ("坚决不容", "exclusions", 3),
    ("不该容", "exclusions", 2), ("除外", "exclusions", 1.5),
    ("同时具备", "conditions", 3), ("同时符合", "conditions", 3), ("同时满足", "conditions", 3),
    ("缺一不可", "conditions", 3), ("容错条件", "conditions", 2), ("免责条件", "conditions", 2),
    ("四条底线", "conditions", 2), ("前提下", "conditions", 1), ("条件", "conditions", 1),
    ("之一", "list", 3), ("下列情形", "list", 2), ("以下情形", "list", 2),
    ("容错情形", "situations", 2), ("免责情形", "situations", 2), ("可以容错", "situations", 2),
    ("予以容错", "situations", 2), ("给予容错", "situations", 1.5), ("申请容错", "situations", 1.5),
    ("不予问责", "situations", 1.5), ("免予问责", "situations", 1.5), ("免于问责", "situations", 1.5),
    ("免于追究", "situations", 1.5), ("不予追究", "situations", 1.5), ("情形", "situations", 1),
    # 「不予追究相关责任或从轻、减轻处理」: the dispositions of a tolerated case, not a list of mitigations
    ("或从轻、减轻", "situations", 1), ("或者从轻、减轻", "situations", 1), ("或从轻或减轻", "situations", 1),
    ("或者从轻或者减轻", "situations", 1), ("或从轻减轻", "situations", 1),
    ("从轻、减轻情形", "mitigations", 3), ("从轻或者减轻", "mitigations", 3), ("从轻或减轻", "mitigations", 3),
    ("从轻", "mitigations", 2), ("减轻", "mitigations", 2),
    ("符合容错条件、属于容错情形", "outcomes", 4), ("免除相关责任", "outcomes", 2), ("容错处理", "outcomes", 2),
    ("认定程序", "procedure", 3), ("容错程序", "procedure", 3), ("免责程序", "procedure", 3),
    ("工作日", "procedure", 1.5), ("受理", "procedure", 1.5), ("书面申请", "procedure", 1.5),
    ("核实", "procedure", 1), ("报备", "procedure", 1), ("备案", "procedure", 1), ("程序", "procedure", 1),
    ("结果运用", "result_use", 3), ("不受影响", "result_use", 2.5), ("同样看待", "result_use", 2.5),
    ("负面评价", "result_use", 2), ("影响期", "result_use", 2), ("一票否决", "result_use", 2),
    ("评先评优", "result_use", 1), ("提拔任用", "result_use", 1), ("考核", "result_use", 0.5),
    ("申诉", "appeal", 3), ("复核", "appeal", 2), ("复查", "appeal", 1.5),
    ("纠错改正", "correction", 3), ("纠错整改", "correction", 3), ("整改", "correction", 2),
    ("纠偏", "correction", 2), ("纠正", "correction", 1.5), ("四种形态", "correction", 2),
    ("适用范围", "scope", 3), ("适用于", "scope", 3), ("本办法所称", "scope", 3), ("本意见所称", "scope", 3),
    ("是指", "scope", 2), ("原则", "principles", 2.5), ("坚持", "principles", 1),
)
_CUES_LONGEST = sorted(CUES, key=lambda c: -len(c[0]))
_DAYS = re.compile(rf"(\d+|[{numerals.NUMERAL_CHARS}]+)\s*个?\s*(工作日|日|天|个月|月)(内|以内|之内)?")


@dataclass
class TimeLimit:
    text: str  # exactly as written: 「5个工作日内」「十五日内」
    days: int | None = None
    months: int | None = None
    workdays: bool = False

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text}
        if self.days is not None:
            d.update(days=self.days, workdays=self.workdays)
        if self.months is not None:
            d["months"] = self.months
        return d


@dataclass
class Part:
    ref: str
    part: str
    label: str
    confidence: float
    cues: list[str]
    combine: str | None = None  # "all" (cumulative conditions) / "any" (alternative situations) for a list
    time_limits: list[TimeLimit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"ref": self.ref, "part": self.part, "label": self.label,
                             "confidence": self.confidence, "cues": self.cues}
        if self.combine:
            d["combine"] = self.combine
        if self.time_limits:
            d["time_limits"] = [t.to_dict() for t in self.time_limits]
        return d


def find_cues(text: str) -> list[tuple[str, str, float]]:
    """Cues in the text, longest first; a matched span hides the shorter cues inside it."""
    taken = [False] * len(text)
    found: list[tuple[int, str, str, float]] = []
    for cue, part, weight in _CUES_LONGEST:
        for m in re.finditer(re.escape(cue), text):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * len(cue)
            found.append((m.start(), cue, part, weight))
    return [(c, p, w) for _, c, p, w in sorted(found)]


def time_limits(text: str) -> list[TimeLimit]:
    out = []
    for m in _DAYS.finditer(text):
        n = numerals.parse(m.group(1))
        if n is None or n == 0:
            continue
        unit = m.group(2)
        if unit in ("个月", "月"):
            if "个" not in m.group(0) and not m.group(3):
                continue  # 「3月」 is a date, not a period
            out.append(TimeLimit(m.group(0), months=n))
        else:
            out.append(TimeLimit(m.group(0), days=n, workdays=unit == "工作日"))
    return out


def _scores(texts: list[tuple[str, float]]) -> tuple[dict[str, float], list[str]]:
    """Part -> weight. 「有下列情形之一的」 only says a list of alternatives follows: it counts for the list the
    sentence names (「……之一的，不予容错」 is a list of exclusions), and for situations when it names none."""
    scores: dict[str, float] = {}
    cues: list[str] = []
    for text, factor in texts:
        for cue, part, weight in find_cues(text):
            scores[part] = scores.get(part, 0.0) + weight * factor
            if cue not in cues:
                cues.append(cue)
    listed = scores.pop("list", 0.0)
    if listed:
        named = [p for p in ("exclusions", "mitigations", "conditions") if scores.get(p, 0) >= 2]
        target = max(named, key=lambda p: scores[p]) if named else "situations"
        scores[target] = scores.get(target, 0.0) + listed
    return scores, cues


def classify(piece: Piece, *, heading: str = "", lead: str = "", parent: Part | None = None) -> Part:
    """The part a piece is, with the cue words that decided it and a confidence in [0, 1]."""
    own = piece.lead if piece.children and piece.lead else piece.text
    scores, cues = _scores([(heading, 1.5), (lead, 1.5), (own, 1.0)])
    own_scores, _ = _scores([(piece.text, 1.0)])
    # an item belongs to the list its paragraph announces, unless it names an exclusion itself
    in_list = parent is not None and parent.part in RULE_GROUPS and piece.kind in ("item", "subitem")
    if in_list and parent is not None and own_scores.get("exclusions", 0) < 3:
        scores[parent.part] = scores.get(parent.part, 0.0) + 4
    if not scores:
        part, confidence = "other", 0.0
    else:
        part = max(scores, key=lambda p: (scores[p], -list(PART_LABELS).index(p)))
        total = sum(scores.values())
        confidence = round(min(1.0, scores[part] / 4) * scores[part] / total, 2)
    combine = {"conditions": "all", "situations": "any", "exclusions": "any", "mitigations": "any"}.get(part)
    limits = time_limits(piece.text) if part in ("procedure", "appeal", "correction") else []
    return Part(piece.ref, part, PART_LABELS[part], confidence, cues, combine, limits)


def classify_all(articles: list[Piece]) -> dict[str, Part]:
    """Every piece's part, by ref (articles, paragraphs, items)."""
    out: dict[str, Part] = {}
    for art in articles:
        a_part = classify(art, heading=art.heading)
        out.setdefault(art.ref, a_part)
        for para in art.children:
            p_part = classify(para, heading=art.heading) if len(art.children) > 1 else a_part
            if len(art.children) > 1:
                out.setdefault(para.ref, p_part)
            for item in para.children:
                i_part = classify(item, heading=art.heading, lead=para.lead, parent=p_part)
                out.setdefault(item.ref, i_part)
                for sub in item.children:
                    out.setdefault(sub.ref, classify(sub, lead=item.lead, parent=i_part))
    return out
