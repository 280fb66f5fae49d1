"""What is indexed of a case and of a published rendition, as plain data.

`case_source(case)` reads a case (title, summary, domain, place, the facts found true and their notes,
the free text of its timeline, the decision) into a `CaseSource`; `case_document(source)` turns it into
the row that is stored. The bulk loader and the benchmark build `CaseSource`s directly and go through
the same `case_document`, so a bulk-loaded row is the row the per-case path would have written.

The cadre's name is not indexed: the index is a second copy of the text, and personal data is kept
out of copies that do not need it (PIPL minimisation); cases are found by what happened, not by whom.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from rongcuo.cases.models import Case, CaseEvent, Decision, FactValue
from rongcuo.core.prepared import PreparedQuery
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog

from . import segment
from .scope import doc_scope

EXCERPT = 120


@dataclass(frozen=True)
class Doc:
    tokens: str  # segmented text, space-joined
    length: int
    facts: str  # situation facts found true, sorted, space-joined
    domain: str
    scope: str = ""  # scope marks (scope.py), cases only


@dataclass(frozen=True)
class CaseSource:
    title: str
    summary: str
    domain: str = ""
    place: str = ""  # jurisdiction and unit names
    true_facts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # fact comments, timeline texts, decision texts
    scope: str = ""  # scope marks (scope.doc_scope)


@dataclass(frozen=True)
class PublicSource:
    title: str
    texts: tuple[str, ...] = ()
    domain: str = ""
    facts: tuple[str, ...] = ()
    excerpt: str = ""


@cache
def situations() -> dict[str, str]:
    """The catalog's 容错情形 facts (id → label): sharing them is a reason two cases are alike."""
    return {f.id: f.label for f in catalog().facts.values() if f.group == "situation"}


def fact_label(fact: str) -> str:
    f = catalog().facts.get(fact)
    return f.label if f else fact


def _document(parts: Iterable[str], facts: Iterable[str], domain: str, scope: str = "") -> Doc:
    toks: list[str] = []
    for part in parts:
        if part:
            toks.extend(segment.tokens(part))  # field by field: no token spans two fields
    known = situations()
    shown = sorted({f for f in facts if f in known})
    return Doc(" ".join(toks), len(toks), " ".join(shown), domain[:32], scope)


def case_document(src: CaseSource) -> Doc:
    labels = [fact_label(f) for f in src.true_facts]
    parts = [src.title, src.summary, src.domain, src.place, *labels, *src.notes]
    return _document(parts, src.true_facts, src.domain, src.scope)


def public_document(src: PublicSource) -> Doc:
    labels = [fact_label(f) for f in src.facts]
    return _document([src.title, *src.texts, src.domain, *labels], src.facts, src.domain)


# --- reading cases ---------------------------------------------------------------------------------------


def _han_strings(values: Iterable[Any]) -> list[str]:
    # Payload values that are prose (contain Han characters); dates, ids and enum codes carry no words.
    return [v for v in values if isinstance(v, str) and any("\u4e00" <= ch <= "\u9fff" for ch in v)]


def event_texts(reason: str, data: dict[str, Any]) -> list[str]:
    """The prose of a timeline event: its reason, the texts of the verb's payload, an application's statement."""
    out = [reason] if reason else []
    payload = data.get("payload")
    if isinstance(payload, dict):
        # In key order: PostgreSQL's jsonb does not keep the order the keys were written in.
        out += _han_strings(v for _k, v in sorted(payload.items()))
    out += _han_strings([data.get("statement"), data.get("self_check")])
    return out


def _heads(ids: list[int]) -> QuerySet[Any]:
    return Case.objects.filter(pk__in=ids).values_list(
        "pk", "jurisdiction__name", "unit__name", "jurisdiction__path", "unit_id", "cadre_id"
    )


def _facts(ids: list[int]) -> QuerySet[Any]:
    return FactValue.objects.filter(case_id__in=ids).order_by("id").values_list("case_id", "fact", "value", "comment")


def _events(ids: list[int]) -> QuerySet[Any]:
    return CaseEvent.objects.filter(case_id__in=ids).order_by("at", "id").values_list("case_id", "reason", "data")


