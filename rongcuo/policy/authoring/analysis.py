"""Everything the editor shows beside a draft, from the library's own tools: does it load (with line and field),
the static checks, the solver's findings with witnesses, the tests and their coverage, the exact comparison
with the parent measure and with the version now in force, and the local facts that make it 待定.

A few milliseconds for a shipped-size measure; results are kept per process by a hash of the YAML (and the
identity of the versions compared), so every page view may call it.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalog import OUTCOME_LABELS
from ..checks import check_policy
from ..errors import PolicyError, PolicyErrors
from ..exact import Comparison, compare_exact, describe_cube
from ..loader import Library, load_policy_text
from ..model import Policy, PolicyVersion
from ..testing import run_policy_tests
from ..verify import Finding, verify_version
from .common import GROUP_WORDS, GROUPS, group_nodes, last_version, local_facts, names_in
from .document import DRAFT_NOTE, PLACEHOLDER_ISSUER
from .yamlio import tests_to_yaml, to_yaml

REGIONS_SHOWN = 5
QUESTIONS_SHOWN = 4
CACHE_SIZE = 64
PATH = re.compile(r"^versions\[(\d+)\]\.?(.*)$")
ITEM = re.compile(r"^(conditions|situations|exclusions|mitigations|outcomes|result_use)\[(\d+)\](.*)$")


@dataclass
class Analysis:
    load_errors: list[dict] = field(default_factory=list)
    check: list[dict] = field(default_factory=list)
    verify: list[dict] = field(default_factory=list)
    tests: list[dict] = field(default_factory=list)  # {name, version, passed, message}
    coverage: list[str] = field(default_factory=list)  # the rules no test makes both true and false, in Chinese
    tests_error: str | None = None  # the tests document itself is wrong (e.g. a row for a day no version covers)
    compare_parent: dict | None = None
    compare_current: dict | None = None
    local_fact_warnings: list[str] = field(default_factory=list)
    # the library's own objects, for pages that render them with the library pages' helpers (never serialised)
    policy: Policy | None = field(default=None, repr=False)
    findings: list[Finding] = field(default_factory=list, repr=False)
    comparisons: dict[str, Comparison] = field(default_factory=dict, repr=False)

    @property
    def loads(self) -> bool:
        return not self.load_errors

    @property
    def ok(self) -> bool:
        """Ready to propose: loads, no check or solver error, every test passes, every rule covered."""
        return (self.loads and not any(f["severity"] == "error" for f in self.check + self.verify)
                and all(t["passed"] for t in self.tests) and bool(self.tests) and not self.coverage
                and self.tests_error is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "loads": self.loads,
            "ok": self.ok,
            "load_errors": [dict(e) for e in self.load_errors],
            "check": [dict(f) for f in self.check],
            "verify": [dict(f) for f in self.verify],
            "tests": [dict(t) for t in self.tests],
            "coverage": list(self.coverage),
            "tests_error": self.tests_error,
            "compare_parent": self.compare_parent,
            "compare_current": self.compare_current,
            "local_fact_warnings": list(self.local_fact_warnings),
        }


def editor_field(raw: str | None, doc: dict) -> str:
    """A field as the loader names it (versions[0].situations[2].when) as the editor names it
    (situations[s_x].when); fields of the file's head stay as they are."""
    if not raw:
        return ""
    m = PATH.match(raw)
    if not m:
        return raw
    versions = doc.get("versions") or []
    index, rest = int(m.group(1)), m.group(2)
    version = versions[index] if index < len(versions) and isinstance(versions[index], dict) else {}
    item = ITEM.match(rest)
    if item:
        items = version.get(item.group(1)) or []
        i = int(item.group(2))
        nid = items[i].get("id") if i < len(items) and isinstance(items[i], dict) else None
        return f"{item.group(1)}[{nid if nid else i}]{item.group(3)}"
    if rest.startswith("facts."):
        fid, _, tail = rest[len("facts."):].partition(".")
        return f"facts[{fid}]" + (f".{tail}" if tail else "")
    return rest or raw


def local_fact_warnings(doc: dict) -> list[str]:
    """Each local fact is asked of no case automatically (the case service's questions come from the catalog):
    wherever it stays unknown, the rules reading it are unknown and the measure can only say 待定."""
    version = last_version(doc)
    out = []
    for fid, fact in local_facts(version).items():
        label = fact.get("label") if isinstance(fact, dict) else None
        readers = [f"{GROUP_WORDS[g]} {n.get('id')}" for g in GROUPS for n in group_nodes(version, g)
                   if fid in names_in(n.get("when"))]
        if readers:
            out.append(f"本地事实「{label or fid}」（{fid}）不在要件库中：凡未问及此事实的案件，"
                       f"{'、'.join(readers)} 均无法判断，结论可能因此为待定")
        else:
            out.append(f"本地事实「{label or fid}」（{fid}）没有被任何规则使用")
    return out


