"""Issue 15 targets: solver checks and exact comparison, with brute force for the same work beside them.

- `policy verify` of every shipped measure (all four checks): target ≤ 2 s;
- one exact pairwise comparison (a fresh diagram each time, regions and 尚需查明 included), median over
  every pair of measures in force today: target ≤ 100 ms;
- `compare --exact --all` over every pair (one shared diagram): target ≤ 10 s.

Brute force: every one of the 3^n assignments evaluated with the columnar evaluator (batch.py, numpy),
which counts the differing patterns (no regions) and, for verify, answers only its first question
(a red line true and the measure lenient). It is run where 3^n ≤ BRUTE_MAX; beyond that its time is
estimated from the measured rows per second and marked "est.". Ratios are brute force / exact.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import time

import numpy as np
from _common import banner

from rongcuo.policy import Library
from rongcuo.policy.batch import CODE, Columns, evaluate_columns
from rongcuo.policy.exact import Compiler, compare_all, compare_exact
from rongcuo.policy.expr import FALSE8, TRUE8, UNKNOWN8
from rongcuo.policy.loader import resolve_base
from rongcuo.policy.verify import verify_version

BRUTE_MAX = 3**13
ROUNDS = 5


def all_assignments(facts: list[str]) -> Columns:
    n = len(facts)
    grid = np.indices((3,) * n, dtype=np.int8).reshape(n, -1)
    codes = np.array([TRUE8, FALSE8, UNKNOWN8], dtype=np.int8)
    return Columns(grid.shape[1], {f: codes[grid[i]] for i, f in enumerate(facts)})


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def brute_pair(a, b) -> tuple[float, int]:
    facts = sorted(set(a.facts_used()) | set(b.facts_used()))
    start = time.perf_counter()
    data = all_assignments(facts)
    differing = int((evaluate_columns(a, data) != evaluate_columns(b, data)).sum())
    return time.perf_counter() - start, differing


def brute_weaker(v, base) -> float:
    facts = sorted(set(v.facts_used()) | {f for n in base.nodes["exclusions"] for f in n.facts})
    start = time.perf_counter()
    data = all_assignments(facts)
    codes = evaluate_columns(v, data)
    red = np.zeros(data.n, dtype=bool)
    for n in base.nodes["exclusions"]:
        red |= n.expr.column(data.columns, data.n) == TRUE8
    _ = int((red & ((codes == CODE["exempt"]) | (codes == CODE["mitigate"]))).sum())
    return time.perf_counter() - start


def main() -> None:
    banner("bench_proofs")
    lib = Library.default()
    day = dt.date.today()
    versions = [lib.get(p).version_on(day) for p in lib.ids()]
    base = resolve_base("cn-common-red-lines")
    print(f"measures: {len(versions)}, pairs: {len(versions) * (len(versions) - 1) // 2}")

    # 1. verify
    all_versions = [v for p in lib.ids() for v in lib.get(p).versions]
    runs = [timed(lambda: [verify_version(v) for v in all_versions]) for _ in range(ROUNDS)]
    verify_s = statistics.median(runs)
    rates = []
    brute_verify = 0.0
    estimated = False
    for v in all_versions:
        n = len(set(v.facts_used()) | {f for x in base.nodes["exclusions"] for f in x.facts})
        if 3**n <= BRUTE_MAX:
            t = brute_weaker(v, base)
            rates.append(3**n / t)
            brute_verify += t
    for v in all_versions:
        n = len(set(v.facts_used()) | {f for x in base.nodes["exclusions"] for f in x.facts})
        if 3**n > BRUTE_MAX:
            brute_verify += 3**n / statistics.median(rates)
            estimated = True
    print("\n1. policy verify, every shipped measure (four checks)")
    print(f"   SAT: median {verify_s * 1000:,.1f} ms of {ROUNDS} runs (best {min(runs) * 1000:,.1f} ms)  target ≤ 2 s "
          f"{'PASS' if verify_s <= 2 else 'MISS'}")
    print(f"   brute force, first check only: {brute_verify:,.1f} s{' (est.)' if estimated else ''}; "
          f"ratio {brute_verify / verify_s:,.0f}x")

    # 2. one pairwise comparison, fresh each time
    pairs = list(itertools.combinations(versions, 2))
    per_pair = []
    for a, b in pairs:
        per_pair.append(min(timed(lambda a=a, b=b: compare_exact(a, b, Compiler.for_versions([a, b])))
                            for _ in range(3)))
    med = statistics.median(per_pair)
    worst = max(zip(per_pair, pairs, strict=True), key=lambda x: x[0])
    print("\n2. one exact comparison (fresh diagram, regions and 尚需查明)")
    print(f"   median over {len(pairs)} pairs: {med * 1000:,.1f} ms; p90 {np.percentile(per_pair, 90) * 1000:,.1f} ms; "
          f"worst {worst[0] * 1000:,.1f} ms ({worst[1][0].policy.id} × {worst[1][1].policy.id})  "
          f"target ≤ 100 ms {'PASS' if med <= 0.1 else 'MISS'}")
    brute_small = []
    pair_rates = []
    for (a, b), t_exact in zip(pairs, per_pair, strict=True):
        n = len(set(a.facts_used()) | set(b.facts_used()))
        if 3**n <= BRUTE_MAX:
            t, differing = brute_pair(a, b)
            assert differing == compare_exact(a, b).differing, (a.ref, b.ref)
            brute_small.append((t, t_exact, n))
            pair_rates.append(3**n / t)
    if brute_small:
        ratio = statistics.median(t / e for t, e, _ in brute_small)
        print(f"   brute force on the {len(brute_small)} pairs with 3^n ≤ {BRUTE_MAX:,}: "
              f"median {statistics.median(t for t, _, _ in brute_small) * 1000:,.1f} ms, "
              f"median ratio {ratio:,.1f}x (same counts on every pair)")
    rate = statistics.median(pair_rates) if pair_rates else 1e6
    brute_all = sum(3 ** len(set(a.facts_used()) | set(b.facts_used())) for a, b in pairs) / rate
    sizes = [len(set(a.facts_used()) | set(b.facts_used())) for a, b in pairs]
    print(f"   pairs compare {min(sizes)}–{max(sizes)} facts ({3 ** max(sizes):,} patterns at most)")

    # 3. every pair
    runs = [timed(lambda: compare_all(versions)) for _ in range(3)]
    all_s = statistics.median(runs)
    print("\n3. compare --exact --all (one shared diagram)")
    verdict = "PASS" if all_s <= 10 else "MISS"
    print(f"   median {all_s:,.2f} s of 3 runs (best {min(runs):,.2f} s)  target ≤ 10 s {verdict}")
    print(f"   brute force for every pair (counts only): {brute_all:,.0f} s est. at {rate:,.0f} patterns/s; "
          f"ratio {brute_all / all_s:,.0f}x")


if __name__ == "__main__":
    main()