def _decisions(ids: list[int]) -> QuerySet[Any]:
    return Decision.objects.filter(case_id__in=ids)


# One case at a time (every case action re-indexes its case): the same four queries, compiled once.
_ONE = tuple(PreparedQuery(lambda pk, q=q: q([pk]), int) for q in (_heads, _facts, _events, _decisions))


def case_sources(cases: list[Case]) -> list[CaseSource]:
    """Sources of many cases in four queries: place names, facts, timelines, decisions."""
    ids = [c.pk for c in cases]
    if len(ids) == 1:
        head_rows, fact_rows, event_rows, decision_rows = (q(ids[0]) for q in _ONE)
    else:
        head_rows, fact_rows, event_rows, decision_rows = (q(ids) for q in (_heads, _facts, _events, _decisions))
    heads = {row[0]: row[1:] for row in head_rows}
    facts: dict[int, list[tuple[str, bool | None, str]]] = defaultdict(list)
    for case_id, fact, value, comment in fact_rows:
        facts[case_id].append((fact, value, comment))
    events: dict[int, list[tuple[str, Any]]] = defaultdict(list)
    for case_id, reason, data in event_rows:
        events[case_id].append((reason, data))
    decisions = {d.case_id: d for d in decision_rows}
    out = []
    for case in cases:
        notes: dict[str, None] = {}  # an ordered set: the same text twice would only inflate its weight
        for _fact, _value, comment in facts[case.pk]:
            if comment:
                notes.setdefault(comment, None)
        for reason, data in events[case.pk]:
            for text in event_texts(reason, data if isinstance(data, dict) else {}):
                notes.setdefault(text, None)
        decision = decisions.get(case.pk)
        if decision is not None:
            form = decision.get_form_display() if decision.form else ""
            outcome = OUTCOME_LABELS.get(decision.outcome, "")
            for text in (outcome, decision.disposition, decision.organ, decision.basis, form):
                if text:
                    notes.setdefault(text, None)
        j_name, u_name, j_path, unit_id, cadre_id = heads[case.pk]
        place = " ".join(p for p in (j_name, u_name) if p)
        out.append(
            CaseSource(
                title=case.title,
                summary=case.summary,
                domain=case.domain,
                place=place,
                true_facts=tuple(f for f, value, _c in facts[case.pk] if value is True),
                notes=tuple(notes),
                scope=doc_scope(case.pk, j_path, unit_id, cadre_id),
            )
        )
    return out


def case_source(case: Case) -> CaseSource:
    return case_sources([case])[0]


# --- reading a rendition (disclosure.Rendition, read by attribute so that either side may evolve) ---------

# The rendition's public text fields, in reading order; `subject` is the de-identified party.
RENDITION_TEXTS = ("region", "subject", "summary", "organ", "basis", "explanation", "result", "policy_title")
RENDITION_LABELS = ("outcome_label", "disposition", "form_label")


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    if isinstance(value, Iterable):
        return [s for v in value for s in _strings(v)]
    return []


def public_source(rendition: Any) -> PublicSource:
    """The public text of a de-identified rendition (never the live case behind it): its text fields,
    the cited articles, and, once it is a typical case, its significance and tags."""
    texts: list[str] = []
    for name in (*RENDITION_TEXTS, *RENDITION_LABELS):
        texts += _strings(getattr(rendition, name, None))
    texts += [str(a.get("text", "")) for a in getattr(rendition, "cited_articles", None) or [] if isinstance(a, dict)]
    typical = _typical(rendition)
    if typical is not None:
        texts += _strings(getattr(typical, "significance", ""))
        texts += [t.name for t in typical.tags.all()]
    facts = tuple(_strings(getattr(rendition, "situations", None)))
    summary = str(getattr(rendition, "summary", "") or "")
    return PublicSource(
        str(getattr(rendition, "title", "") or ""),
        tuple(t for t in texts if t),
        str(getattr(rendition, "domain", "") or ""),
        facts,
        summary[:EXCERPT],
    )


def _typical(rendition: Any) -> Any:
    # A reverse one-to-one raises when absent; a plain object (tests, other callers) has no such attribute.
    try:
        return getattr(rendition, "typical", None)
    except ObjectDoesNotExist:
        return None
