from __future__ import annotations

import itertools

import numpy as np
import pytest

from rongcuo.policy.errors import PolicyError
from rongcuo.policy.expr import FALSE8, TRUE8, UNKNOWN8, parse

T, F, U = True, False, None


@pytest.mark.parametrize(
    "text",
    [
        "a and b",
        "a or not b",
        "not (a and b)",
        "a == true",
        "a != false",
        "a == b",
        "any_of(a, b, c)",
        "all_of(a, b)",
        "at_least(2, a, b, c)",
        "true",
        "False or a",
    ],
)
def test_accepts_the_language(text: str) -> None:
    parse(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("__import__('os').system('true')", "__import__"),
        ("eval('1')", "eval"),
        ("a.b", "a.b"),
        ("a + b", "a + b"),
        ("a < b", "=="),
        ("lambda: a", "lambda"),
        ("a[0]", "a[0]"),
        ("'text'", "'text'"),
        ("1", "1"),
        ("a if b else c", "a if b else c"),
        ("a and", "语法错误"),
        ("at_least(x, a)", "at_least"),
        ("at_least(3, a, b)", "永远不能成立"),
        ("any_of()", "至少"),
        ("a == b == c", "连续比较"),
        ("", "为空"),
    ],
)
def test_refuses_everything_else(text: str, words: str) -> None:
    with pytest.raises(PolicyError) as exc:
        parse(text)
    assert words in str(exc.value)


def test_kleene_tables() -> None:
    f_and = parse("a and b").compile()
    f_or = parse("a or b").compile()
    f_not = parse("not a").compile()
    assert f_and({"a": F, "b": U}) is False
    assert f_and({"a": T, "b": U}) is None
    assert f_and({"a": T, "b": T}) is True
    assert f_or({"a": T, "b": U}) is True
    assert f_or({"a": F, "b": U}) is None
    assert f_or({"a": F, "b": F}) is False
    assert f_not({"a": U}) is None
    assert f_not({}) is None  # absent is unknown, never false
    assert f_not({"a": F}) is True


def test_at_least_three_valued() -> None:
    f = parse("at_least(2, a, b, c)").compile()
    assert f({"a": T, "b": T}) is True
    assert f({"a": T, "b": F, "c": F}) is False
    assert f({"a": T, "b": F}) is None
    assert f({"a": F, "b": F}) is False


EXPRESSIONS = [
    "a and (b or not c)",
    "at_least(2, a, b, c)",
    "(a == b) or c",
    "a != b",
    "not any_of(a, b) and all_of(c, true)",
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_column_and_bits_agree_with_per_case(text: str) -> None:
    e = parse(text)
    fn = e.compile()
    names = sorted(e.names())
    rows = list(itertools.product([T, F, U], repeat=len(names)))
    code = {T: TRUE8, F: FALSE8, U: UNKNOWN8}
    cols = {n: np.array([code[r[i]] for r in rows], dtype=np.int8) for i, n in enumerate(names)}
    col = e.column(cols, len(rows))
    for i, r in enumerate(rows):
        assert col[i] == code[fn(dict(zip(names, r, strict=True)))], r
    # two-valued truth tables: every completion agrees with the closure
    size = 1 << len(names)
    full = (1 << size) - 1
    env = {}
    for i, n in enumerate(names):
        env[n] = sum(1 << c for c in range(size) if (c >> i) & 1)
    bits = e.bits(env, full)
    for c in range(size):
        facts = {n: bool((c >> i) & 1) for i, n in enumerate(names)}
        assert bool((bits >> c) & 1) == fn(facts)
