"""`policy verify`: each finding with a witness the evaluator confirms, and the encoding equal to the evaluator."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings

from rongcuo.policy import Library
from rongcuo.policy import sat as sat_module
from rongcuo.policy.evaluate import run
from rongcuo.policy.expr import Not
from rongcuo.policy.loader import load_policy_text
from rongcuo.policy.sat import CNF, encode, fact_literals, outcome_of
from rongcuo.policy.verify import verify_version

from .test_exact import rule_files

HEAD = """format: 1
id: probe
title: 试验办法
jurisdiction: {code: "530524", name: 试验县}
issued_by: 试验
versions:
  - version: "1"
    effective: {from: 2020-01-01}
    source: {}
    completeness: partial
    completeness_note: 试验用
    applies_by: conduct_date
"""


def version(body: str):
    return load_policy_text(HEAD + body, "probe.yaml").versions[0]


def codes(findings) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.subject) for f in findings)


def test_shipped_measures_have_no_errors() -> None:
    lib = Library.default()
    for pid in lib.ids():
        for v in lib.get(pid).versions:
            assert [f for f in verify_version(v) if f.severity == "error"] == [], pid


def test_opting_out_of_a_red_line_is_weaker_than_the_base_with_a_confirmed_witness() -> None:
    v = version("""    base: {id: cn-common-red-lines, opt_out: [rl_private_gain]}
    readings: [{ref: 试验, note: 试验不继承谋取私利, node: rl_private_gain}]
    situations: [{id: s1, ref: 第一条, text: 先行先试, when: exploratory_reform}]
    outcomes: [{id: o1, ref: 第二条, when: tolerable, outcome: exempt, dispositions: [免予问责]}]
""")
    findings = verify_version(v)
    weaker = [f for f in findings if f.code == "weaker-than-base"]
    assert len(weaker) == 1 and weaker[0].severity == "error"
    w = weaker[0].witness
    assert w["private_gain"] is True and w["exploratory_reform"] is True
    # minimal: the other red lines are answered false (they would decide otherwise), nothing else is known
    assert {f for f, x in w.items() if x is not None} == {
        "private_gain", "exploratory_reform", "violates_discipline_or_law", "intentional", "defied_explicit_ban"
    }
    assert run(v, w).outcome == "exempt"
    assert "谋取私利=是" in weaker[0].witness_text and "先行先试=是" in weaker[0].witness_text
    assert weaker[0].to_dict()["outcomes"] == {"base": "not_tolerated", "measure": "exempt"}


def test_a_measure_without_base_is_held_to_the_red_lines() -> None:
    v = version("""    situations: [{id: s1, ref: 第一条, text: 先行先试, when: exploratory_reform}]
    outcomes: [{id: o1, ref: 第二条, when: tolerable, outcome: exempt, dispositions: [免予问责]}]
""")
    assert "weaker-than-base" in [f.code for f in verify_version(v)]


def test_mitigation_that_ignores_the_red_lines_is_found() -> None:
    # the measure inherits the base, but a mitigation rule that does not say `not excluded` still cannot
    # mitigate a red-line case: o_red_line is tried first. A measure opting out and mitigating is caught.
    v = version("""    base: {id: cn-common-red-lines, opt_out: [rl_intentional]}
    readings: [{ref: 试验, note: 试验, node: rl_intentional}]
    mitigations: [{id: m1, ref: 第三条, text: 补救, when: remedied}]
    outcomes: [{id: o1, ref: 第三条, when: mitigated, outcome: mitigate, dispositions: [从轻处理]}]
