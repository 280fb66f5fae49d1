"""Target 1: one evaluation with full trace under the largest shipped policy, all facts known.

Measures evaluate(v, facts) + result.trace() (target: median ≤ 20 µs), and separately the
full to_dict() (citations, deciding nodes, trace and the Chinese explanation) and run()
alone. Cases: 64 random assignments with every fact the policy reads known, so no decisive
facts are computed. `--profile` adds cProfile tables.
"""

from __future__ import annotations

import random

from _common import banner, largest_version, per_call, print_table, profile, wants_profile

from rongcuo.policy import evaluate
from rongcuo.policy.evaluate import run
from rongcuo.policy.expr import Value

TARGET_NS = 20_000
CALLS, ROUNDS = 2000, 15


def known_cases(facts: tuple[str, ...], count: int = 64, seed: int = 1) -> list[dict[str, Value]]:
    rng = random.Random(seed)
    return [{f: rng.random() < 0.5 for f in facts} for _ in range(count)]


def main() -> None:
    banner("bench_evaluate")
    v = largest_version()
    cases = known_cases(v.facts_used())
    k = len(cases)
    assert all(not evaluate(v, c).questions for c in cases), "all-known cases must have no decisive facts"
    outcomes = sorted({evaluate(v, c).outcome for c in cases})
    print(f"policy: {v.ref} ({len(v.all_nodes())} rule nodes, {len(v.facts_used())} facts), outcomes seen: {outcomes}")

    def trace(i: int) -> object:
        return evaluate(v, cases[i % k]).trace()

    def full(i: int) -> object:
        return evaluate(v, cases[i % k]).to_dict()

    measured = {
        "run() only (no presentation)": lambda i: run(v, cases[i % k]),
        "evaluate() + trace()  [target 1]": trace,
        "evaluate() + to_dict() incl. explanation": full,
    }
    results = per_call(list(measured.values()), calls=CALLS, rounds=ROUNDS)
    rows = [(label, s, TARGET_NS if "[target" in label else None) for label, s in zip(measured, results, strict=True)]
    print_table("One evaluation, all facts known (per call)", rows)
    if wants_profile():
        profile(lambda: [trace(i) for i in range(20_000)])
        profile(lambda: [full(i) for i in range(20_000)])


if __name__ == "__main__":
    main()
