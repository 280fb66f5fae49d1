"""Target 2: decisive facts for a case with 10 unknown facts (median ≤ 200 µs).

Under the largest shipped policy, a seeded search finds cases in which exactly 10 of the
facts the rules read are unknown (the rest known) and the outcome is undetermined. The
target row is the worst of them: the one with the most decisive facts, so the exact
analysis runs over all 2^10 completions. A mix of up to 32 such cases is reported too.
Measured: evaluate(v, facts) with questions (the default), and to_dict() on top.
"""

from __future__ import annotations

import random

from _common import banner, largest_version, per_call, print_table, profile, wants_profile

from rongcuo.policy import PolicyVersion, evaluate
from rongcuo.policy.expr import Value

TARGET_NS = 200_000
UNKNOWN = 10
CALLS, ROUNDS = 500, 15


def undetermined_cases(v: PolicyVersion, tries: int = 3000, seed: int = 2) -> list[dict[str, Value]]:
    """Distinct cases with UNKNOWN unknown facts and an undetermined outcome, most decisive facts first."""
    facts = v.facts_used()
    rng = random.Random(seed)
    found: dict[tuple, tuple[int, dict[str, Value]]] = {}
    for _ in range(tries):
        unknown = set(rng.sample(facts, UNKNOWN))
        case: dict[str, Value] = {f: None if f in unknown else rng.random() < 0.5 for f in facts}
        r = evaluate(v, case)
        if r.outcome == "undetermined":
            found[tuple(case.items())] = (len(r.questions), case)
    ranked = sorted(found.values(), key=lambda x: -x[0])
    return [c for _, c in ranked]


def main() -> None:
    banner("bench_decisive")
    v = largest_version()
    if len(v.facts_used()) < UNKNOWN:
        raise SystemExit(f"{v.ref} reads only {len(v.facts_used())} facts; cannot leave {UNKNOWN} unknown")
    cases = undetermined_cases(v)
    if not cases:
        raise SystemExit("no undetermined case with 10 unknown facts found")
    worst, mix = cases[0], cases[:32]
    questions = evaluate(v, worst).decisive_facts
    print(f"policy: {v.ref}; worst case: {UNKNOWN} unknown, {len(questions)} decisive facts: {', '.join(questions)}")
    print(f"mix: {len(mix)} cases, {min(len(evaluate(v, c).questions) for c in mix)}-{len(questions)} decisive facts")
    k = len(mix)
    measured = {
        "evaluate() with questions, worst  [target 2]": lambda i: evaluate(v, worst),
        "evaluate() with questions, mix": lambda i: evaluate(v, mix[i % k]),
        "evaluate() + to_dict(), worst": lambda i: evaluate(v, worst).to_dict(),
        "evaluate() without questions, worst": lambda i: evaluate(v, worst, with_questions=False),
    }
    results = per_call(list(measured.values()), calls=CALLS, rounds=ROUNDS)
    rows = [(label, s, TARGET_NS if "[target" in label else None) for label, s in zip(measured, results, strict=True)]
    print_table(f"Decisive facts, {UNKNOWN} unknown facts, outcome undetermined (per call)", rows)
    if wants_profile():
        profile(lambda: [evaluate(v, worst) for _ in range(5000)])


if __name__ == "__main__":
    main()
