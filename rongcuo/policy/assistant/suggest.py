"""Catalog facts ranked by how well they match the words of a clause, and the rule node proposed for an item.

A fact's profile is the words of its Chinese label (weight 3), of its question (weight 1) and of the synonym
table built from the shipped measures (synonyms.yaml: words their article texts use for the fact). A clause
scores Σ weight × idf over the words it shares with the profile (idf over the facts: a word in many profiles
says little), plus half a point × idf for each character pair it shares with the label, so that 「谋取不正当利益」
still meets 谋取私利. Ties go to catalog order, so the ranking is deterministic.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..catalog import Catalog, catalog
from . import segment
from .synonyms import load_table

LABEL_WEIGHT, QUESTION_WEIGHT, BIGRAM_WEIGHT = 3.0, 1.0, 0.5
MIN_SCORE = 4.0  # below this a clause is not taken to name the fact (about one question word shared)
GROUP_PREFIX = {"conditions": "c", "situations": "s", "exclusions": "x", "mitigations": "m"}
_SPLIT = re.compile(r"[，；、。：,;:！？!?\s]+")
_CONJUNCTIONS = frozenset(["且", "并且", "并", "和", "及", "以及", "或者", "或", "同时", "而且", "但"])
_NEGATION = re.compile(r"没有|未|不是|并非|非|不|无")
_NEGATIVE_WORDS = ("不可抗力", "不良影响", "不当", "不正当", "不明", "不对等", "不止", "不行", "难以")


@dataclass(frozen=True)
class Suggestion:
    fact: str
    label: str
    group: str
    score: float
    matched: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "label": self.label, "group": self.group, "score": self.score,
                "matched": list(self.matched)}


@dataclass
class Profiles:
    weights: dict[str, dict[str, float]]  # fact -> word -> weight
    bigrams: dict[str, set[str]]  # fact -> character pairs of its label
    idf: dict[str, float]
    bigram_idf: dict[str, float]
    extra_words: tuple[str, ...]


def _bigrams(text: str) -> set[str]:
    han = re.sub(r"[^\u3400-\u9fff]", " ", text)
    return {han[i : i + 2] for i in range(len(han) - 1) if " " not in han[i : i + 2]}


_PROFILES: dict[tuple[int, bool, int], tuple[Catalog, Profiles]] = {}


def profiles(cat: Catalog | None = None, *, use_synonyms: bool = True) -> Profiles:
    """Built once per catalog (the Catalog holds dicts, so it is remembered by identity, kept alive here)."""
    cat = cat or catalog()
    key = (id(cat), use_synonyms, id(load_table()))
    if key not in _PROFILES:
        _PROFILES[key] = (cat, _build_profiles(cat, use_synonyms))
    return _PROFILES[key][1]


def _build_profiles(cat: Catalog, use_synonyms: bool) -> Profiles:
    table = load_table() if use_synonyms else {}
    extra = tuple(sorted({f.label for f in cat.facts.values()} | {w for ws in table.values() for w in ws}))
    weights: dict[str, dict[str, float]] = {}
    for fid, fact in cat.facts.items():
        w: dict[str, float] = {}
        for word in segment.words(fact.question, extra):
            w[word] = max(w.get(word, 0.0), QUESTION_WEIGHT)
        for word, weight in table.get(fid, {}).items():
            w[word] = max(w.get(word, 0.0), weight)
        for word in [fact.label, *segment.words(fact.label, extra)]:
            w[word] = LABEL_WEIGHT
        weights[fid] = w
    n = len(weights)
    df: dict[str, int] = {}
    for w in weights.values():
        for word in w:
            df[word] = df.get(word, 0) + 1
    bigrams = {fid: _bigrams(f.label) for fid, f in cat.facts.items()}
    bdf: dict[str, int] = {}
    for bs in bigrams.values():
        for b in bs:
            bdf[b] = bdf.get(b, 0) + 1
    return Profiles(
        weights,
        bigrams,
        {word: math.log(1 + n / d) for word, d in df.items()},
        {b: math.log(1 + n / d) for b, d in bdf.items()},
        extra,
    )


def rank(text: str, cat: Catalog | None = None, *, limit: int | None = None,
         use_synonyms: bool = True) -> list[Suggestion]:
    """Catalog facts matching the text, best first (score > 0 only)."""
    cat = cat or catalog()
    prof = profiles(cat, use_synonyms=use_synonyms)
    words = segment.words(text, prof.extra_words)
    grams = _bigrams(text)
    out: list[Suggestion] = []
    for fid, fact in cat.facts.items():
        weights = prof.weights[fid]
        matched = [w for w in words if w in weights]
        score = sum(weights[w] * prof.idf[w] for w in matched)
        shared = sorted(prof.bigrams[fid] & grams)
        covered = "".join(matched)
        extra = [b for b in shared if b not in covered]  # a pair inside a matched word is not counted twice
        score += BIGRAM_WEIGHT * sum(prof.bigram_idf[b] for b in extra)
        if score > 0:
            out.append(Suggestion(fid, fact.label, fact.group, round(score, 3), tuple(matched + extra)))
    out.sort(key=lambda s: (-s.score, cat.facts[s.fact].order))
    return out[:limit] if limit else out


def clauses(text: str) -> list[str]:
    """The clauses of a node's text: split on ，；、。： and on the conjunctions 且/并/和/及/或 (as jieba cuts them)."""
    out: list[str] = []
    for chunk in _SPLIT.split(text):
        current = ""
        for tok in segment.raw_tokens(chunk):
            if tok in _CONJUNCTIONS:
                if current:
                    out.append(current)
                current = ""
            else:
                current += tok
        if current:
            out.append(current)
    return [c for c in out if re.search(r"[\u3400-\u9fff]{2}", c)]


