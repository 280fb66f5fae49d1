"""Evaluating large batches on every core: chunks of cases go to forked worker processes, results come
back as rendered bytes in input order. Small batches stay in-process (a pool costs ~50 ms to start)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence

from .evaluate import evaluate
from .facts import Case
from .model import PolicyVersion

PARALLEL_MIN = 4000
CHUNK = 500

_version: PolicyVersion | None = None
_render: Callable[..., bytes] | None = None


def _work(chunk: Sequence[Case]) -> bytes:
    assert _version is not None and _render is not None
    return b"".join(_render(evaluate(_version, c.facts, case_id=c.id), c) for c in chunk)


def render_all(
    version: PolicyVersion, cases: Sequence[Case], render: Callable[..., bytes], workers: int | None = None
) -> Iterator[bytes]:
    """Yield render(result, case) for every case, in order, using all cores for large batches."""
    global _version, _render
    workers = workers or os.cpu_count() or 1
    chunks = [cases[i : i + CHUNK] for i in range(0, len(cases), CHUNK)]
    _version, _render = version, render
    if len(cases) < PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield _work(chunk)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_work, chunks)
