"""Okapi BM25, computed in Python from our own statistics so that SQLite and PostgreSQL rank alike.

FTS5's bm25() exists only on SQLite and PostgreSQL's ts_rank is a different formula; the databases
only find candidates here, and this module orders them. Parameters are the usual k1 = 1.2, b = 0.75;
idf is the non-negative form ln(1 + (N - df + 0.5) / (df + 0.5)) (Lucene), so a term found in every
document still counts a little instead of subtracting.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Stats:
    docs: int
    avg_length: float
    df: Mapping[str, int]

    def idf(self, term: str) -> float:
        n = max(self.docs, 1)
        df = min(self.df.get(term, 0), n)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def term_counts(tokens: str, terms: list[str]) -> dict[str, int]:
    """How often each term occurs in a space-joined token string."""
    if len(terms) > 4:
        counts = Counter(tokens.split())
        return {t: counts.get(t, 0) for t in terms}
    # For a few terms, str.count is faster than splitting; doubling the spaces gives every token its own
    # pair, so neighbouring repeats ("a a") are both counted.
    padded = " " + tokens.replace(" ", "  ") + " "
    return {t: padded.count(f" {t} ") for t in terms}


def score(tf: Mapping[str, int], length: int, stats: Stats, weights: Mapping[str, float]) -> float:
    """BM25 of one document for query terms with weights (1 for a typed query, the term's own frequency
    in the source case for a similar-case query)."""
    norm = K1 * (1.0 - B + B * length / stats.avg_length) if stats.avg_length > 0 else K1
    total = 0.0
    for term, weight in weights.items():
        f = tf.get(term, 0)
        if f:
            total += weight * stats.idf(term) * f * (K1 + 1.0) / (f + norm)
    return total