def _errors(exc: PolicyError, doc: dict) -> list[dict]:
    errors = exc.errors if isinstance(exc, PolicyErrors) else [exc]
    return [{"field": editor_field(e.field, doc), "raw_field": e.field or "", "line": e.line, "message": e.message}
            for e in errors]


def _checks(policy: Policy, doc: dict, file: str) -> list[dict]:
    """check_policy's findings for the version being edited (and the file as a whole); earlier versions of a
    revision are the shipped ones and were checked when they were written."""
    last = len(policy.versions) - 1
    out = []
    for f in check_policy(policy, file):
        m = PATH.match(f.field or "")
        if m and int(m.group(1)) != last:
            continue
        out.append({"severity": f.severity, "code": f.code, "field": editor_field(f.field, doc),
                    "raw_field": f.field or "", "line": f.line, "message": f.message})
    return out


def _placeholders(doc: dict) -> list[dict]:
    """What blank_document and derived_document filled in for the drafter to replace."""
    out = []
    if doc.get("issued_by") == PLACEHOLDER_ISSUER:
        out.append({"severity": "warning", "code": "draft-placeholder", "field": "issued_by", "raw_field": "issued_by",
                    "line": None, "message": "制定机关尚未填写"})
    if last_version(doc).get("completeness_note") == DRAFT_NOTE:
        out.append({"severity": "warning", "code": "draft-placeholder", "field": "completeness_note",
                    "raw_field": "completeness_note", "line": None,
                    "message": "完整性说明仍是起草时的默认文字：请写明哪些条款尚未录入或核实，或改为完整"})
    return out


def _verify(findings: list[Finding]) -> list[dict]:
    return [{"severity": f.severity, "code": f.code, "subject": f.subject, "message": f.message,
             "witness": f.witness, "witness_text": f.witness_text, "after": f.after}
            for f in sorted(findings, key=lambda f: f.severity != "error")]


def _label(fid: str, versions: tuple[PolicyVersion, ...]) -> str:
    for v in versions:
        fact = v.fact(fid)
        if fact is not None:
            return fact.label
    return fid


def _side(s: Any, versions: tuple[PolicyVersion, ...]) -> dict:
    if s.outcome == "undetermined":
        asks = [_label(f, versions) for f in s.questions[:QUESTIONS_SHOWN]]
        more = "、……" if len(s.questions) > QUESTIONS_SHOWN else ""
        detail = f"尚需查明：{'、'.join(asks)}{more}" if asks else ""
    else:
        detail = s.ref
    return {"outcome": s.outcome, "label": OUTCOME_LABELS[s.outcome], "rule": s.rule, "detail": detail}


def _summary(c: Comparison) -> dict:
    """Totals and the first regions, each in Chinese: A is the other version, B the draft."""
    versions = (c.b, c.a)
    regions = []
    for r in c.regions[:REGIONS_SHOWN]:
        holder = c.b if all(f in c.b.known_fact_ids() for f in r.facts) else c.a
        regions.append({"cond": describe_cube(r.facts, holder), "count": r.count,
                        "a": _side(r.a, versions), "b": _side(r.b, versions)})
    share = c.differing / c.total if c.total else 0.0
    if not c.differing:
        text = "两者在任何事实组合下结论相同"
    else:
        shown = "不足 0.01%" if share < 0.0001 else f"{share:.2%}"
        text = f"结论不同的事实组合 {c.differing:,} 种（共 {c.total:,} 种，{shown}），分为 {len(c.regions)} 个区域"
    return {"a": c.a.ref, "b": c.b.ref, "facts": len(c.facts), "total": c.total, "differing": c.differing,
            "share": round(share, 6), "region_count": len(c.regions), "regions": regions, "summary": text}


