"""The search interface the rest of Rongcuo uses; the same on SQLite and PostgreSQL.

Writing:  index_case(case), remove_case(case), index_public(rendition), remove_public(rendition),
          bulk_index_cases([(case_id, CaseSource), …]), reindex_all()
Reading:  search_cases(user, query, limit=, offset=)  — restricted by cases.access.visible_cases
          search_public(query, limit=, offset=)       — published renditions only
          similar_cases(user, case, limit=)            — 「类案推送」 with scores and reasons

Case documents are refreshed from `cases.actions.CASE_HOOKS` (run by record_event after every change), public
documents from the disclosure signals (receivers.py, connected in apps.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import transaction

from rongcuo.cases.models import Case

from . import store
from .documents import CaseSource, case_document, case_source, case_sources, public_document, public_source
from .models import CORPUS_CASES, CORPUS_PUBLIC
from .query import Page, search_cases, search_public
from .similar import Recommendations, similar_cases

__all__ = [
    "Page",
    "Recommendations",
    "bulk_index_cases",
    "index_case",
    "index_public",
    "reindex_all",
    "remove_case",
    "remove_public",
    "search_cases",
    "search_public",
    "similar_cases",
]

PUBLISHED = "published"
REINDEX_CHUNK = 500


def index_case(case: Case) -> bool:
    """Refresh one case's document (False when nothing indexed changed)."""
    return store.put(CORPUS_CASES, case.pk, case_document(case_source(case)))


def remove_case(case: Case | int) -> bool:
    return store.remove(CORPUS_CASES, case.pk if isinstance(case, Case) else int(case))


def bulk_index_cases(items: Iterable[tuple[int, CaseSource]]) -> int:
    """Index many cases at once (loading, reindexing, benchmarks): the rows `index_case` would write."""
    return store.bulk_put(CORPUS_CASES, ((pk, case_document(src), {}) for pk, src in items))


def index_public(rendition: Any) -> bool:
    """Index a published rendition's public text; a rendition that is not (or no longer) published is
    removed instead, so the library index never holds anything unpublished."""
    if getattr(rendition, "status", PUBLISHED) != PUBLISHED:
        return remove_public(rendition)
    src = public_source(rendition)
    return store.put(
        CORPUS_PUBLIC, rendition.pk, public_document(src), title=src.title[:300], excerpt=src.excerpt[:300]
    )


def remove_public(rendition: Any) -> bool:
    return store.remove(CORPUS_PUBLIC, int(getattr(rendition, "pk", rendition)))


def _all_cases() -> Iterator[tuple[int, CaseSource]]:
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), REINDEX_CHUNK):
        chunk = list(Case.objects.filter(pk__in=ids[start : start + REINDEX_CHUNK]).order_by("pk"))
        yield from zip([c.pk for c in chunk], case_sources(chunk), strict=True)


def _published_renditions() -> Iterable[Any]:
    try:
        model: Any = apps.get_model("disclosure", "Rendition")
    except LookupError:
        return []
    return model.objects.filter(status=PUBLISHED).order_by("pk").iterator(chunk_size=REINDEX_CHUNK)


def reindex_all() -> dict[str, int]:
    """Rebuild both indexes and their statistics from the cases and the published renditions (after a
    dictionary change, or to repair). One transaction: searches see the old index until it commits."""
    with transaction.atomic():
        store.clear(CORPUS_CASES)
        store.clear(CORPUS_PUBLIC)
        cases = bulk_index_cases(_all_cases())
        public = store.bulk_put(
            CORPUS_PUBLIC,
            (
                (r.pk, public_document(src), {"title": src.title[:300], "excerpt": src.excerpt[:300]})
                for r in _published_renditions()
                for src in [public_source(r)]
            ),
        )
    return {CORPUS_CASES: cases, CORPUS_PUBLIC: public}