def negated(clause: str, named: tuple[str, ...] = ()) -> bool:
    """Whether the clause denies what it names (「没有为个人谋取私利」), ignoring words that only look negative
    and the words that named the fact (「尚无明确限制」 names no_explicit_restriction, it does not deny it)."""
    hits = [clause.find(w) for w in named if w and w in clause]
    if hits:
        clause = clause[: min(hits)]  # a negation after them (「改革创新虽未达到预期效果」) is about something else
    masked = clause
    for w in (*_NEGATIVE_WORDS, *named):
        masked = masked.replace(w, "□" * len(w))
    return bool(_NEGATION.search(masked))


@dataclass
class ClauseMatch:
    text: str
    suggestions: list[Suggestion]
    fact: str | None  # the clause's top fact, if it scored at least MIN_SCORE
    negated: bool

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "fact": self.fact, "negated": self.negated,
                "suggestions": [s.to_dict() for s in self.suggestions]}


@dataclass
class NodeProposal:
    group: str
    node: dict[str, str]  # {id, ref, text, when}: a rule-file node (policy-format §2.7), ready to insert
    clauses: list[ClauseMatch] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)  # for the whole text
    confidence: float = 0.0
    reason: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "node": dict(self.node),
            "confidence": self.confidence,
            "reason": self.reason,
            "clauses": [c.to_dict() for c in self.clauses],
            "suggestions": [s.to_dict() for s in self.suggestions],
            "warnings": self.warnings,
        }


def _denies(fact: str, cat: Catalog) -> bool:
    """Facts whose own words are negative (「尚无明确限制」「没有先例」「而未被采纳」): a clause that denies
    something names them, it does not deny them."""
    f = cat.facts[fact]
    return negated(f.label + re.sub(r"（[^）]*）", "", f.question))  # not the gloss 「（而非个人专断）」


def _literal(fact: str, cat: Catalog, group: str, clause_negated: bool) -> str:
    """A red line named in a condition or situation must be absent (「没有谋取私利」 → not private_gain)."""
    fgroup = cat.facts[fact].group
    if fgroup in ("red_line", "consequence"):
        neg = group in ("conditions", "situations")
    else:
        neg = clause_negated and not _denies(fact, cat)
    return f"not {fact}" if neg else fact


def propose_node(text: str, ref: str, group: str, node_id: str, cat: Catalog | None = None,
                 *, top: int = 5) -> NodeProposal:
    """The node for one item: per clause the top fact; joined with `and` (conditions, situations) or `or`."""
    cat = cat or catalog()
    matches: list[ClauseMatch] = []
    literals: list[str] = []
    seen: set[str] = set()
    for clause in clauses(text):
        sugg = rank(clause, cat, limit=top)
        best = sugg[0].fact if sugg and sugg[0].score >= MIN_SCORE else None
        neg = negated(clause, sugg[0].matched) if best else negated(clause)
        matches.append(ClauseMatch(clause, sugg, best, neg))
        if best and best not in seen:
            seen.add(best)
            literals.append(_literal(best, cat, group, neg))
    whole = rank(text, cat, limit=top)
    warnings: list[str] = []
    if not literals and whole:
        literals.append(_literal(whole[0].fact, cat, group, negated(text, whole[0].matched)))
        warnings.append("各分句均未明显对应要件，暂取全文最接近的要件，请核对")
    if not literals:
        warnings.append("未能匹配要件库中的要件，请手工填写 when，或声明本地要件")
    joiner = " or " if group in ("exclusions", "mitigations") else " and "
    when = joiner.join(literals)
    confidence = round(min(1.0, max((m.suggestions[0].score for m in matches if m.fact), default=0) / 8), 2)
    reason = [f"{m.text} → {cat.facts[m.fact].label}" for m in matches if m.fact]
    node = {"id": node_id, "ref": ref, "text": text, "when": when}
    return NodeProposal(group, node, matches, whole, confidence, reason, warnings)


def node_id(group: str, ref_numbers: list[int], when: str, taken: set[str]) -> str:
    """ASCII snake_case with the group's prefix, as the shipped files write them: s17_1_1_lacks_precedent."""
    first = re.findall(r"[a-z][a-z0-9_]*", when.replace("not ", ""))
    slug = first[0] if first else "item"
    base = GROUP_PREFIX[group] + "_".join(str(n) for n in ref_numbers) + "_" + slug if ref_numbers else \
        GROUP_PREFIX[group] + "_" + slug
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate
