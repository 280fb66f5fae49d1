"""Shared helpers for the benchmarks: timing, the largest shipped policy, tables, profiles.

Timings use time.perf_counter_ns. The machines are shared VMs whose speed drifts by up to 2x
between seconds, so every figure is measured in several rounds; the pooled median and p95
are reported, and "best round" (the lowest per-round median) shows how much of the spread
is noise. Targets are printed as PASS/MISS, never asserted.
"""

from __future__ import annotations

import cProfile
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rongcuo.policy import Library, PolicyVersion


@dataclass(frozen=True)
class Stats:
    median_ns: float
    p95_ns: float
    best_round_ns: float
    samples: int


def stats(rounds: list[list[int]]) -> Stats:
    pooled = sorted(t for r in rounds for t in r)
    p95 = pooled[min(len(pooled) - 1, int(len(pooled) * 0.95))]
    best = min(statistics.median(r) for r in rounds)
    return Stats(statistics.median(pooled), p95, best, len(pooled))


def per_call(fns: list[Callable[[int], object]], *, calls: int, rounds: int, warmup: int = 200) -> list[Stats]:
    """Time each call fn(i) separately, i = 0..calls-1. Rounds of the functions are interleaved,
    so a drift in machine speed touches every function alike."""
    clock = time.perf_counter_ns
    for fn in fns:
        for i in range(warmup):
            fn(i)
    out: list[list[list[int]]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, per_fn in zip(fns, out, strict=True):
            times = []
            for i in range(calls):
                start = clock()
                fn(i)
                times.append(clock() - start)
            per_fn.append(times)
    return [stats(r) for r in out]


def verdict(value: float, target: float, *, higher_is_better: bool = False) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "PASS" if ok else "MISS"


def fmt_us(ns: float) -> str:
    return f"{ns / 1000:,.1f} µs" if ns < 1_000_000 else f"{ns / 1e6:,.1f} ms"


def print_table(title: str, rows: list[tuple[str, Stats, float | None]]) -> None:
    """rows: (label, stats, target in ns or None)."""
    print(f"\n{title}")
    print(f"{'measurement':<46} {'median':>11} {'p95':>11} {'best round':>11} {'n':>7}  target")
    for label, s, target in rows:
        goal = f"≤ {fmt_us(target)} {verdict(s.median_ns, target)}" if target is not None else ""
        print(
            f"{label:<46} {fmt_us(s.median_ns):>11} {fmt_us(s.p95_ns):>11} "
            f"{fmt_us(s.best_round_ns):>11} {s.samples:>7}  {goal}"
        )


def all_versions(lib: Library) -> list[PolicyVersion]:
    return [v for pid in lib.ids() for v in lib.get(pid).versions]


def largest_version(lib: Library | None = None) -> PolicyVersion:
    """The shipped version with the most rule nodes (ties: more facts, then id order)."""
    versions = all_versions(lib or Library.default())
    return max(versions, key=lambda v: (len(v.all_nodes()), len(v.facts_used())))


def banner(name: str) -> None:
    blas = os.environ.get("OPENBLAS_CORETYPE", "<unset>")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{name}: Python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load}, OPENBLAS_CORETYPE={blas}"
    )


def wants_profile() -> bool:
    return "--profile" in sys.argv[1:]


def profile(fn: Callable[[], object], top: int = 15) -> None:
    """Run fn under cProfile and print the top functions by own time."""
    prof = cProfile.Profile()
    prof.runcall(fn)
    print(f"\ncProfile, top {top} by tottime:")
    pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(top)