""")
    weaker = [f for f in verify_version(v) if f.code == "weaker-than-base"]
    assert weaker and weaker[0].witness["intentional"] is True and run(v, weaker[0].witness).outcome == "mitigate"


def test_dead_and_shadowed_rules_are_named() -> None:
    v = version("""    base: cn-common-red-lines
    conditions: [{id: c_no_gain, ref: 第一条, text: 不谋私利, when: not private_gain}]
    situations: [{id: s1, ref: 第二条, text: 先行先试, when: exploratory_reform}]
    mitigations: [{id: m1, ref: 第三条, text: 补救, when: remedied}]
    outcomes:
      - {id: o1, ref: 第四条, when: tolerable, outcome: exempt, dispositions: [免予问责]}
      - {id: o2, ref: 第五条, when: tolerable and mitigated, outcome: mitigate, dispositions: [从轻处理]}
""")
    found = codes(verify_version(v))
    assert ("dead-rule", "c_no_gain") in found  # the base's 谋取私利 already decides every case it decides
    assert ("shadowed-outcome", "o2") in found  # o1 always applies first
    assert ("dead-rule", "m1") in found  # read only by the shadowed rule
    assert ("dead-rule", "s1") not in found


def test_unknown_turned_determinate_is_reported_when_the_semantics_break(monkeypatch: pytest.MonkeyPatch) -> None:
    v = version("""    base: cn-common-red-lines
    situations: [{id: s1, ref: 第一条, text: 未经集体决策, when: not collective_decision}]
    outcomes: [{id: o1, ref: 第二条, when: tolerable, outcome: exempt, dispositions: [免予问责]}]
""")
    assert "unknown-turned-determinate" not in [f.code for f in verify_version(v)]
    original = sat_module.expr_pair

    def broken(cnf, e, env):  # `not unknown` made true: no longer Kleene
        if isinstance(e, Not):
            t, f = original(cnf, e.item, env)
            return cnf.or_([f, cnf.and_([-t, -f])]), t
        return original(cnf, e, env)

    monkeypatch.setattr(sat_module, "expr_pair", broken)
    found = [f for f in verify_version(v) if f.code == "unknown-turned-determinate"]
    assert found and found[0].severity == "error" and found[0].after is not None
    before, after = found[0].witness, found[0].after
    assert all(before[k] is None or before[k] == after[k] for k in before)  # a refinement


@settings(max_examples=40, deadline=None)
@given(rule_files())
def test_the_encoding_is_the_evaluator(text: str) -> None:
    from pysat.solvers import Solver

    v = load_policy_text(text, "a.yaml").versions[0]
    cnf = CNF()
    facts = fact_literals(cnf, list(v.facts_used()))
    circuit = encode(cnf, v, facts)
    with Solver(name="minisat22", bootstrap_with=cnf.clauses) as solver:
        for values in itertools.product((True, False, None), repeat=len(facts)):
            point = dict(zip(facts, values, strict=True))
            assumptions = []
            for f, x in point.items():
                t, fl = facts[f]
                assumptions += [t if x is True else -t, fl if x is False else -fl]
            assert solver.solve(assumptions=assumptions)
            assert outcome_of(circuit, set(solver.get_model())) == run(v, point).outcome


def test_cli_verify_exit_codes_and_json(tmp_path) -> None:
    bad = tmp_path / "probe.yaml"
    bad.write_text(HEAD + """    base: {id: cn-common-red-lines, opt_out: [rl_private_gain]}
    readings: [{ref: 试验, note: 试验, node: rl_private_gain}]
    situations: [{id: s1, ref: 第一条, text: 先行先试, when: exploratory_reform}]
    outcomes: [{id: o1, ref: 第二条, when: tolerable, outcome: exempt, dispositions: [免予问责]}]
""", encoding="utf-8")
    cmd = [sys.executable, "-m", "rongcuo.cli", "policy", "verify"]
    shipped = subprocess.run(cmd, capture_output=True, text=True)
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    assert "0 个错误" in shipped.stdout
    out = subprocess.run([*cmd, str(bad), "--json"], capture_output=True, text=True)
    assert out.returncode == 1
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows[0]["code"] == "weaker-than-base" and rows[0]["witness"]["private_gain"] is True
    missing = subprocess.run([*cmd, "no-such-measure"], capture_output=True, text=True)
    assert missing.returncode == 2 and "未知的政策编号" in missing.stderr
