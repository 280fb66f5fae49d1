"""What the audit log keeps of a search: a keyed digest of the terms, never the text.

Search terms are case content: a cadre's name, a unit, the words of a case. The audit administrator, who may
see no case content (三员分立), reads every audit record, so a record of a search keeps `q_digest` (SM3-HMAC
under the field key, core/crypto.py keyed_digest: equal searches, after the same normalisation, get equal
digests and can be correlated; without the key the text cannot be recovered or guessed by trying words) and
`q_length` (characters) instead of `q`.

Records written before this existed hold the text, and stay as they were: the chain is append-only and its
hashes cover the text. `shown_detail` withholds it when the log is shown (API /api/audit and the audit
console), putting the same digest in its place, so old and new records still correlate.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rongcuo.core import crypto

PURPOSE = "audit.search-terms"
# Actions whose detail holds search or filter text: a search's `q`, a list's or an export's `filters.q`.
SEARCH_ACTIONS = frozenset({"case.search", "case.list", "exchange.export"})


def normalise(q: str) -> str:
    """Full-width and half-width forms alike, case ignored, runs of spaces as one: 「容错  征地」 = 「容错 征地」."""
    return " ".join(unicodedata.normalize("NFKC", q).casefold().split())


def term_digest(q: str) -> str:
    return crypto.keyed_digest(PURPOSE, normalise(q))


def search_terms(q: str) -> dict[str, Any]:
    """The audit detail of a search's terms."""
    return {"q_digest": term_digest(q), "q_length": len(q)}


def filters(shown: dict[str, Any]) -> dict[str, Any]:
    """A list's or an export's filters for the audit detail: any text filter `q` as search_terms."""
    if not shown.get("q"):
        return shown
    out = {k: v for k, v in shown.items() if k != "q"}
    return {**out, **search_terms(str(shown["q"]))}


def shown_detail(action: str, detail: Any) -> Any:
    """An audit record's detail as shown to the audit administrator: search text of older records withheld."""
    if action not in SEARCH_ACTIONS or not isinstance(detail, dict):
        return detail
    if isinstance(detail.get("q"), str):
        detail = {k: v for k, v in detail.items() if k != "q"} | search_terms(detail["q"])
    inner = detail.get("filters")
    if isinstance(inner, dict) and isinstance(inner.get("q"), str):
        detail = {**detail, "filters": filters(inner)}
    return detail
