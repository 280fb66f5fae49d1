"""Target 3: columnar evaluation of 10^6 cases under one policy.

evaluate_columns() on 10^6 rows (target: median ≤ 200 ms, and within 2x of a hand-written
three-valued numpy expression of the same rules, measured in the same run). The target
policy is the largest shipped one, hainan-qionghai-2018@2018 (11 rule nodes, 13 facts); its
decision list has one rule, so cn-accountability-2019@2019 (10 nodes, 13 facts, two rules:
exempt, then mitigate) is measured too, to exercise the possible-outcome bitmask fully.

Data: random int8 columns (0 = false, 1 = unknown, 2 = true) with 60% of values known,
half true and half false. The hand-written outcomes must equal evaluate_columns' on every row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from _common import Stats, banner, largest_version, per_call, print_table, profile, verdict, wants_profile

from rongcuo.policy import Library, PolicyVersion
from rongcuo.policy.batch import OUTCOME_CODES, Columns, evaluate_columns, outcome_counts

N = 1_000_000
ROUNDS = 21
TARGET_NS = 200_000_000
TARGET_RATIO = 2.0
KNOWN = 0.6

Cols = dict[str, np.ndarray]
F, T = np.int8(0), np.int8(2)
# possible-outcome bitmask (1 exempt, 2 mitigate, 4 not_tolerated) -> index into OUTCOME_CODES
EXEMPT, MITIGATE, NOT_TOLERATED, UNDETERMINED = range(4)
LOOKUP = np.array([UNDETERMINED, EXEMPT, MITIGATE, UNDETERMINED, NOT_TOLERATED] + [UNDETERMINED] * 3, dtype=np.int8)
assert OUTCOME_CODES == ("exempt", "mitigate", "not_tolerated", "undetermined")


def bit(mask: np.ndarray, shift: int) -> np.ndarray:
    return mask.view(np.uint8) << shift


def hand_hainan(c: Cols) -> np.ndarray:
    """hainan-qionghai-2018@2018 by hand: Kleene and = min, or = max, not = 2 - x."""
    mx, mn = np.maximum, np.minimum
    excluded = mx(c["violates_discipline_or_law"], c["private_gain"])
    conditions = mn(c["collective_decision"], c["benefits_public"])
    situation = mx(c["no_explicit_restriction"], c["law_or_policy_changed"])
    mx(situation, mn(mn(c["public_interest"], c["diligent"]), c["simplified_approval"]), out=situation)
    for f in ("exploratory_reform", "authority_mismatch", "emergency_response", "statutory_leniency"):
        mx(situation, c[f], out=situation)
    tolerable = mn(conditions, situation)
    mn(tolerable, T - excluded, out=tolerable)
    # decision list: tolerable -> exempt; otherwise -> not_tolerated
    possible = bit(tolerable != F, 0) | bit(tolerable != T, 2)
    return LOOKUP[possible]


def hand_accountability(c: Cols) -> np.ndarray:
    """cn-accountability-2019@2019 by hand (no conditions group: conditions_met is true)."""
    mx, mn = np.maximum, np.minimum
    not_excluded = T - mx(c["violates_discipline_or_law"], c["superior_decision_illegal"])
    situation = mn(c["exploratory_reform"], c["lacks_precedent"])
    mx(situation, c["no_explicit_restriction"], out=situation)
    mx(situation, mn(c["public_interest"], T - c["intentional"]), out=situation)
    mx(situation, c["objected_in_collective_decision"], out=situation)
    mx(situation, mn(c["diligent"], c["force_majeure"]), out=situation)
    mx(situation, c["objected_to_superior_decision"], out=situation)
    tolerable = mn(situation, not_excluded)
    mitigate = mn(mx(c["remedied"], c["cooperated"]), not_excluded)
    # decision list: tolerable -> exempt; mitigated and not excluded -> mitigate; otherwise -> not_tolerated
    possible = bit(tolerable != F, 0)
    alive = tolerable != T
    possible |= bit(alive & (mitigate != F), 1)
    alive &= mitigate != T
    possible |= bit(alive, 2)
    return LOOKUP[possible]


HAND: dict[str, Callable[[Cols], np.ndarray]] = {
    "hainan-qionghai-2018@2018": hand_hainan,
    "cn-accountability-2019@2019": hand_accountability,
}


def random_columns(facts: set[str], n: int = N, seed: int = 3) -> Cols:
    rng = np.random.default_rng(seed)
    p = [KNOWN / 2, 1 - KNOWN, KNOWN / 2]
    return {f: rng.choice(np.array([0, 1, 2], dtype=np.int8), size=n, p=p) for f in sorted(facts)}


def main() -> None:
    banner("bench_columns")
    lib = Library.default()
    largest = largest_version(lib)
    versions: list[PolicyVersion] = [lib.resolve(ref) for ref in HAND]
    if largest.ref != versions[0].ref:
        print(f"note: the largest policy is now {largest.ref}; the hand-written version covers {versions[0].ref}")
    cols = random_columns({f for v in versions for f in v.facts_used()})
    data = Columns(N, cols)
    fns: list[Callable[[int], object]] = []
    for v in versions:
        lib_out, hand_out = evaluate_columns(v, data), HAND[v.ref](cols)
        assert np.array_equal(lib_out, hand_out), f"{v.ref}: hand-written outcomes differ from evaluate_columns"
        counts = ", ".join(f"{o} {c / N:.2%}" for o, c in outcome_counts(lib_out).items())
        print(
            f"{v.ref}: {len(v.all_nodes())} nodes, {len(v.facts_used())} facts; outcomes equal on {N:,} rows ({counts})"
        )
        hand = HAND[v.ref]
        fns += [lambda i, v=v: evaluate_columns(v, data), lambda i, hand=hand: hand(cols)]

    results = per_call(fns, calls=1, rounds=ROUNDS, warmup=2)
    rows: list[tuple[str, Stats, float | None]] = []
    for j, v in enumerate(versions):
        target = TARGET_NS if j == 0 else None
        rows += [
            (f"evaluate_columns {v.ref}", results[2 * j], target),
            (f"hand-written numpy {v.ref}", results[2 * j + 1], None),
        ]
    print_table(f"Columnar evaluation of {N:,} cases, {KNOWN:.0%} of facts known (per run)", rows)
    print(f"\n{'ratio evaluate_columns / hand-written':<46} {'median':>11} {'best round':>11}  target")
    for j, v in enumerate(versions):
        lib_s, hand_s = results[2 * j], results[2 * j + 1]
        ratio, best = lib_s.median_ns / hand_s.median_ns, lib_s.best_round_ns / hand_s.best_round_ns
        goal = f"≤ {TARGET_RATIO:.1f}x {verdict(ratio, TARGET_RATIO)}" if j == 0 else ""
        print(f"{v.ref:<46} {ratio:>10.2f}x {best:>10.2f}x  {goal}")
    if wants_profile():
        profile(lambda: [evaluate_columns(versions[0], data) for _ in range(10)])


if __name__ == "__main__":
    main()
