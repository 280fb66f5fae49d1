"""BM25 arithmetic (pure Python, so both databases rank alike)."""

from __future__ import annotations

from rongcuo.search import bm25


def stats(df: dict[str, int], docs: int = 100, avg: float = 10.0) -> bm25.Stats:
    return bm25.Stats(docs, avg, df)


def test_term_counts_counts_neighbouring_repeats() -> None:
    assert bm25.term_counts("a a b a", ["a", "b", "c"]) == {"a": 3, "b": 1, "c": 0}
    assert bm25.term_counts("a a b a", list("abcdef"))["a"] == 3  # the Counter path agrees
    assert bm25.term_counts("容错纠错 容错", ["容错"]) == {"容错": 1}  # whole tokens only


def test_rarer_terms_weigh_more_and_common_ones_never_subtract() -> None:
    s = stats({"rare": 1, "common": 100})
    assert s.idf("rare") > s.idf("common") > 0
    assert s.idf("unknown") >= s.idf("rare")


def test_score_grows_with_frequency_and_shrinks_with_length() -> None:
    s = stats({"t": 10})
    w = {"t": 1.0}
    assert bm25.score({"t": 2}, 10, s, w) > bm25.score({"t": 1}, 10, s, w)
    assert bm25.score({"t": 1}, 5, s, w) > bm25.score({"t": 1}, 50, s, w)
    assert bm25.score({}, 10, s, w) == 0.0
    assert bm25.score({"t": 1}, 10, s, {"t": 2.0}) == 2 * bm25.score({"t": 1}, 10, s, w)
