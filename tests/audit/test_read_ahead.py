"""The read-ahead helper thread used on PostgreSQL (no database needed to test it)."""

from __future__ import annotations

import threading
from collections.abc import Generator
from itertools import islice

import pytest

from rongcuo.audit.verify import _read_ahead


def source(n: int, state: dict[str, object], fail_at: int | None = None) -> Generator[int, None, None]:
    try:
        for i in range(n):
            if i == fail_at:
                raise RuntimeError("connection lost")
            state["last_thread"] = threading.current_thread().name
            yield i
    finally:
        state["closed"] = True


@pytest.mark.parametrize(("n", "chunk"), [(0, 5), (4, 5), (5, 5), (23, 5), (23, 1)])
def test_yields_everything_in_order(n: int, chunk: int) -> None:
    state: dict[str, object] = {}
    assert list(_read_ahead(source(n, state), chunk)) == list(range(n))
    assert state["closed"] is True


def test_later_chunks_come_from_the_helper() -> None:
    state: dict[str, object] = {}
    assert len(list(_read_ahead(source(50, state), 10))) == 50
    assert state["last_thread"] == "audit-verify-read-ahead"


def test_stopping_early_ends_the_helper_and_closes_the_source() -> None:
    state: dict[str, object] = {}
    before = threading.active_count()
    rows = _read_ahead(source(10_000, state), 10)
    assert list(islice(rows, 25)) == list(range(25))
    rows.close()
    assert state["closed"] is True
    assert threading.active_count() == before


def test_a_failure_in_the_helper_reaches_the_reader() -> None:
    state: dict[str, object] = {}
    got: list[int] = []
    with pytest.raises(RuntimeError, match="connection lost"):
        for x in _read_ahead(source(100, state, fail_at=37), 10):
            got.append(x)
    assert got == list(range(30))  # whole chunks before the failing one
    assert state["closed"] is True
