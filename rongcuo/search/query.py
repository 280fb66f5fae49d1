"""Full-text search: cases within the user's scope, and the public library.

A query is cut into words (segment.query_terms); a document matches when it contains every word. The
database returns the newest matches (at most CANDIDATES), and BM25 orders them. When more documents
match, only the newest CANDIDATES are ranked and the page says so (`truncated`): ranking every match
of a common word among a million cases cannot be done in tens of milliseconds on PostgreSQL, and a
handler looking for 「容错」 wants recent cases first anyway; adding a word narrows the match.

Query count does not grow with the number of results: grants, statistics, candidates, one page fetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from rongcuo.accounts.models import User
from rongcuo.cases.access import visible_cases
from rongcuo.cases.models import Case

from . import bm25, segment
from .backends import NOTHING, Scope, backend, scope_for
from .models import CORPUS_CASES, CORPUS_PUBLIC, CorpusStat, PublicDoc, TermStat
from .scope import marks_for

CANDIDATES = 500
MAX_TERMS = 12  # a pasted paragraph is not a query; its first words are enough to find it
DEFERRED = ("procedure", "evaluation", "policies")  # large JSON a result list never shows

T = TypeVar("T")


@dataclass(frozen=True)
class CaseHit:
    case: Case
    score: float


@dataclass(frozen=True)
class PublicHit:
    rendition_id: int
    title: str
    excerpt: str
    domain: str
    score: float


@dataclass
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    total: int = 0  # matches found (at most CANDIDATES)
    truncated: bool = False  # more than CANDIDATES matched; the newest CANDIDATES were ranked
    terms: list[str] = field(default_factory=list)  # the words searched for


def stats_for(corpus: str, terms: list[str]) -> bm25.Stats:
    """Corpus size, average length and the document frequency of these terms (two queries)."""
    row = CorpusStat.objects.filter(corpus=corpus).values_list("docs", "tokens").first() or (0, 0)
    df = dict(TermStat.objects.filter(corpus=corpus, term__in=terms).values_list("term", "df"))
    docs, tokens = row
    return bm25.Stats(docs, tokens / docs if docs else 0.0, df)


def rank(
    corpus: str, terms: list[str], scope: Scope | None, marks: list[str] | None = None
) -> tuple[list[tuple[float, int]], int, bool]:
    """(score, id) of the matches, best first (ties: newest first); the count; whether it was capped."""
    rows = backend().candidates(corpus, terms, scope, CANDIDATES + 1, marks)
    truncated = len(rows) > CANDIDATES
    rows = rows[:CANDIDATES]
    stats = stats_for(corpus, terms)
    weights = dict.fromkeys(terms, 1.0)
    scored = [(bm25.score(bm25.term_counts(toks, terms), length, stats, weights), pk) for pk, toks, length, _f in rows]
    scored.sort(key=lambda s: (-s[0], -s[1]))
    return scored, len(rows), truncated


def search_cases(user: User, query: str, *, limit: int = 20, offset: int = 0) -> Page[CaseHit]:
    """Cases the user may see (cases.access.visible_cases) that contain every word of the query."""
    terms = segment.query_terms(query)[:MAX_TERMS]
    if not terms:
        return Page()
    visible = visible_cases(user)
    scope = scope_for(visible)
    if scope is NOTHING:
        return Page(terms=terms)
    scored, total, truncated = rank(CORPUS_CASES, terms, scope, marks_for(user))
    shown = scored[offset : offset + limit]
    # Fetched again through the chokepoint: a case that left the scope since indexing is not shown.
    cases = visible.select_related("jurisdiction").defer(*DEFERRED).in_bulk([pk for _s, pk in shown])
    items = [CaseHit(cases[pk], score) for score, pk in shown if pk in cases]
    return Page(items, total, truncated, terms)


def search_public(query: str, *, limit: int = 20, offset: int = 0) -> Page[PublicHit]:
    """Published de-identified renditions containing every word of the query (no case is ever read)."""
    terms = segment.query_terms(query)[:MAX_TERMS]
    if not terms:
        return Page()
    scored, total, truncated = rank(CORPUS_PUBLIC, terms, None)
    shown = scored[offset : offset + limit]
    docs = PublicDoc.objects.only("title", "excerpt", "domain").in_bulk([pk for _s, pk in shown])
    items = [
        PublicHit(pk, docs[pk].title, docs[pk].excerpt, docs[pk].domain, score) for score, pk in shown if pk in docs
    ]
    return Page(items, total, truncated, terms)
