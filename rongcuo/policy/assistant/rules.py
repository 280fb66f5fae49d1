"""Procedure steps, deadlines, appeal and result use proposed in the rule-file format (policy-format §5)."""

from __future__ import annotations

import re
from typing import Any

from .parts import Part, time_limits
from .split import Piece

# (word as measures write it, catalog stage), longest first when matched.
STAGE_WORDS: tuple[tuple[str, str], ...] = (
    ("书面申请", "application"), ("申请", "application"), ("申报", "application"),
    ("不予受理", "acceptance"), ("决定是否受理", "acceptance"), ("受理", "acceptance"),
    ("调查核实", "investigation"), ("核实", "investigation"), ("核查", "investigation"), ("调查", "investigation"),
    ("初步认定", "preliminary_finding"), ("申辩", "defence"), ("第三方评估", "third_party_evaluation"),
    ("听证", "hearing"), ("集体研判", "collective_decision"), ("研究决定", "collective_decision"),
    ("集体研究", "collective_decision"), ("审定", "collective_decision"),
    ("作出决定", "decision"), ("认定结论", "decision"), ("认定", "decision"), ("决定", "decision"),
    ("反馈", "feedback"), ("答复", "feedback"), ("函告", "notify_organisation"),
    ("报备", "filing"), ("备案", "filing"), ("公开", "publication"), ("公示", "publication"),
    ("公布", "publication"), ("申诉", "appeal"), ("实施", "implementation"),
)
_STAGES_LONGEST = sorted(STAGE_WORDS, key=lambda s: -len(s[0]))
_NOT_STEPS = ("认定程序", "容错认定", "认定机关", "认定结果", "申请人", "申请单位")  # stage words used as nouns

# (words, result-use area): 「党风廉政建设责任制考核」 is its own area, not also 「考核」.
AREA_WORDS: tuple[tuple[str, str], ...] = (
    ("党风廉政建设责任制考核", "responsibility_appraisal"), ("党风廉政意见回复", "integrity_reply"),
    ("廉政审查", "integrity_review"), ("后备干部", "reserve_cadre"), ("党代会代表", "representative_eligibility"),
    ("党代表", "representative_eligibility"), ("人大代表", "representative_eligibility"),
    ("政协委员", "representative_eligibility"), ("表彰奖励", "commendation"), ("表彰", "commendation"),
    ("评先评优", "awards"), ("评先树优", "awards"), ("评优评先", "awards"), ("考核评优", "awards"),
    ("评先", "awards"), ("评优", "awards"), ("职称", "title_evaluation"), ("职级", "rank_promotion"),
    ("提拔", "promotion"), ("任用", "promotion"), ("选拔", "promotion"), ("安排使用", "promotion"),
    ("正常使用", "promotion"), ("考核", "appraisal"),
)
_AREAS_LONGEST = sorted(AREA_WORDS, key=lambda a: -len(a[0]))


def _clause_of(text: str, pos: int) -> str:
    start = max(text.rfind(c, 0, pos) for c in "，；。：") + 1
    ends = [i for i in (text.find(c, pos) for c in "，；。") if i >= 0]
    return text[start : min(ends) if ends else len(text)].strip()


Hit = tuple[int, str, str]  # position, word, stage or area


def _masked_hits(text: str, table: tuple[tuple[str, str], ...], skip: tuple[str, ...] = ()) -> list[Hit]:
    taken = [False] * len(text)
    for word in skip:
        for m in re.finditer(re.escape(word), text):
            taken[m.start() : m.end()] = [True] * len(word)
    hits = []
    for word, value in table:
        for m in re.finditer(re.escape(word), text):
            if not any(taken[m.start() : m.end()]):
                taken[m.start() : m.end()] = [True] * len(word)
                hits.append((m.start(), word, value))
    return sorted(hits)


