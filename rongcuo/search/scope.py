"""Scope marks: narrowing a case search to the user's scope inside the full-text index itself.

Each case document carries marks of who may see it (`CaseDoc.scope`): its jurisdiction and every
jurisdiction above it (j530000 …), its unit (u12), its cadre (c34) and itself (k56), mirroring the four
kinds of grant in cases.access. A search adds "and one of my marks" to the full-text query, so the index
intersects the two lists (SQLite FTS5 column filter, PostgreSQL GIN over tsv and scope_tsv) instead of
testing every match of a common word against the scope.

This only narrows; `visible_cases(user)` still decides every result (backends.scope_for). When the
marks cannot express a grant (a kind this module does not know, or too many marks), or the user sees
every case anyway, there is no pre-filter and visible_cases alone decides, only more slowly.
"""

from __future__ import annotations

from rongcuo.accounts.models import User
from rongcuo.cases.access import grants
from rongcuo.org.models import Jurisdiction

MAX_MARKS = 200  # beyond this an OR of marks costs more than it saves


def doc_scope(case_id: int, jurisdiction_path: str, unit_id: int | None, cadre_id: int | None) -> str:
    marks = [f"j{code}" for code in jurisdiction_path.split("/") if code]
    if unit_id is not None:
        marks.append(f"u{unit_id}")
    if cadre_id is not None:
        marks.append(f"c{cadre_id}")
    marks.append(f"k{case_id}")
    return " ".join(marks)


def marks_for(user: User) -> list[str] | None:
    """The marks of the user's scope ([] when they see nothing), or None for no pre-filter."""
    marks: list[str] = []
    codes: set[str] = set()
    for g in grants(user):
        if g.kind == "jurisdiction":
            codes |= g.jurisdiction_codes
        elif g.kind == "unit":
            marks += [f"u{i}" for i in sorted(g.unit_ids)]
        elif g.kind == "cadre" and g.cadre_id is not None:
            marks.append(f"c{g.cadre_id}")
        elif g.kind == "case" and g.case_id is not None:
            marks.append(f"k{g.case_id}")
        elif g.kind != "none":
            return None
    if codes:
        # A subtree grant holds every code below its root; the root's mark is on every case beneath it.
        parents = dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "parent_id"))
        roots = sorted(code for code in codes if parents.get(code) not in codes)
        if any(parents.get(root) is None for root in roots):
            return None  # the whole country: nothing to narrow
        marks += [f"j{code}" for code in roots]
    return marks if len(marks) <= MAX_MARKS else None
