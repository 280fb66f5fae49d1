"""Policy tests (`<id>.test.yaml` beside each rule file) and the rule-coverage report.

A rule node counts as covered when the tests make it true at least once and false at
least once: a node that is only ever true could be deleted without any test noticing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

from . import schema
from .errors import PolicyError, PolicyErrors
from .evaluate import evaluate, tv
from .facts import check_facts
from .loader import read_text, validation_errors
from .model import GROUPS, Policy, PolicyVersion
from .verify import possible_values
from .yamlsource import line_of, load_yaml


@dataclass
class CaseOutcome:
    name: str
    version: str
    problems: list[str]
    line: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class PolicyTestReport:
    policy: str
    test_file: str
    cases: list[CaseOutcome] = field(default_factory=list)
    seen: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (version, node) -> values
    # (version, node) -> the values it can take at all (solver-checked): an open list's rule that can never
    # be false is not asked to be false
    possible: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    @property
    def failed(self) -> list[CaseOutcome]:
        return [c for c in self.cases if not c.ok]

    def uncovered(self) -> list[tuple[str, str, str]]:
        """(version, node id, missing values) for every node not both true and false in some test."""
        out = []
        for (version, node), values in self.seen.items():
            can = self.possible.get((version, node), {"T", "F"})
            missing = "".join(x for x in "TF" if x not in values and x in can)
            if missing:
                out.append((version, node, missing))
        return out

    @property
    def ok(self) -> bool:
        return not self.failed and not self.uncovered()


def test_file_for(policy: Policy) -> Path:
    if policy.path is None:
        raise PolicyError(f"{policy.id} 没有对应的文件路径，无法找到测试")
    return policy.path.with_name(policy.path.stem + ".test.yaml")


def load_tests(path: Path) -> tuple[schema.TestFile, dict]:
    text = read_text(path)
    data, lines = load_yaml(text, str(path))
    try:
        return schema.TestFile.model_validate(data), lines
    except pydantic.ValidationError as exc:
        raise PolicyErrors(validation_errors(exc, lines, str(path))) from None


def run_policy_tests(policy: Policy, path: Path | None = None) -> PolicyTestReport:
    path = path or test_file_for(policy)
    tests, lines = load_tests(path)
    file = str(path)
    if tests.policy != policy.id:
        raise PolicyError(
            f"测试文件属于 {tests.policy}，不是 {policy.id}",
            file=file,
            line=line_of(lines, ("policy",)),
            field="policy",
        )
    report = PolicyTestReport(policy.id, file)
    for v in policy.versions:
        for rid, values in possible_values(v).items():
            report.possible[(v.version, rid)] = values
        for n in v.all_nodes():
            if not n.virtual:  # an open list's remainder is always unknown: there is nothing to cover
                report.seen[(v.version, n.id)] = set()
        for r in v.outcomes:
            report.seen[(v.version, r.id)] = set()
    for i, case in enumerate(tests.cases):
        cline = line_of(lines, ("cases", i))
        version = _version_for(policy, case.on, file, cline)
        _, facts = check_facts(
            case.facts, version.known_fact_ids(), file=file, line=line_of(lines, ("cases", i, "facts"))
        )
        for f in [*(case.expect.decisive_facts or [])]:
            if f not in version.known_fact_ids():
                raise PolicyError(
                    f"未知的事实名 {f}", file=file, line=line_of(lines, ("cases", i, "expect")), field="decisive_facts"
                )
        result = evaluate(version, facts)
        ev = result.evaluation
        for g in GROUPS:
            for n in version.nodes[g]:
                if not n.virtual:
                    report.seen[(version.version, n.id)].add(tv(ev.values[n.id]))
        for r in version.outcomes:
            if r.id in ev.values:
                report.seen[(version.version, r.id)].add(tv(ev.values[r.id]))
        problems = []
        exp = case.expect
        if result.outcome != exp.outcome:
            problems.append(f"结论应为 {exp.outcome}，实为 {result.outcome}")
        if exp.decisive_facts is not None and set(exp.decisive_facts) != set(result.decisive_facts):
            problems.append(f"待查明事实应为 {sorted(exp.decisive_facts)}，实为 {sorted(result.decisive_facts)}")
        missing = [c for c in exp.citations if c not in result.citations]
        if missing:
            problems.append(f"引用中缺少 {missing}，实际引用 {result.citations}")
        if exp.dispositions is not None and set(exp.dispositions) != set(result.dispositions):
            problems.append(f"处理方式应为 {exp.dispositions}，实为 {result.dispositions}")
        report.cases.append(CaseOutcome(case.name, version.version, problems, cline))
    return report


def _version_for(policy: Policy, on: dt.date | None, file: str, line: int | None) -> PolicyVersion:
    if on is not None:
        try:
            return policy.version_on(on)
        except PolicyError as exc:
            raise PolicyError(exc.message, file=file, line=line, field="on") from None
    if len(policy.versions) == 1:
        return policy.versions[0]
    raise PolicyError("政策有多个版本，测试用例必须写明 on（日期）", file=file, line=line, field="on")
