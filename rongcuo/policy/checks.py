"""Static checks of rule files (`rongcuo policy check`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .catalog import catalog
from .errors import PolicyError, PolicyErrors
from .loader import load_policy_file, policy_files
from .model import GROUPS, Policy, PolicyVersion

# Truth tables over more variables than this are not built (2**22 bits = 512 KiB per table).
MAX_TABLE_VARS = 22


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" fails the check; "warning" is reported only
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = (self.file or "") + (f":{self.line}" if self.line else "")
        field = f" {self.field}:" if self.field else ""
        label = "错误" if self.severity == "error" else "警告"
        return f"{where}: {label}[{self.code}]{field} {self.message}"


def check_paths(paths: Iterable[str | Path]) -> list[Finding]:
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(policy_files(p) if p.is_dir() else [p])
    findings: list[Finding] = []
    for f in files:
        try:
            policy = load_policy_file(f)
        except PolicyErrors as exc:
            findings.extend(_from_error(e) for e in exc.errors)
            continue
        except PolicyError as exc:
            findings.append(_from_error(exc))
            continue
        findings.extend(check_policy(policy, str(f)))
    return findings


def _from_error(e: PolicyError) -> Finding:
    return Finding("error", "load", e.message, e.file, e.line, e.field)


def check_policy(policy: Policy, file: str) -> list[Finding]:
    out: list[Finding] = []
    for v in policy.versions:
        out.extend(_check_version(v, file))
    if policy.path is not None and policy.path.stem != policy.id:
        out.append(
            Finding("error", "file-name", f"文件名应为 {policy.id}.yaml（与 id 一致），测试文件按文件名查找", file)
        )
    if policy.path is not None and policy.kind != "base":  # a base is tested through every measure inheriting it
        test_file = policy.path.with_name(policy.path.stem + ".test.yaml")
        if not test_file.exists():
            out.append(Finding("warning", "no-tests", f"没有测试文件 {test_file.name}", file))
    return out


def _check_version(v: PolicyVersion, file: str) -> list[Finding]:
    out: list[Finding] = []
    vf = f"versions[{v.index}]"

    def add(sev: str, code: str, msg: str, line: int | None, field: str) -> None:
        out.append(Finding(sev, code, msg, file, line, field))

    out.extend(_check_base_and_completeness(v, file, vf))
    for group in GROUPS:
        own = [n for n in v.nodes[group] if not n.inherited and not n.virtual]
        for i, n in enumerate(own):
            field = f"{vf}.{group}[{i}]"
            if not n.ref.strip() or not n.text.strip():
                add("error", "missing-citation", f"规则 {n.id} 缺少条款出处（ref）或原文（text）", n.line, field)
            verdict = _satisfiability(n.expr, sorted(n.expr.names()))
            if verdict == "never":
                add("error", "never-fires", f"规则 {n.id} 的条件永远不能成立: {n.expr.source()}", n.line, field)
            elif verdict == "always":
                add("warning", "always-true", f"规则 {n.id} 的条件恒成立: {n.expr.source()}", n.line, field)
    for i, r in enumerate(r for r in v.outcomes if r.source is None):
        if not r.ref.strip():
            add("error", "missing-citation", f"结论规则 {r.id} 缺少条款出处（ref）", r.line, f"{vf}.outcomes[{i}]")
        kinds = {catalog().dispositions[d] for d in r.dispositions}
        if r.outcome not in kinds:
            add(
                "error",
                "disposition-mismatch",
                f"结论 {r.outcome} 的处理方式 {'、'.join(r.dispositions)} 中没有一项属于该结论",
                r.line,
                f"{vf}.outcomes[{i}].dispositions",
            )
        if r.outcome == "mitigate" and "exempt" in kinds:
            add(
                "error",
                "disposition-mismatch",
                f"从轻减轻结论 {r.id} 不能包含免予问责类处理方式",
                r.line,
                f"{vf}.outcomes[{i}].dispositions",
            )
    other_kinds = {catalog().dispositions[d] for d in v.otherwise.dispositions}
    if v.otherwise.outcome not in other_kinds:
        add(
            "error",
            "disposition-mismatch",
            f"otherwise 的结论 {v.otherwise.outcome} 与处理方式 {'、'.join(v.otherwise.dispositions)} 不符",
            v.line,
            f"{vf}.otherwise.dispositions",
        )
    if not v.otherwise.ref.strip() and not v.is_base:
        add("warning", "missing-citation", "otherwise 缺少条款出处（ref）", v.line, f"{vf}.otherwise")

    used = {f for n in v.all_nodes() for f in n.facts}
    for fid in v.local_facts:
        if fid not in used:
            add("error", "unused-fact", f"声明的本地事实 {fid} 没有被任何规则使用", v.line, f"{vf}.facts.{fid}")
    if not v.is_base:
        out.extend(_check_outcome_reachability(v, file))
    return out


def _check_base_and_completeness(v: PolicyVersion, file: str, vf: str) -> list[Finding]:
    """A measure names the shared red lines (and says why it leaves any out); `complete` means complete."""
    out: list[Finding] = []
    if v.is_base:
        return out
    if v.base is None:
        out.append(
            Finding(
                "error",
                "no-base",
                "办法应与共同红线一并适用：写明 base: cn-common-red-lines（见 docs/policy-format.md §2.8）",
                file,
                v.line,
                f"{vf}.base",
            )
        )
    for nid in v.opted_out:
        out.append(
            Finding(
                "warning",
                "base-opt-out",
                f"不继承共同红线 {nid}（{v.base.ref if v.base else ''}）；理由见 readings",
                file,
                v.line,
                f"{vf}.base.opt_out",
            )
        )
    if v.completeness == "complete":
        unverified = [a.ref for a in v.articles if not a.verified]
        if unverified:
            out.append(
                Finding(
                    "error",
                    "completeness",
                    f"completeness: complete 要求全部条文已逐字核实，未核实: {'、'.join(unverified)}",
                    file,
                    v.line,
                    f"{vf}.completeness",
                )
            )
        if not v.procedure.steps:
            out.append(
                Finding(
                    "error",
                    "completeness",
                    "completeness: complete 要求已编码认定程序（procedure.steps）",
                    file,
                    v.line,
                    f"{vf}.completeness",
                )
            )
        if v.open_situations is not None:
            out.append(
                Finding(
                    "error",
                    "completeness",
                    "completeness: complete 与 open_situations（情形未完整编码）矛盾",
                    file,
                    v.line,
                    f"{vf}.completeness",
                )
            )
    return out


def _tables(names: list[str]) -> tuple[dict[str, int], int]:
    size = 1 << len(names)
    full = (1 << size) - 1
    env = {}
    for i, name in enumerate(names):
        block = 1 << i
        env[name] = (((1 << block) - 1) << block) * (full // ((1 << (block << 1)) - 1))
    return env, full


def _satisfiability(expr, names: list[str]) -> str:  # type: ignore[no-untyped-def]
    if len(names) > MAX_TABLE_VARS:
        return "unknown"
    env, full = _tables(names)
    bits = expr.bits(env, full)
    return "never" if bits == 0 else "always" if bits == full else "sometimes"


def _check_outcome_reachability(v: PolicyVersion, file: str) -> list[Finding]:
    """An outcome rule that can never fire, or that earlier rules always pre-empt.

    Nodes are treated as independent variables: a rule reported here cannot fire under any
    node values at all; rules unreachable only because nodes share facts are not reported.
    """
    nodes = [n.id for n in v.all_nodes()]
    if len(nodes) > MAX_TABLE_VARS:
        return [
            Finding(
                "warning",
                "not-checked",
                f"规则节点超过 {MAX_TABLE_VARS} 个，未检查结论规则可达性",
                file,
                v.line,
                f"versions[{v.index}].outcomes",
            )
        ]
    env, full = _tables(nodes)
    ids = {g: [n.id for n in v.nodes[g]] for g in GROUPS}

    def fold(group: str, empty: int, conj: bool) -> int:
        if not ids[group]:
            return empty
        out = full if conj else 0
        for i in ids[group]:
            out = out & env[i] if conj else out | env[i]
        return out

    env["excluded"] = fold("exclusions", 0, False)
    env["conditions_met"] = fold("conditions", full, True)
    env["situation"] = fold("situations", full, False)
    env["mitigated"] = fold("mitigations", 0, False)
    env["tolerable"] = env["conditions_met"] & env["situation"] & (full ^ env["excluded"])
    out = []
    remaining = full
    inherited = sum(1 for r in v.outcomes if r.source is not None)  # o_red_line is not in the file
    for i, r in enumerate(v.outcomes):
        g = r.expr.bits(env, full)
        if g & remaining == 0 and r.source is None:
            why = "永远不能成立" if g == 0 else "总被前面的结论规则先行适用"
            out.append(
                Finding(
                    "error",
                    "never-fires",
                    f"结论规则 {r.id} {why}",
                    file,
                    r.line,
                    f"versions[{v.index}].outcomes[{i - inherited}]",
                )
            )
        remaining &= full ^ g
    if remaining == 0:
        out.append(
            Finding(
                "warning",
                "otherwise-unreachable",
                "otherwise 永远不会适用",
                file,
                v.line,
                f"versions[{v.index}].otherwise",
            )
        )
    return out