def _tests(policy: Policy, tests: dict | None, doc: dict) -> tuple[list[dict], list[str], str | None]:
    last = policy.versions[-1]
    cases = (tests or {}).get("cases") or []
    if not cases:
        return [], ["尚无测试用例：每条规则都应在某个用例中成立一次、不成立一次"], None
    if len(policy.versions) > 1:
        undated = [str(i + 1) for i, c in enumerate(cases) if isinstance(c, dict) and c.get("on") is None]
        if undated:
            return [], [], (f"第 {'、'.join(undated)} 个测试用例未写明适用日期："
                            "办法有多个版本，每个用例须写明适用日期（on）")
    text = tests_to_yaml({**(tests or {}), "policy": policy.id})
    with tempfile.TemporaryDirectory(prefix="rongcuo-draft-") as folder:
        path = Path(folder) / f"{policy.id}.test.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            report = run_policy_tests(policy, path)
        except PolicyError as exc:
            errors = exc.errors if isinstance(exc, PolicyErrors) else [exc]
            # the lines are those of a generated file the drafter never sees: name the field only
            return [], [], "；".join((f"{e.field}：" if e.field else "") + e.message for e in errors)
    rows = [{"name": c.name, "version": c.version, "passed": c.ok, "message": "；".join(c.problems)}
            for c in report.cases]
    coverage = []
    for version, rid, missing in report.uncovered():
        if version != last.version:
            continue
        node = last.node(rid)
        group = node.group if node is not None else "outcomes"
        ref = node.ref if node is not None else next((r.ref for r in last.outcomes if r.id == rid), "")
        words = {"T": "成立", "F": "不成立", "TF": "成立或不成立"}[missing]
        where = "，".join(x for x in ("共同红线" if node is not None and node.inherited else "", ref) if x)
        shown = f"{GROUP_WORDS[group]} {rid}" + (f"（{where}）" if where else "")
        coverage.append(f"{shown}：没有一个用例使它{words}")
    return rows, coverage, None


def _same_measure(draft: Policy, shipped: Policy) -> bool:
    """Is the draft the library's measure, corrected in place (same versions) or revised (one version more)?"""
    mine = [v.version for v in draft.versions]
    theirs = [v.version for v in shipped.versions]
    return mine == theirs or mine[:-1] == theirs


_cache: OrderedDict[tuple, tuple[tuple, Analysis]] = OrderedDict()
_lock = threading.Lock()


def analyse(doc: dict, tests: dict | None, *, parent: PolicyVersion | None = None,
            current: PolicyVersion | None = None, library: Library | None = None) -> Analysis:
    """The analysis of a draft. `parent`: the version it derives from; `current`: the version it would replace
    (by default the library's newest version of the same id, when `library` is given). When the document does
    not load, only `load_errors` (and the local-fact warnings) are filled."""
    text = to_yaml(doc)
    tests_text = tests_to_yaml(tests) if tests else ""
    digest = hashlib.sha256(f"{text}\0{tests_text}".encode()).hexdigest()
    objs = (parent, current, library)
    key = (digest, *(id(o) for o in objs))
    with _lock:
        hit = _cache.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], objs, strict=True)):
            _cache.move_to_end(key)
            return hit[1]
    result = _analyse(doc, text, tests, parent, current, library)
    with _lock:
        _cache[key] = (objs, result)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def _analyse(doc: dict, text: str, tests: dict | None, parent: PolicyVersion | None,
             current: PolicyVersion | None, library: Library | None) -> Analysis:
    out = Analysis()
    with contextlib.suppress(PolicyError):  # a document without versions: the load errors say so
        out.local_fact_warnings = local_fact_warnings(doc)
    file = f"{doc.get('id') or 'draft'}.yaml"
    try:
        policy = load_policy_text(text, file)
    except PolicyError as exc:
        out.load_errors = _errors(exc, doc)
        return out
    if policy.kind == "base":
        out.load_errors = [{"field": "kind", "raw_field": "kind", "line": None,
                            "message": "共同红线规则集（kind: base）不在起草工作台编辑"}]
        return out
    out.policy = policy
    draft = policy.versions[-1]
    out.check = _checks(policy, doc, file)
    if library is not None and policy.id in library.policies:
        shipped = library.get(policy.id)
        if _same_measure(policy, shipped):
            current = current or shipped.latest()
        else:
            out.check.append({"severity": "warning", "code": "id-taken", "field": "id", "raw_field": "id",
                              "line": None, "message": f"政策编号 {policy.id} 已被库中办法《{shipped.title}》使用："
                                                       "新办法请换一个编号，修订已有办法请新增版本"})
    out.check += _placeholders(doc)
    out.findings = verify_version(draft)
    out.verify = _verify(out.findings)
    out.tests, out.coverage, out.tests_error = _tests(policy, tests, doc)
    for name, other in (("parent", parent), ("current", current)):
        if other is not None:
            c = compare_exact(other, draft)
            out.comparisons[name] = c
            setattr(out, f"compare_{name}", _summary(c))
    return out
