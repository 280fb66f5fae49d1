"""Similar-case recommendation 「类案推送」: for a case in progress, the most alike cases in the user's scope
and in the public library, each with its reasons.

1. Key terms: the case's words (two characters or more) weighted by tf × idf in the target corpus; the
   top KEY_TERMS form the query, each weighted by its frequency in the case.
2. Candidates: for the rarest key terms (until BUDGET ids were read, or RETRIEVAL_TERMS terms filled
   the pool), the newest PER_TERM documents containing each, within the user's scope marks; a
   candidate scores the idf of every rare term it holds, and the best POOL go on, read through
   visible_cases. Rare terms are where alike cases differ from the rest, and the bounds keep a
   million-case corpus within the time target.
3. Ranking: BM25 over all key terms, divided by the case's own BM25 (so 1.0 means "says what this case
   says"), blended with the share of the case's 容错情形 facts (found true) that the candidate shares.

Every step is Python over data that is identical on SQLite and PostgreSQL, so both give the same order.
The score is relative on purpose: raw BM25 would reveal document frequencies of the whole national
corpus, including cases outside the user's scope.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Exists, OuterRef, QuerySet

from rongcuo.accounts.models import User
from rongcuo.cases.access import access_case, visible_cases
from rongcuo.cases.models import Case

from . import bm25, segment
from .backends import NOTHING, Ask, Scope, backend, scope_for
from .documents import Doc, case_document, case_source, fact_label
from .models import CORPUS_CASES, CORPUS_PUBLIC, CaseDoc, PublicDoc
from .query import DEFERRED, expected_matches, marks_share, stats_for
from .scope import reach

KEY_TERMS = 24  # as Lucene's MoreLikeThis: enough words to say what a case is about
BUDGET = 1_200  # candidate ids read, at most about
PER_TERM = 150
RETRIEVAL_TERMS = 4
POOL = 100
TEXT_WEIGHT = 0.7  # the rest is the share of situation facts in common
SHOWN_TERMS = 6


@dataclass(frozen=True)
class Match:
    id: int
    score: float  # 0–1
    shared_terms: tuple[str, ...]
    shared_facts: tuple[str, ...]  # fact ids
    same_domain: bool
    domain: str

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.shared_terms:
            out.append("共同关键词：" + "、".join(self.shared_terms))
        if self.shared_facts:
            out.append("相同容错情形：" + "、".join(fact_label(f) for f in self.shared_facts))
        if self.same_domain:
            out.append(f"同属“{self.domain}”领域")
        return out


@dataclass(frozen=True)
class SimilarCase:
    case: Case
    match: Match


@dataclass(frozen=True)
class SimilarPublic:
    rendition_id: int
    title: str
    excerpt: str
    match: Match


@dataclass
class Recommendations:
    case: Case  # the case the recommendations are for
    cases: list[SimilarCase] = field(default_factory=list)
    library: list[SimilarPublic] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # the key terms of the case (for the cases corpus)


def _source(case: Case) -> tuple[Doc, bool]:
    """The case's stored document, or one computed now (not stored) when it is not indexed."""
    row = CaseDoc.objects.filter(pk=case.pk).values_list("tokens", "length", "facts", "domain").first()
    if row is not None:
        return Doc(*row), True
    return case_document(case_source(case)), False


@dataclass(frozen=True)
class Target:
    """Where to look for alike documents, and how the user's scope applies there."""

    corpus: str
    marks: list[str] | None = None  # narrow inside the index (scope.py)
    check_rows: Scope | None = None  # check every retrieved id (only when marks cannot narrow)
    visible: QuerySet | None = None  # the pool is read through the chokepoint's queryset (cases)


def rank(
    target: Target, source: Doc, *, exclude: set[int], self_counted: bool, limit: int, ignore: frozenset[str]
) -> tuple[list[Match], list[str]]:
    counts = Counter(t for t in source.tokens.split() if len(t) >= 2 and not t.isdigit() and t not in ignore)
    if not counts:
        return [], []
    stats = stats_for(target.corpus, sorted(counts))
    own = 1 if self_counted else 0  # the source case is itself one of the documents holding its terms
    weight = {t: c * stats.idf(t) for t, c in counts.items() if stats.df.get(t, 0) - own > 0}
    key = sorted(weight, key=lambda t: (-weight[t], t))[:KEY_TERMS]
    if not key:
        return [], []
    pre = _prescore(target, stats, key, exclude)
    pool = sorted(pre, key=lambda pk: (-pre[pk], -pk))[:POOL]
    qweights = {t: float(counts[t]) for t in key}
    own_score = bm25.score(counts, source.length, stats, qweights)
    src_facts = set(source.facts.split())
    matches = []
    for pk, toks, length, facts, domain in _pool_docs(target, pool):
        tf = bm25.term_counts(toks, key)
        text = min(1.0, bm25.score(tf, length, stats, qweights) / own_score) if own_score else 0.0
        shared_facts = tuple(sorted(src_facts & set(facts.split())))
        facts_share = len(shared_facts) / len(src_facts) if src_facts else 0.0
        score = TEXT_WEIGHT * text + (1 - TEXT_WEIGHT) * facts_share if src_facts else text
        contribution = {t: bm25.score({t: tf[t]}, length, stats, {t: qweights[t]}) for t in key if tf[t]}
        shared = tuple(sorted(contribution, key=lambda t: (-contribution[t], t))[:SHOWN_TERMS])
        same = bool(domain) and domain == source.domain
        matches.append(Match(pk, score, shared, shared_facts, same, domain))
    matches.sort(key=lambda m: (-m.score, -m.id))
    return matches[:limit], key


