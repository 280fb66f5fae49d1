"""Target 4: `rongcuo policy evaluate ID --facts FILE.jsonl --json` end to end (≥ 10,000 cases/s).

Generates 20,000 JSON Lines cases for the largest shipped policy, each fact unknown with
probability 0.2 (so many cases are undetermined and get decisive facts), runs the command as
a subprocess with stdout to /dev/null, and reports cases/s over the whole run (process start,
imports and loading the policy library included). A one-case run is timed too, to show the
fixed start-up cost, and the marginal rate without it. `--profile` profiles one full run.
"""

from __future__ import annotations

import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from _common import banner, largest_version, verdict

from rongcuo.policy import PolicyVersion
from rongcuo.policy.evaluate import run

CASES = 20_000
UNKNOWN_P = 0.2
RUNS = 5
TARGET = 10_000  # cases/s


def write_cases(v: PolicyVersion, path: Path, count: int, seed: int = 4) -> float:
    """Write count cases; return the share whose outcome is undetermined (decisive facts computed)."""
    rng = random.Random(seed)
    undetermined = 0
    with path.open("wb") as out:
        for i in range(count):
            facts = {f: None if rng.random() < UNKNOWN_P else rng.random() < 0.5 for f in v.facts_used()}
            undetermined += run(v, facts).outcome == "undetermined"
            out.write(orjson.dumps({"id": i + 1, **facts}, option=orjson.OPT_APPEND_NEWLINE))
    return undetermined / count


def command(policy: str, facts: Path) -> list[str]:
    return [sys.executable, "-m", "rongcuo", "policy", "evaluate", policy, "--facts", str(facts), "--json"]


def wall(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter_ns() - start) / 1e9)
    return times


def main() -> None:
    banner("bench_cli")
    v = largest_version()
    with tempfile.TemporaryDirectory() as tmp:
        many, one = Path(tmp, "cases.jsonl"), Path(tmp, "one.jsonl")
        share = write_cases(v, many, CASES)
        write_cases(v, one, 1)
        print(f"policy: {v.policy.id} ({v.ref}); {CASES:,} cases, {share:.1%} undetermined (with decisive facts)")
        rounds_many, rounds_one = [], []
        for _ in range(RUNS):  # interleaved, so machine-speed drift touches both alike
            rounds_many += wall(command(v.policy.id, many), 1)
            rounds_one += wall(command(v.policy.id, one), 1)
        report(rounds_many, rounds_one)
        if "--profile" in sys.argv[1:]:
            prof = Path(tmp, "cli.prof")
            cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), *command(v.policy.id, many)[1:]]
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            for key in ("tottime", "cumulative"):
                print(f"\ncProfile of one full run, top 25 by {key}:")
                pstats.Stats(str(prof), stream=sys.stdout).strip_dirs().sort_stats(key).print_stats(25)


def report(rounds_many: list[float], rounds_one: list[float]) -> None:
    t_many, t_one = statistics.median(rounds_many), statistics.median(rounds_one)
    rate, best = CASES / t_many, CASES / min(rounds_many)
    marginal = (CASES - 1) / (t_many - t_one)
    print(f"\n{'measurement':<46} {'median':>11} {'best run':>11} {'runs':>5}  target")
    print(f"{'wall time, ' + f'{CASES:,} cases':<46} {t_many:>10.3f}s {min(rounds_many):>10.3f}s {RUNS:>5}")
    print(f"{'wall time, 1 case (start-up)':<46} {t_one:>10.3f}s {min(rounds_one):>10.3f}s {RUNS:>5}")
    goal = f"≥ {TARGET:,} {verdict(rate, TARGET, higher_is_better=True)}"
    print(f"{'cases/s end to end  [target 4]':<46} {rate:>11,.0f} {best:>11,.0f} {RUNS:>5}  {goal}")
    print(f"{'cases/s without start-up (marginal)':<46} {marginal:>11,.0f}")


if __name__ == "__main__":
    main()
