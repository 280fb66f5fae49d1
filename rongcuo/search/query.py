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
from .backends import NOTHING, Ask, Scope, backend, scope_for
from .models import CORPUS_CASES, CORPUS_MARKS, CORPUS_PUBLIC, CorpusStat, PublicDoc, TermStat
from .scope import reach

CANDIDATES = 500
MAX_TERMS = 12  # a pasted paragraph is not a query; its first words are enough to find it
DEFERRED = ("evaluation", "policies")  # large JSON a result list never shows

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


def marks_share(docs: int, marks: list[str] | None) -> float:
    """The share of the case documents that carry one of these scope marks (one query)."""
    if not marks or not docs:
        return 1.0
    counts = TermStat.objects.filter(corpus=CORPUS_MARKS, term__in=marks).values_list("df", flat=True)
    return min(1.0, sum(counts) / docs)


def expected_matches(stats: bm25.Stats, terms: list[str], share: float) -> float:
    """At most about this many documents match: the rarest term's count within the scope's share."""
    if not stats.docs or not terms:
        return 0.0
    return min(stats.df.get(t, 0) for t in terms) * share


def rank(
    corpus: str, terms: list[str], scope: Scope | None, marks: list[str] | None = None
) -> tuple[list[tuple[float, int]], int, bool]:
    """(score, id) of the visible matches, best first (ties: newest first); their count; whether the
    match was capped at CANDIDATES."""
    stats = stats_for(corpus, terms)
    expected = expected_matches(stats, terms, marks_share(stats.docs, marks))
    ask = Ask(corpus, terms, CANDIDATES + 1, scope, marks, expected)
    rows = backend().newest(ask)
    truncated = len(rows) > CANDIDATES
    rows = [r for r in rows[:CANDIDATES] if r[-1]]
    weights = dict.fromkeys(terms, 1.0)
    scored = [
        (bm25.score(bm25.term_counts(toks, terms), length, stats, weights), pk) for pk, toks, length, _f, _v in rows
    ]
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
    r = reach(user)
    # A whole-country grant leaves nothing to check per row; the page below is still read through
    # visible_cases, the chokepoint, whatever the search did.
    scored, total, truncated = rank(CORPUS_CASES, terms, None if r.everything else scope, r.marks)
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