def _prescore(target: Target, stats: bm25.Stats, key: list[str], exclude: set[int]) -> dict[int, float]:
    """Sum of the idf of the key terms each document holds, reading the newest PER_TERM documents per
    term, rarest term first, until BUDGET ids were read, or RETRIEVAL_TERMS terms filled the pool."""
    pre: dict[int, float] = defaultdict(float)
    share = marks_share(stats.docs, target.marks)
    spent = 0
    be = backend()
    for n, t in enumerate(sorted(key, key=lambda t: (stats.df[t], t)), start=1):
        ask = Ask(target.corpus, [t], PER_TERM, target.check_rows, target.marks, expected_matches(stats, [t], share))
        for pk, visible in be.newest(ask, ids_only=True):
            spent += 1
            if visible and pk not in exclude:
                pre[pk] += stats.idf(t)
        if spent >= BUDGET or (n >= RETRIEVAL_TERMS and len(pre) >= POOL):
            break
    return pre


def _pool_docs(target: Target, pool: list[int]) -> list[tuple[int, str, int, str, str]]:
    model = CaseDoc if target.corpus == CORPUS_CASES else PublicDoc
    qs = model.objects.filter(pk__in=pool)
    if target.visible is None:
        return list(qs.values_list("pk", "tokens", "length", "facts", "domain"))
    # In the select list, so the check runs for these rows only (in WHERE the planner may scan the scope).
    ok = Exists(target.visible.order_by().filter(pk=OuterRef("pk")))
    rows = qs.annotate(ok=ok).values_list("pk", "tokens", "length", "facts", "domain", "ok")
    return [row[:5] for row in rows if row[5]]


def _place_words(case: Case) -> frozenset[str]:
    """Words of the case's jurisdiction and unit names: every case of the same unit has them, and they say
    where, not what happened, so they are not a reason two cases are alike."""
    names = Case.objects.filter(pk=case.pk).values_list("jurisdiction__name", "unit__name").first() or ()
    return frozenset(t for name in names if name for t in segment.tokens(name))


def _own_rendition(case: Case) -> set[int]:
    try:
        model: Any = apps.get_model("disclosure", "Rendition")
    except LookupError:
        return set()
    return set(model.objects.filter(case_id=case.pk).values_list("pk", flat=True))


def similar_cases(user: User, case: Case | int, limit: int = 5) -> Recommendations:
    """Alike cases in the user's scope and alike published renditions, best first, with reasons.
    The case itself must be visible to the user (otherwise NotFound, as for any case read)."""
    case = access_case(user, case.pk if isinstance(case, Case) else case)
    source, stored = _source(case)
    visible = visible_cases(user)
    scope = scope_for(visible)
    place = _place_words(case)
    out = Recommendations(case)
    if scope is not NOTHING:
        r = reach(user)
        target = Target(
            CORPUS_CASES,
            marks=r.marks,
            check_rows=None if r.marks is not None or r.everything else scope,
            visible=None if r.everything else visible,
        )
        found, out.terms = rank(target, source, exclude={case.pk}, self_counted=stored, limit=limit, ignore=place)
        cases = visible.select_related("jurisdiction").defer(*DEFERRED).in_bulk([m.id for m in found])
        out.cases = [SimilarCase(cases[m.id], m) for m in found if m.id in cases]
    found, _terms = rank(
        Target(CORPUS_PUBLIC), source, exclude=_own_rendition(case), self_counted=False, limit=limit, ignore=place
    )
    docs = PublicDoc.objects.only("title", "excerpt").in_bulk([m.id for m in found])
    out.library = [SimilarPublic(m.id, docs[m.id].title, docs[m.id].excerpt, m) for m in found if m.id in docs]
    return out
