"""Writing search documents, one at a time or in bulk, and keeping BM25's statistics in step.

Every write adjusts the document frequencies (`TermStat`) and corpus totals (`CorpusStat`) by the
difference between the old and new row, inside the caller's transaction: the index and its statistics
commit or roll back with the case action that changed them. Increments are upserts in term order, so
two writers wait for each other instead of deadlocking (and case actions already queue on the audit
chain's head).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from .documents import Doc
from .models import CORPUS_CASES, CORPUS_MARKS, CORPUS_PUBLIC, CaseDoc, CorpusStat, PublicDoc, TermStat
from .scope import counted

MODELS: dict[str, type[Model]] = {CORPUS_CASES: CaseDoc, CORPUS_PUBLIC: PublicDoc}
UPSERT_CHUNK = 500
BULK_CHUNK = 2000


def _fields(corpus: str, doc: Doc, display: Mapping[str, Any]) -> dict[str, Any]:
    out = {"tokens": doc.tokens, "length": doc.length, "facts": doc.facts, "domain": doc.domain, **display}
    if corpus == CORPUS_CASES:
        out["scope"] = doc.scope
    return out


def put(corpus: str, pk: int, doc: Doc, **display: Any) -> bool:
    """Store one document (insert or replace); False when the stored row is already this one."""
    model = MODELS[corpus]
    new = _fields(corpus, doc, display)
    names = list(new)
    old = model.objects.filter(pk=pk).values(*names).first()
    if old == {k: new[k] for k in names}:
        return False  # the same change is often announced twice (timeline event, then case hook)
    with transaction.atomic(savepoint=False):  # joins the case action's transaction
        if old is None:
            model.objects.create(pk=pk, **new)
            _account(corpus, "", doc.tokens, docs=1)
        else:
            model.objects.filter(pk=pk).update(indexed_at=timezone.now(), **new)
            _account(corpus, old["tokens"], doc.tokens, docs=0)
        if corpus == CORPUS_CASES:
            _account_marks(old["scope"] if old else "", doc.scope)
    return True


def remove(corpus: str, pk: int) -> bool:
    model = MODELS[corpus]
    old = model.objects.filter(pk=pk).values(*(["tokens", "scope"] if corpus == CORPUS_CASES else ["tokens"])).first()
    if old is None:
        return False
    with transaction.atomic(savepoint=False):  # joins the case action's transaction
        model.objects.filter(pk=pk).delete()
        _account(corpus, old["tokens"], "", docs=-1)
        if corpus == CORPUS_CASES:
            _account_marks(old["scope"], "")
    return True


def bulk_put(corpus: str, items: Iterable[tuple[int, Doc, Mapping[str, Any]]]) -> int:
    """Insert many documents with one INSERT per chunk and one statistics update at the end: the rows and
    statistics are exactly those `put` would leave. Ids already indexed go through `put`."""
    model = MODELS[corpus]
    df: Counter[str] = Counter()
    marks: Counter[str] = Counter()
    docs = tokens = 0
    with transaction.atomic():
        for chunk in _chunks(items, BULK_CHUNK):
            existing = set(model.objects.filter(pk__in=[pk for pk, _d, _x in chunk]).values_list("pk", flat=True))
            rows = []
            for pk, doc, display in chunk:
                if pk in existing:
                    put(corpus, pk, doc, **display)
                    continue
                rows.append(model(pk=pk, **_fields(corpus, doc, display)))
                df.update(set(doc.tokens.split()))
                marks.update(counted(doc.scope))
                docs += 1
                tokens += doc.length
            model.objects.bulk_create(rows)
        bump_terms(corpus, df)
        bump_terms(CORPUS_MARKS, marks)
        bump_corpus(corpus, docs, tokens)
    return docs


def clear(corpus: str) -> None:
    MODELS[corpus].objects.all().delete()
    TermStat.objects.filter(corpus__in=[corpus, CORPUS_MARKS] if corpus == CORPUS_CASES else [corpus]).delete()
    CorpusStat.objects.filter(corpus=corpus).delete()


# --- statistics ---------------------------------------------------------------------------------------------


def _account(corpus: str, old_tokens: str, new_tokens: str, *, docs: int) -> None:
    old_list, new_list = old_tokens.split(), new_tokens.split()
    old_terms, new_terms = set(old_list), set(new_list)
    deltas = dict.fromkeys(new_terms - old_terms, 1)
    deltas.update(dict.fromkeys(old_terms - new_terms, -1))
    bump_terms(corpus, deltas)
    bump_corpus(corpus, docs, len(new_list) - len(old_list))


def _account_marks(old_scope: str, new_scope: str) -> None:
    # How many case documents carry each scope mark: the share of the corpus a user's scope covers.
    old, new = counted(old_scope), counted(new_scope)
    deltas = dict.fromkeys(new - old, 1)
    deltas.update(dict.fromkeys(old - new, -1))
    bump_terms(CORPUS_MARKS, deltas)


def bump_terms(corpus: str, deltas: Mapping[str, int]) -> None:
    """df += delta per term, as upserts in term order (the same statement on SQLite and PostgreSQL)."""
    items = sorted((t, d) for t, d in deltas.items() if d)
    table = TermStat._meta.db_table
    with connection.cursor() as cur:
        for start in range(0, len(items), UPSERT_CHUNK):
            part = items[start : start + UPSERT_CHUNK]
            values = ", ".join(["(%s, %s, %s)"] * len(part))
            params: list[Any] = []
            for term, delta in part:
                params += [corpus, term, delta]
            cur.execute(
                f"INSERT INTO {table} (corpus, term, df) VALUES {values} "
                f"ON CONFLICT (corpus, term) DO UPDATE SET df = {table}.df + excluded.df",
                params,
            )


def bump_corpus(corpus: str, docs: int, tokens: int) -> None:
    if not docs and not tokens:
        return
    table = CorpusStat._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (corpus, docs, tokens) VALUES (%s, %s, %s) ON CONFLICT (corpus) DO UPDATE "
            f"SET docs = {table}.docs + excluded.docs, tokens = {table}.tokens + excluded.tokens",
            [corpus, docs, tokens],
        )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
