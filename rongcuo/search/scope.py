"""Scope marks: narrowing a case search to the user's scope inside the full-text index itself.

Each case document carries marks of who may see it (`CaseDoc.scope`): its jurisdiction and every
jurisdiction above it (j530000 …), its unit (u12), its cadre (c34) and itself (k56), mirroring the four
kinds of grant in cases.access; and the block of ids it belongs to (w12, and j530000w12 per
jurisdiction), PostgreSQL's recency window (backends.py). A search adds "and one of my marks" to the
full-text query, so the index intersects the two lists (SQLite FTS5 column filter, PostgreSQL GIN over
tsv and scope_tsv) instead of testing every match of a common word against the scope.

This only narrows; `visible_cases(user)` still decides every result (backends.scope_for). When the
marks cannot express a grant (a kind this module does not know, or too many marks), or the user sees
every case anyway, there is no pre-filter and visible_cases alone decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from rongcuo.accounts.models import User
from rongcuo.cases.access import grants
from rongcuo.org.models import Jurisdiction

MAX_MARKS = 200  # beyond this an OR of marks costs more than it saves
BUCKET_BITS = 12  # w<id >> 12>: ids in blocks of 4096, PostgreSQL's recency window (backends.py)


def counted(scope: str) -> set[str]:
    """The marks whose document counts are kept (the share of the corpus a scope covers): jurisdiction,
    unit and cadre marks; not the per-case and block marks, one row per case or block for nothing."""
    return {m for m in scope.split() if m[0] in "juc" and "w" not in m}


def doc_scope(case_id: int, jurisdiction_path: str, unit_id: int | None, cadre_id: int | None) -> str:
    codes = [code for code in jurisdiction_path.split("/") if code]
    bucket = case_id >> BUCKET_BITS
    marks = [f"j{code}" for code in codes]
    if unit_id is not None:
        marks.append(f"u{unit_id}")
    if cadre_id is not None:
        marks.append(f"c{cadre_id}")
    marks += [f"k{case_id}", f"w{bucket}"]
    # A jurisdiction's cases of one block of ids, so that a windowed search of a province reads that
    # province's postings only (the root's are every case's: a whole-country search uses w… alone).
    marks += [f"j{code}w{bucket}" for code in codes[1:]]
    return " ".join(marks)


@dataclass(frozen=True)
class Reach:
    """How far a user's grants reach, for a search."""

    marks: list[str] | None  # the marks of the scope ([] sees nothing); None: no pre-filter
    everything: bool = False  # a grant covers the whole country: no case is outside


def reach(user: User) -> Reach:
    marks: list[str] = []
    codes: set[str] = set()
    for g in grants(user):
        if not g.cases:
            continue  # a grant that covers no case (cases.access.Grant.cases)
        if g.kind == "jurisdiction":
            codes |= g.jurisdiction_codes
        elif g.kind == "unit":
            marks += [f"u{i}" for i in sorted(g.unit_ids)]
        elif g.kind == "cadre" and g.cadre_id is not None:
            marks.append(f"c{g.cadre_id}")
        elif g.kind == "case" and g.case_id is not None:
            marks.append(f"k{g.case_id}")
        elif g.kind != "none":
            return Reach(None)
    if codes:
        # A subtree grant holds every code below its root; the root's mark is on every case beneath it.
        parents = dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "parent_id"))
        roots = sorted(code for code in codes if parents.get(code) not in codes)
        if any(parents.get(root) is None for root in roots):
            return Reach(None, everything=True)
        marks += [f"j{code}" for code in roots]
    return Reach(marks if len(marks) <= MAX_MARKS else None)


def marks_for(user: User) -> list[str] | None:
    return reach(user).marks
