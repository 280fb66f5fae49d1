"""Each new measure written again through the assistant and the workbench's edit verbs, measured against the
hand encoding: how far "accept every proposal" gets a drafter, and where it gets in the way.

For each measure: its official text is rebuilt from its `articles` (as bench_assistant does); the encoded
rule document keeps what a drafter writes by hand anyway (head, dates, outcome rules, otherwise, result use,
procedure, local facts) and loses its articles, rule nodes, readings and base citations; then every article
and every proposed node of `draft_from_text` is put back through the workbench's pure edit verbs
(rongcuo.policy.authoring: put_article, put_node), unchanged — the drafter ticking everything. Printed per
measure: proposals accepted / refused by the edit verbs (with the reason), whether the draft loads, its
check findings, how many of the measure's own test cases pass, and the exact comparison with the encoded
version (share of the 3^n fact patterns where the outcomes differ).

    .venv/bin/python bench/bench_workbench_drafts.py [ID ...]
"""

from __future__ import annotations

import copy
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_assistant import rebuild_text
from rongcuo.policy import Library
from rongcuo.policy import authoring as pa
from rongcuo.policy.assistant import draft_from_text
from rongcuo.policy.catalog import catalog
from rongcuo.policy.loader import policies_dir

NEW = [
    "shaanxi-2018",
    "shaanxi-xian-lantian-2019",
    "jiangxi-fuzhou-2019",
    "zhejiang-2016",
    "zhejiang-zhoushan-putuo-2016",
    "shandong-jinan-2016",
    "yunnan-lijiang-2017",
    "gansu-wuwei-2023",
    "hubei-2016",
]
GROUPS = ("conditions", "situations", "exclusions", "mitigations")


def hand_part(doc: dict) -> dict:
    """The encoded document without what the assistant proposes (articles, rule nodes, readings, citations)."""
    out = copy.deepcopy(doc)
    v = out["versions"][-1]
    v["articles"] = []
    v["readings"] = []
    for g in GROUPS:
        v[g] = []
    if isinstance(v.get("base"), dict):
        v["base"].pop("cite", None)
        v["base"].pop("opt_out", None)
    v.pop("open_situations", None)
    return out


def one(pid: str, lib: Library) -> dict:
    path = policies_dir() / f"{pid}.yaml"
    encoded = pa.from_yaml(path.read_text(encoding="utf-8"), path.name)
    tests = pa.tests_from_yaml((policies_dir() / f"{pid}.test.yaml").read_text(encoding="utf-8"))
    version = lib.policies[pid].versions[-1]
    proposal = draft_from_text(rebuild_text(version), catalog())
    doc = hand_part(encoded)
    refused: Counter[str] = Counter()
    accepted = 0
    for piece in proposal.document.articles:
        try:
            doc = pa.put_article(doc, piece.ref, piece.text, verified=False)
        except pa.EditError as exc:
            refused[f"条文：{exc.message[:40]}"] += 1
    for n in proposal.nodes:
        try:
            doc = pa.put_node(doc, n.group, dict(n.node))
            accepted += 1
        except pa.EditError as exc:
            refused[f"规则：{exc.message[:40]}"] += 1
    analysis = pa.analyse(doc, tests, current=version)
    passed = sum(1 for t in analysis.tests if t["passed"])
    cmp = analysis.compare_current or {}
    return {
        "id": pid,
        "encoded": sum(len(version.nodes[g]) for g in GROUPS) - len([n for n in version.all_nodes() if n.source]),
        "proposed": len(proposal.nodes),
        "accepted": accepted,
        "refused": refused,
        "loads": not analysis.load_errors,
        "load_errors": [e["message"][:60] for e in analysis.load_errors],
        "checks": Counter(f["code"] for f in analysis.check),
        "tests": (passed, len(analysis.tests)),
        "differing": (cmp.get("differing"), cmp.get("total")),
    }


def main(argv: list[str]) -> None:
    ids = argv or NEW
    lib = Library.default()
    start = time.perf_counter()
    print("bench_workbench_drafts: every proposal accepted unchanged, against the hand encoding\n")
    print(f"{'measure':32} {'own nodes':>9} {'proposed':>8} {'put':>4} {'loads':>5} {'tests':>7}  differing patterns")
    for pid in ids:
        r = one(pid, lib)
        diff, total = r["differing"]
        share = f"{diff:,}/{total:,} ({100 * diff / total:.1f} %)" if total else "—"
        tests = f"{r['tests'][0]}/{r['tests'][1]}"
        row = f"{pid:32} {r['encoded']:>9} {r['proposed']:>8} {r['accepted']:>4} {r['loads']!s:>5} {tests:>7}"
        print(f"{row}  {share}")
        for reason, n in r["refused"].items():
            print(f"    refused ×{n}: {reason}")
        for e in r["load_errors"]:
            print(f"    does not load: {e}")
        if r["checks"]:
            print("    checks: " + ", ".join(f"{k} ×{v}" for k, v in sorted(r["checks"].items())))
    print(f"\n({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
