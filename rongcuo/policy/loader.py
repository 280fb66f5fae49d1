"""Reading rule files into compiled policies, and the library of shipped policies."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pydantic

from . import schema
from .catalog import Fact, catalog
from .errors import PolicyError, PolicyErrors
from .expr import Name, Or, Unknown, parse
from .model import GROUP_NAMES, GROUPS, Otherwise, OutcomeRule, Policy, PolicyVersion, RuleNode
from .yamlsource import format_path, line_of, load_yaml

MAX_FILE_BYTES = 2_000_000
# Ids the loader gives the rules it adds; a rule file may not use them for its own.
RED_LINE_RULE = "o_red_line"
OPEN_SITUATIONS = "open_situations"
RESERVED_IDS = frozenset((RED_LINE_RULE, OPEN_SITUATIONS))


def policies_dir() -> Path:
    """The shipped rule files: data inside the package, beside this library."""
    return Path(__file__).resolve().parent.parent / "policies"


def read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise PolicyError(f"文件过大（超过 {MAX_FILE_BYTES} 字节）", file=str(path))
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError("文件不存在", file=str(path)) from None
    except IsADirectoryError:
        raise PolicyError("这是一个目录，应为 YAML 文件", file=str(path)) from None
    except UnicodeDecodeError:
        raise PolicyError("文件不是 UTF-8 编码的文本", file=str(path)) from None
    except OSError as exc:
        raise PolicyError(f"无法读取文件: {exc.strerror}", file=str(path)) from None


def validation_errors(exc: pydantic.ValidationError, lines: dict, file: str, prefix: tuple = ()) -> list[PolicyError]:
    out = []
    for err in exc.errors():
        loc = (*prefix, *err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "不认识的字段（字段名是否拼错？）"
        elif err["type"] == "missing":
            msg = "缺少必填字段"
        out.append(PolicyError(msg, file=file, line=line_of(lines, loc), field=format_path(loc)))
    return out


def load_policy_file(path: str | Path) -> Policy:
    path = Path(path)
    text = read_text(path)
    return load_policy_text(text, str(path), path=path)


def load_policy_text(text: str, file: str, path: Path | None = None) -> Policy:
    data, lines = load_yaml(text, file)
    if not isinstance(data, dict):
        raise PolicyError("顶层应为 YAML 映射（id、title、versions …）", file=file, line=1)
    model_type = schema.BaseFile if data.get("kind") == "base" else schema.PolicyFile
    try:
        model = model_type.model_validate(data)
    except pydantic.ValidationError as exc:
        raise PolicyErrors(validation_errors(exc, lines, file)) from None
    return compile_policy(model, lines, file, path)


def compile_policy(model: schema.PolicyFile | schema.BaseFile, lines: dict, file: str, path: Path | None) -> Policy:
    errors: list[PolicyError] = []
    policy = Policy(
        id=model.id,
        title=model.title,
        jurisdiction_code=model.jurisdiction.code,
        jurisdiction_name=model.jurisdiction.name,
        issued_by=model.issued_by,
        versions=[],
        path=path,
        kind=model.kind,
    )
    seen_versions: set[str] = set()
    for vi, v in enumerate(model.versions):
        vpath: tuple[Any, ...] = ("versions", vi)
        if v.version in seen_versions:
            errors.append(
                PolicyError(
                    f"版本名 {v.version!r} 重复",
                    file=file,
                    line=line_of(lines, (*vpath, "version")),
                    field=format_path((*vpath, "version")),
                )
            )
        seen_versions.add(v.version)
        pv = _compile_version(policy, v, vi, lines, file, errors)
        policy.versions.append(pv)
    errors.extend(_overlaps(policy, lines, file))
    if errors:
        raise PolicyErrors(errors)
    return policy


def _compile_version(
    policy: Policy, v: schema.Version | schema.BaseVersion, vi: int, lines: dict, file: str, errors: list[PolicyError]
) -> PolicyVersion:
    vpath: tuple[Any, ...] = ("versions", vi)
    cat = catalog()
    local: dict[str, Fact] = {}
    for fid, lf in getattr(v, "facts", {}).items():
        fpath = (*vpath, "facts", fid)
        if fid in cat.facts:
            errors.append(
                PolicyError(
                    f"本地事实 {fid} 与要件库同名；请直接使用要件库事实",
                    file=file,
                    line=line_of(lines, fpath),
                    field=format_path(fpath),
                )
            )
        elif not schema_fact_id(fid):
            errors.append(
                PolicyError(
                    "本地事实名应为小写字母、数字和下划线，以字母开头",
                    file=file,
                    line=line_of(lines, fpath),
                    field=format_path(fpath),
                )
            )
        local[fid] = Fact(fid, lf.label, lf.question, "local", 10_000 + len(local))
    known = set(cat.facts) | set(local)

    def err(msg: str, p: tuple[Any, ...]) -> None:
        errors.append(PolicyError(msg, file=file, line=line_of(lines, p), field=format_path(p)))

    nodes: dict[str, tuple[RuleNode, ...]] = {}
    ids: dict[str, tuple[Any, ...]] = {}
    for group in GROUPS:
        compiled = []
        for ni, n in enumerate(getattr(v, group, ())):
            npath = (*vpath, group, ni)
            if n.id in ids:
                err(f"规则编号 {n.id} 重复（前一次在 {format_path(ids[n.id])}）", (*npath, "id"))
            if n.id in known or n.id in GROUP_NAMES or n.id in RESERVED_IDS:
                err(f"规则编号 {n.id} 与事实名、组名或保留编号相同，请换一个编号", (*npath, "id"))
            ids[n.id] = npath
            try:
                expr = parse(n.when)
            except PolicyError as exc:
                err(exc.message, (*npath, "when"))
                continue
            unknown = sorted(expr.names() - known)
            if unknown:
                err(
                    f"未知的事实 {', '.join(unknown)}：应为要件库（facts.md）中的事实或本版本 facts 中声明的本地事实",
                    (*npath, "when"),
                )
                continue
            facts = tuple(sorted(expr.names(), key=lambda f: (cat.facts[f].order if f in cat.facts else 10_000, f)))
            compiled.append(
                RuleNode(n.id, group, n.ref, n.text, n.label, expr, expr.compile(), facts, line_of(lines, npath))
            )
        nodes[group] = tuple(compiled)

    base, opted_out, red_line = None, (), None
    if isinstance(v, schema.Version) and v.base is not None:
        base, opted_out, inherited, red_line = _bind_base(v, vpath, ids, err)
        nodes["exclusions"] = (*inherited, *nodes["exclusions"])
    if isinstance(v, schema.BaseVersion):
        red_line = _red_line_rule(policy.id, v.version, v.red_line, nodes["exclusions"])
    if isinstance(v, schema.Version) and v.open_situations is not None:
        o = v.open_situations
        virtual = RuleNode(OPEN_SITUATIONS, "situations", o.ref, o.text, "所列情形之外", Unknown(), Unknown().compile(),
                           (), line_of(lines, (*vpath, "open_situations")), virtual=True)
        nodes["situations"] = (*nodes["situations"], virtual)

    guard_names = set(GROUP_NAMES) | set(ids) | {n.id for n in nodes["exclusions"]}
    outcomes = [red_line] if red_line is not None else []
    for oi, o in enumerate(getattr(v, "outcomes", ())):
        opath = (*vpath, "outcomes", oi)
        if o.id in ids:
            err(f"规则编号 {o.id} 重复", (*opath, "id"))
        if o.id in known or o.id in GROUP_NAMES or o.id in RESERVED_IDS:
            err(f"规则编号 {o.id} 与事实名、组名或保留编号相同，请换一个编号", (*opath, "id"))
        ids[o.id] = opath
        for d in o.dispositions:
            if d not in cat.dispositions:
                err(f"未知的处理方式 {d}：应为 {'、'.join(cat.dispositions)} 之一", (*opath, "dispositions"))
        try:
            expr = parse(o.when)
        except PolicyError as exc:
            err(exc.message, (*opath, "when"))
            continue
        unknown = sorted(expr.names() - guard_names)
        if unknown:
            err(
                f"结论规则只能引用组名（{', '.join(GROUP_NAMES)}）或本版本的规则编号，不认识: {', '.join(unknown)}",
                (*opath, "when"),
            )
            continue
        outcomes.append(
            OutcomeRule(
                o.id, o.ref, o.text, o.outcome, tuple(o.dispositions), expr, expr.compile(), line_of(lines, opath)
            )
        )
    known_nodes = set(ids) | {n.id for g in GROUPS for n in nodes[g]} | set(opted_out) | {RED_LINE_RULE}
    for ri, r in enumerate(v.readings):
        if r.node is not None and r.node not in known_nodes:
            err(f"node 应为本版本的规则编号或共同红线规则编号，不认识: {r.node}", (*vpath, "readings", ri, "node"))
    otherwise = getattr(v, "otherwise", None) or schema.Otherwise()
    for d in otherwise.dispositions:
        if d not in cat.dispositions:
            err(f"未知的处理方式 {d}", (*vpath, "otherwise", "dispositions"))
    for ri, r in enumerate(getattr(v, "result_use", ())):
        for key in ("unaffected", "after_period_unaffected"):
            for area in getattr(r, key):
                if area not in cat.areas:
                    err(f"未知的结果运用领域 {area}：应为 {', '.join(cat.areas)} 之一", (*vpath, "result_use", ri, key))
    procedure = getattr(v, "procedure", None) or schema.Procedure()
    for si, s in enumerate(procedure.steps):
        if s.stage not in cat.stages:
            err(f"未知的程序环节 {s.stage}：应为 {', '.join(cat.stages)} 之一", (*vpath, "procedure", "steps", si))
    for di, d in enumerate(procedure.deadlines):
        if d.stage not in cat.stages:
            err(f"未知的程序环节 {d.stage}", (*vpath, "procedure", "deadlines", di, "stage"))

    return PolicyVersion(
        policy=policy,
        version=v.version,
        title=v.title or f"《{policy.title}》",
        effective_from=v.effective.from_,
        effective_to=v.effective.to,
        effective_note=v.effective.note,
        issued=v.issued,
        document_number=v.document_number,
        source_url=v.source.url,
        source_note=v.source.note,
        completeness=v.completeness,
        completeness_note=v.completeness_note,
        applies_by=getattr(v, "applies_by", "conduct_date"),
        readings=list(v.readings),
        local_facts=local,
        articles=list(v.articles),
        nodes=nodes,
        outcomes=tuple(outcomes),
        otherwise=Otherwise(otherwise.ref, otherwise.text, otherwise.outcome, tuple(otherwise.dispositions)),
        result_use=list(getattr(v, "result_use", ())),
        procedure=procedure,
        index=vi,
        line=line_of(lines, vpath),
        base=base,
        opted_out=opted_out,
        open_situations=getattr(v, "open_situations", None),
        red_line=getattr(v, "red_line", None),
    )


def _red_line_rule(base_id: str, version: str, rule: schema.RedLineRule, nodes: tuple[RuleNode, ...]) -> OutcomeRule:
    """The rule tried first under every inheriting measure: any red line true → 不予容错, citing the base."""
    items = tuple(Name(n.id) for n in nodes)
    expr = items[0] if len(items) == 1 else Or(items)
    return OutcomeRule(
        RED_LINE_RULE, rule.ref, rule.text, "not_tolerated", ("问责处理",), expr, expr.compile(), None,
        f"{base_id}@{version}",
    )


def _bind_base(v: schema.Version, vpath: tuple[Any, ...], ids: dict[str, tuple[Any, ...]], err: Any) -> tuple:
    """The base version, the ids opted out, the inherited nodes (with the measure's citations) and the red-line
    rule; problems are reported through `err` and leave what can still be bound."""
    assert v.base is not None
    bpath = (*vpath, "base")
    try:
        base = resolve_base(v.base.id)
    except PolicyError as exc:
        err(exc.message, (*bpath, "id"))
        return None, (), (), None
    by_id = {n.id: n for n in base.nodes["exclusions"]}
    explained = {r.node for r in v.readings if r.node}
    for i, nid in enumerate(v.base.opt_out):
        if nid not in by_id:
            err(f"共同红线 {base.ref} 中没有规则 {nid}；可选: {', '.join(by_id)}", (*bpath, "opt_out", i))
        elif nid not in explained:
            err(f"不继承共同红线 {nid} 须在 readings 中写明理由（node: {nid}）", (*bpath, "opt_out", i))
    cites: dict[str, list[tuple[str, str]]] = {}
    for i, c in enumerate(v.base.cite):
        if c.node not in by_id or c.node in v.base.opt_out:
            err(f"cite 应指向所继承的共同红线规则（{', '.join(by_id)}），不认识: {c.node}", (*bpath, "cite", i, "node"))
            continue
        cites.setdefault(c.node, []).append((c.ref, c.text))
    for nid in by_id:
        if nid in ids:
            err(f"规则编号 {nid} 与共同红线 {base.ref} 的规则相同，请换一个编号", (*ids[nid], "id"))
    inherited = tuple(
        RuleNode(n.id, "exclusions", n.ref, n.text, n.label, n.expr, n.fn, n.facts, None, base.ref,
                 tuple(cites.get(n.id, ())))
        for n in base.nodes["exclusions"]
        if n.id not in v.base.opt_out
    )
    red_line = None
    if inherited:
        assert base.red_line is not None
        red_line = _red_line_rule(base.policy.id, base.version, base.red_line, inherited)
    return base, tuple(v.base.opt_out), inherited, red_line


def resolve_base(spec: str) -> PolicyVersion:
    """`ID` (its newest version) or `ID@VERSION` of a base rule set shipped in the policies folder."""
    pid, _, name = spec.partition("@")
    policy = _shipped_base(pid)
    return policy.version_named(name) if name else policy.latest()


@cache
def _shipped_base(pid: str) -> Policy:
    path = policies_dir() / f"{pid}.yaml"
    if not path.exists():
        raise PolicyError(f"找不到共同红线规则集 {pid}（应为 {policies_dir().name}/{pid}.yaml）")
    policy = load_policy_file(path)
    if policy.kind != "base":
        raise PolicyError(f"{pid} 是一项办法，不是共同红线规则集（kind: base）")
    return policy


def schema_fact_id(fid: str) -> bool:
    import re

    return re.fullmatch(schema.FACT_ID, fid) is not None


def _overlaps(policy: Policy, lines: dict, file: str) -> list[PolicyError]:
    out = []
    vs = sorted(policy.versions, key=lambda v: v.effective_from)
    for a, b in itertools.pairwise(vs):
        if a.effective_to is None or a.effective_to >= b.effective_from:
            end = a.effective_to.isoformat() if a.effective_to else "今"
            out.append(
                PolicyError(
                    f"版本 {a.version}（{a.effective_from}至{end}）与版本 {b.version}（自{b.effective_from}）"
                    "的有效期重叠：同一天只能有一个版本有效",
                    file=file,
                    line=line_of(lines, ("versions", b.index, "effective")),
                    field=format_path(("versions", b.index, "effective")),
                )
            )
    return out


class Library:
    """A set of policies by id."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.policies: dict[str, Policy] = {}  # the measures (办法): what lists, comparisons and cases use
        self.bases: dict[str, Policy] = {}  # shared rule sets the measures inherit (kind: base)
        for p in policies:
            if p.id in self.policies or p.id in self.bases:
                other = (self.policies.get(p.id) or self.bases[p.id]).path
                raise PolicyError(f"政策编号 {p.id} 在 {other} 和 {p.path} 中重复")
            (self.bases if p.kind == "base" else self.policies)[p.id] = p

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path]) -> Library:
        files: list[Path] = []
        for p in map(Path, paths):
            if p.is_dir():
                files.extend(policy_files(p))
            else:
                files.append(p)
        errors: list[PolicyError] = []
        loaded = []
        for f in files:
            try:
                loaded.append(load_policy_file(f))
            except PolicyErrors as exc:
                errors.extend(exc.errors)
            except PolicyError as exc:
                errors.append(exc)
        if errors:
            raise PolicyErrors(errors)
        return cls(loaded)

    @classmethod
    def default(cls) -> Library:
        return _default_library()

    def ids(self) -> list[str]:
        return sorted(self.policies)

    def get(self, policy_id: str) -> Policy:
        """A measure, or a base rule set by its id (shown and checked like a measure, never evaluated)."""
        try:
            return self.policies.get(policy_id) or self.bases[policy_id]
        except KeyError:
            known = "、".join(self.ids())
            raise PolicyError(f"未知的政策编号 {policy_id!r}；可用: {known}", field="policy") from None

    def resolve(self, spec: str, on: dt.date | None = None) -> PolicyVersion:
        """`ID`, `ID@DATE`, `ID@VERSION`, or a rule file path (also `PATH@DATE`), as one version."""
        base, _, at = spec.rpartition("@") if "@" in spec else (spec, "", "")
        policy = load_policy_file(base) if base.endswith((".yaml", ".yml")) or "/" in base else self.get(base)
        if at:
            try:
                day = dt.date.fromisoformat(at)
            except ValueError:
                return policy.version_named(at)
            return policy.version_on(day)
        if on is None and policy.path is not None and policy.id not in self.policies:
            return policy.latest()  # a file given by path: its newest version unless a date is named
        return policy.version_on(on or dt.date.today())


def policy_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(".test.yaml") and not p.name.startswith("_"))


@cache
def _default_library() -> Library:
    return Library.from_paths([policies_dir()])