def procedure(pieces: list[tuple[Piece, Part]]) -> dict[str, Any]:
    """steps (first mention of each stage, in order), deadlines with their time limits, appeal, deciding body."""
    steps: list[dict[str, Any]] = []
    deadlines: list[dict[str, Any]] = []
    seen: set[str] = set()
    out: dict[str, Any] = {}
    for piece, part in pieces:
        text = piece.text
        if part.part == "procedure":
            for pos, word, stage in _masked_hits(text, _STAGES_LONGEST, _NOT_STEPS):
                if stage not in seen and stage != "appeal":
                    seen.add(stage)
                    steps.append({"stage": stage, "name": word, "ref": piece.ref, "text": _clause_of(text, pos)})
            m = re.search(r"由([^，。；]{2,20}?)(?:研究决定|集体研究|审定|作出决定|作出认定)", text)
            if m and "deciding_body" not in out:
                out["deciding_body"] = {"name": m.group(1), "ref": piece.ref, "text": _clause_of(text, m.start())}
            for limit in time_limits(text):
                if limit.days is None:
                    continue
                pos = text.find(limit.text)
                clause = _clause_of(text, pos)
                stage = _stage_near(clause, limit.text)
                deadlines.append({"stage": stage, "within": limit.days,
                                  "unit": "working_days" if limit.workdays else "days",
                                  "from": _starting_event(clause, limit.text), "ref": piece.ref,
                                  "note": f"条文：「{clause}」（时限原文「{limit.text}」）"})
        elif part.part == "appeal" and "appeal" not in out:
            out["appeal"] = _appeal(piece)
    if steps:
        out["steps"] = steps
    if deadlines:
        out["deadlines"] = deadlines
    return {k: out[k] for k in ("steps", "deciding_body", "deadlines", "appeal") if k in out}


def _starting_event(clause: str, limit: str) -> str:
    """「收到书面申请后」「自收到决定之日起」: the event the period runs from, as written; "" when not stated."""
    head = clause[: clause.find(limit)]
    m = re.search(r"(?:自|从|收到|接到|受理|提出)[^，；。]*?(?:之日起|之日|起|后)", head)
    return m.group(0) if m else ""


def _stage_near(clause: str, limit: str) -> str:
    """The stage a time limit belongs to: the stage word after it (「5个工作日内受理」) or else before it."""
    pos = clause.find(limit)
    after = _masked_hits(clause[pos + len(limit) :], _STAGES_LONGEST, _NOT_STEPS)
    before = _masked_hits(clause[:pos], _STAGES_LONGEST, _NOT_STEPS)
    if after:
        return after[0][2]
    return before[-1][2] if before else "decision"


def _appeal(piece: Piece) -> dict[str, Any]:
    limits = [t for t in time_limits(piece.text) if t.days is not None]
    d: dict[str, Any] = {"ref": piece.ref}
    if limits:
        d.update(within=limits[0].days, unit="working_days" if limits[0].workdays else "days")
    if len(limits) > 1:
        d["decided_within"] = limits[1].days
    if re.search(r"不停止(原决定的)?执行", piece.text):
        d["suspends_execution"] = False
    return d


def result_use(pieces: list[tuple[Piece, Part]], taken: set[str]) -> list[dict[str, Any]]:
    """One rule per sentence naming result-use areas (policy-format §5.1)."""
    rules: list[dict[str, Any]] = []
    for piece, part in pieces:
        if part.part != "result_use":
            continue
        for sentence in re.split(r"(?<=[。；])", piece.text):
            hits = _masked_hits(sentence, _AREAS_LONGEST)
            if not hits:
                continue
            mitigated = bool(re.search(r"从轻|减轻", sentence))
            period = "影响期" in sentence
            split_at = sentence.find("期满") if period else -1
            areas = [a for pos, _, a in hits if split_at < 0 or pos < split_at]
            after = [a for pos, _, a in hits if 0 <= split_at <= pos]
            rule: dict[str, Any] = {"id": "", "applies_to": "mitigate" if mitigated or period else "exempt",
                                    "ref": piece.ref, "text": sentence.strip().rstrip("。；")}
            if areas and not period:
                rule["unaffected"] = list(dict.fromkeys(areas))
            if re.search(r"不作负面评价|不得作负面评价|不作为负面", sentence):
                rule["no_negative_evaluation"] = True
            if period:
                m = re.search(r"(\d+)\s*个月", sentence)
                rule["influence_period"] = {"months": int(m.group(1)) if m else None}
                rule["after_period_unaffected"] = list(dict.fromkeys(after or areas))
            base = f"r_{rule['applies_to']}"
            rid, k = base, 2
            while rid in taken:
                rid, k = f"{base}_{k}", k + 1
            taken.add(rid)
            rule["id"] = rid
            rules.append(rule)
    return rules

