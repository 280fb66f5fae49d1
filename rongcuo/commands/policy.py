"""`rongcuo policy …`: list, show, check, test, evaluate, compare, diff, simulate."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
import orjson

from rongcuo.commands.common import friendly
from rongcuo.policy.catalog import GROUP_LABELS, OUTCOME_LABELS, catalog
from rongcuo.policy.errors import PolicyError
from rongcuo.policy.facts import Case, parse_cases
from rongcuo.policy.loader import Library, load_policy_file, policies_dir
from rongcuo.policy.model import GROUPS, PolicyVersion

T = TypeVar("T")
PROGRESS_MIN = 2000  # show a progress bar for batches at least this large, on a terminal
APPLIES_BY_LABELS = {"conduct_date": "行为发生时", "decision_date": "作出决定时", "most_favourable": "从旧兼从优"}


def _date(value: str | None, option: str = "--on") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PolicyError(f"日期 {value!r} 格式不对，应为 YYYY-MM-DD", field=option) from None


def _read_facts(path: str) -> tuple[str, str]:
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<标准输入>"
    else:
        name = path
        p = Path(path)
        if not p.exists():
            raise PolicyError("事实文件不存在", file=path, field="--facts")
        if p.is_dir():
            raise PolicyError("这是一个目录，应为 JSON 或 JSON Lines 文件", file=path, field="--facts")
        data = p.read_bytes()
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError:
        raise PolicyError("事实文件不是 UTF-8 编码的文本", file=name, field="--facts") from None


def _describe_unknown(known: set[str]) -> Any:
    def describe(key: str) -> str:
        import difflib

        close = difflib.get_close_matches(key, sorted(known), n=1)
        hint = f"，是否应为 {close[0]}？" if close else ""
        return f"{key!r} 不在要件库（facts.md）中{hint}"

    return describe


def _progress(items: list[T], label: str) -> Iterator[T]:
    if len(items) >= PROGRESS_MIN and sys.stderr.isatty():
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar
    else:
        yield from items


def _cases(path: str, known: set[str]) -> list[Case]:
    text, name = _read_facts(path)
    return list(parse_cases(text, known, file=name, describe=_describe_unknown(known)))


def _library() -> Library:
    return Library.default()


def _write_json(obj: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE))


@click.group()
def policy() -> None:
    """政策库：容错纠错办法的规则文件。"""


@policy.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@friendly
def list_(as_json: bool) -> None:
    """列出已收录的政策。"""
    lib = _library()
    rows = []
    for pid in lib.ids():
        p = lib.get(pid)
        latest = p.latest()
        rows.append(
            {
                "id": p.id,
                "title": p.title,
                "jurisdiction": p.jurisdiction_code,
                "jurisdiction_name": p.jurisdiction_name,
                "versions": [v.version for v in p.versions],
                "effective_from": latest.effective_from.isoformat(),
                "completeness": latest.completeness,
            }
        )
    if as_json:
        _write_json(rows)
        return
    for r in rows:
        flag = "部分" if r["completeness"] == "partial" else "完整"
        click.echo(
            f"{r['id']:<28} {r['jurisdiction']} {r['jurisdiction_name']:<10} {r['effective_from']} "
            f"[{flag}] {r['title']}"
        )


@policy.command()
@click.argument("spec")
@click.option("--on", "on", help="生效日期（YYYY-MM-DD），默认今天")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@friendly
def show(spec: str, on: str | None, as_json: bool) -> None:
    """逐条显示一项政策（ID、ID@日期 或文件路径）。"""
    v = _library().resolve(spec, _date(on))
    if as_json:
        _write_json(version_dict(v))
        return
    click.echo(render_version(v))


def version_dict(v: PolicyVersion) -> dict[str, Any]:
    out = v.summary()
    out.update(
        {
            "issued_by": v.policy.issued_by,
            "document_number": v.document_number,
            "source": {"url": v.source_url, "note": v.source_note},
            "readings": [r.model_dump() for r in v.readings],
            "local_facts": {k: {"label": f.label, "question": f.question} for k, f in v.local_facts.items()},
            "articles": [a.model_dump() for a in v.articles],
            "rules": {
                g: [
                    {"id": n.id, "ref": n.ref, "text": n.text, "when": n.expr.source(), "facts": list(n.facts)}
                    for n in v.nodes[g]
                ]
                for g in GROUPS
            },
            "outcomes": [
                {
                    "id": r.id,
                    "ref": r.ref,
                    "text": r.text,
                    "when": r.expr.source(),
                    "outcome": r.outcome,
                    "dispositions": list(r.dispositions),
                }
                for r in v.outcomes
            ],
            "otherwise": {
                "ref": v.otherwise.ref,
                "text": v.otherwise.text,
                "outcome": v.otherwise.outcome,
                "dispositions": list(v.otherwise.dispositions),
            },
            "result_use": [r.model_dump() for r in v.result_use],
            "procedure": v.procedure.model_dump(by_alias=True, mode="json"),
        }
    )
    return out


def render_version(v: PolicyVersion) -> str:
    cat = catalog()
    lines = [
        f"{v.display_title()}  [{v.policy.id}@{v.version}]",
        f"地区: {v.policy.jurisdiction_name}（{v.policy.jurisdiction_code}）  制定机关: {v.policy.issued_by}"
        + (f"  文号: {v.document_number}" if v.document_number else ""),
        f"有效期: {v.effective_from} 至 {v.effective_to or '今'}"
        + (f"（{v.effective_note}）" if v.effective_note else ""),
        f"适用版本依据: {APPLIES_BY_LABELS[v.applies_by]}",
        f"来源: {v.source_url or '—'}" + (f"（{v.source_note}）" if v.source_note else ""),
        f"完整性: {'完整' if v.completeness == 'complete' else '部分'}"
        + (f" — {v.completeness_note}" if v.completeness_note else ""),
    ]
    if v.articles:
        lines.append("\n条文:")
        for a in v.articles:
            mark = "" if a.verified else "〔措辞未经逐字核实〕"
            if a.kind == "commentary":
                mark = "〔报道或解读文字，非办法原文〕"
            lines.append(f"  {a.ref}{mark} {a.text}")
    for g in GROUPS:
        nodes = v.nodes[g]
        if not nodes:
            continue
        lines.append(f"\n{GROUP_LABELS[g]}:")
        for n in nodes:
            lines.append(f"  [{n.id}] {n.ref}「{n.text}」")
            lines.append(f"      when: {n.expr.source()}")
    lines.append("\n处理结论（依次适用）:")
    for r in v.outcomes:
        lines.append(
            f"  [{r.id}] 若 {r.expr.source()} → {OUTCOME_LABELS[r.outcome]}（{'、'.join(r.dispositions)}） {r.ref}"
        )
    o = v.otherwise
    lines.append(f"  否则 → {OUTCOME_LABELS[o.outcome]}（{'、'.join(o.dispositions)}） {o.ref}")
    if v.result_use:
        lines.append("\n结果运用:")
        for ru in v.result_use:
            areas = "、".join(cat.areas.get(a, a) for a in ru.unaffected)
            line = f"  [{ru.id}] {OUTCOME_LABELS[ru.applies_to]}: 不受影响: {areas or '—'}"
            if ru.influence_period:
                months = ru.influence_period.months
                line += f"；影响期 {f'{months}个月' if months else '按有关规定'}"
            lines.append(line + f" {ru.ref}")
    proc = v.procedure
    if proc.steps:
        lines.append("\n程序: " + "、".join(s.name for s in proc.steps))
    if proc.deciding_body:
        lines.append(f"决定机关: {proc.deciding_body.name}")
    if proc.appeal:
        a = proc.appeal
        unit = "个工作日" if a.unit == "working_days" else "日"
        suspends = "申诉期间停止执行" if a.suspends_execution else "申诉期间不停止执行"
        lines.append(
            f"申诉: 收到决定之日起{a.within}{unit}内提出；{a.decided_within}{unit}内作出决定；{suspends}"
            + ("〔默认值〕" if a.default else "")
        )
    if v.readings:
        lines.append("\n解读说明:")
        for r in v.readings:
            lines.append(f"  {r.ref}: {r.note}")
    return "\n".join(lines)


@policy.command()
@click.argument("paths", nargs=-1, type=click.Path())
@friendly
def check(paths: tuple[str, ...]) -> None:
    """检查规则文件（默认检查全部已收录政策）。"""
    from rongcuo.policy.checks import check_paths

    findings = check_paths(paths or [policies_dir()])
    for f in findings:
        click.echo(str(f))
    errors = [f for f in findings if f.severity == "error"]
    warnings = len(findings) - len(errors)
    click.echo(f"检查完毕：{len(errors)} 个错误，{warnings} 个警告。")
    if errors:
        sys.exit(1)


@policy.command("test")
@click.argument("ids", nargs=-1)
@friendly
def test_(ids: tuple[str, ...]) -> None:
    """运行政策测试用例并报告规则覆盖（每个规则都要在测试中成立一次、不成立一次）。"""
    from rongcuo.policy.testing import run_policy_tests

    lib = _library()
    failed = False
    total = passed = 0
    for pid in ids or lib.ids():
        p = load_policy_file(pid) if pid.endswith((".yaml", ".yml")) else lib.get(pid)
        try:
            report = run_policy_tests(p)
        except PolicyError as exc:  # a missing or malformed test file fails this policy, not the run
            click.echo(f"{p.id}: 失败 — {exc}")
            failed = True
            total += 1
            continue
        total += len(report.cases)
        passed += len(report.cases) - len(report.failed)
        status = "通过" if report.ok else "失败"
        click.echo(f"{p.id}: {len(report.cases) - len(report.failed)}/{len(report.cases)} 个用例通过 — {status}")
        for c in report.failed:
            click.echo(f"  ✗ {c.name}（{report.test_file}:{c.line}）")
            for problem in c.problems:
                click.echo(f"      {problem}")
        for version, node, missing in report.uncovered():
            need = "、".join({"T": "成立", "F": "不成立"}[m] for m in missing)
            click.echo(f"  未覆盖: {version} {node}（缺少使其{need}的用例）")
        failed = failed or not report.ok
    click.echo(f"{passed} passed, {total - passed} failed")
    if failed:
        sys.exit(1)


def _versions_for_compare(lib: Library, policies: str | None, on: dt.date) -> tuple[list[PolicyVersion], list[str]]:
    skipped = []
    if policies:
        ids = [p.strip() for p in policies.split(",") if p.strip()]
        if not ids:
            raise PolicyError("--policies 应为逗号分隔的政策编号", field="--policies")
        return [lib.resolve(i, on) for i in ids], skipped
    versions = []
    for pid in lib.ids():
        p = lib.get(pid)
        try:
            versions.append(p.version_on(on))
        except PolicyError:
            skipped.append(pid)
    return versions, skipped


@policy.command()
@click.argument("spec")
@click.option("--facts", "facts_path", required=True, help="事实文件：JSON 对象或 JSON Lines（- 为标准输入）")
@click.option("--on", "on", help="按该日期选择有效版本（YYYY-MM-DD），默认今天")
@click.option("--json", "as_json", is_flag=True, help="每个案件输出一行 JSON")
@friendly
def evaluate(spec: str, facts_path: str, on: str | None, as_json: bool) -> None:
    """按一项政策评估案件事实。"""
    from rongcuo.policy.parallel import CHUNK, render_all

    version = _library().resolve(spec, _date(on))
    cases = _cases(facts_path, version.known_fact_ids())
    out = sys.stdout.buffer
    render = _render_json if as_json else _render_text
    blocks = render_all(version, cases, render)
    if len(cases) >= PROGRESS_MIN and sys.stderr.isatty():
        with click.progressbar(length=len(cases), label="评估中", file=sys.stderr) as bar:
            for block in blocks:
                out.write(block)
                bar.update(CHUNK)
    else:
        for block in blocks:
            out.write(block)


def _render_json(result: Any, case: Case) -> bytes:
    return orjson.dumps(result.to_dict(), option=orjson.OPT_APPEND_NEWLINE)


def _render_text(result: Any, case: Case) -> bytes:
    head = f"案件 {case.id}" if case.id is not None else "评估结果"
    return f"== {head} ==\n{result.explanation()}\n\n".encode()


@policy.command()
@click.argument("specs", nargs=-1)
@click.option("--facts", "facts_path", help="事实文件：JSON 对象或 JSON Lines（- 为标准输入）")
@click.option("--policies", help="逗号分隔的政策编号，默认全部在该日期有效的政策")
@click.option("--exact", is_flag=True, help="精确比较两项办法（A B）：结论不同的全部事实组合")
@click.option("--all", "all_pairs", is_flag=True, help="与 --exact 一起：该日期有效的每两项办法，输出汇总矩阵")
@click.option("--limit", default=20, show_default=True, help="--exact 文本输出中列出的区域数")
@click.option("--on", "on", help="按该日期选择有效版本（YYYY-MM-DD），默认今天")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@friendly
def compare(
    specs: tuple[str, ...],
    facts_path: str | None,
    policies: str | None,
    exact: bool,
    all_pairs: bool,
    limit: int,
    on: str | None,
    as_json: bool,
) -> None:
    """同一组事实在多项政策下的结论；或 --exact：两项办法在哪些情形下结论不同（甲地容许，乙地不容许）。"""
    day = _date(on) or dt.date.today()
    if exact or all_pairs:
        _compare_exact(specs, all_pairs, day, limit, as_json)
        return
    if specs:
        raise PolicyError("比较两项办法的规则请加 --exact（或用 policy diff 比较结构）", field="SPECS")
    if not facts_path:
        raise PolicyError("请用 --facts 给出案件事实，或用 --exact 精确比较两项办法", field="--facts")
    _compare_facts(facts_path, policies, day, as_json)


def _compare_exact(specs: tuple[str, ...], all_pairs: bool, day: dt.date, limit: int, as_json: bool) -> None:
    from rongcuo.policy.exact import compare_all, compare_exact, render, render_matrix

    lib = _library()
    if all_pairs:
        if specs:
            raise PolicyError("--all 比较该日期有效的全部办法，不再接受 A B", field="--all")
        versions, skipped = _versions_for_compare(lib, None, day)
        matrix = compare_all(versions)
        if as_json:
            _write_json(matrix.to_dict() | {"on": day.isoformat(), "skipped": skipped})
            return
        click.echo(render_matrix(matrix))
        if skipped:
            click.echo(f"（{day} 无有效版本，未比较: {'、'.join(skipped)}）")
        return
    if len(specs) != 2:
        raise PolicyError("--exact 需要两项办法：rongcuo policy compare A B --exact", field="SPECS")
    a, b = (lib.resolve(s, day) for s in specs)
    for v, spec in ((a, specs[0]), (b, specs[1])):
        if v.is_base:
            raise PolicyError(f"{spec} 是共同红线规则集，不是办法，不能比较", field="SPECS")
    c = compare_exact(a, b)
    if as_json:
        _write_json(c.to_dict())
    else:
        click.echo(render(c, limit))


def _compare_facts(facts_path: str, policies: str | None, day: dt.date, as_json: bool) -> None:
    from rongcuo.policy.evaluate import evaluate as run

    lib = _library()
    versions, skipped = _versions_for_compare(lib, policies, day)
    known = set(catalog().facts).union(*(v.local_facts for v in versions))
    cases = _cases(facts_path, known)
    for case in cases:
        results = [run(v, case.facts, case_id=case.id) for v in versions]
        if as_json:
            for r in results:
                _write_json(r.to_dict())
            continue
        click.echo(f"== {'案件 ' + str(case.id) if case.id is not None else '比较结果'}（{day}）==")
        for r in results:
            v = r.version
            flag = "〔部分条款〕" if v.partial else ""
            ask = "、".join(q.label for q in r.questions[:3])
            more = f"；待查明: {ask}" + ("…" if len(r.questions) > 3 else "") if ask else ""
            click.echo(
                f"  {v.policy.jurisdiction_name:<10} {v.policy.id:<28} {OUTCOME_LABELS[r.outcome]:<8}"
                f"{flag} {'、'.join(r.citations[:2])}{more}"
            )
        by_outcome: dict[str, list[str]] = {}
        for r in results:
            by_outcome.setdefault(r.outcome, []).append(r.version.policy.id)
        if len(by_outcome) > 1:
            parts = [f"{OUTCOME_LABELS[o]}: {'、'.join(names)}" for o, names in by_outcome.items()]
            click.echo("  结论不一致 — " + "；".join(parts))
        if skipped:
            click.echo(f"  （{day} 无有效版本，未比较: {'、'.join(skipped)}）")


@policy.command()
@click.argument("ids", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="每项发现一行 JSON")
@friendly
def verify(ids: tuple[str, ...], as_json: bool) -> None:
    """求解器校验：不宽于共同红线、无失效规则、无被遮蔽的结论、补充事实不会推翻已定结论。"""
    from rongcuo.policy.verify import verify_version

    lib = _library()
    findings = []
    count = 0
    for pid in ids or lib.ids():
        p = load_policy_file(pid) if pid.endswith((".yaml", ".yml")) else lib.get(pid)
        if p.kind == "base":
            continue
        for v in p.versions:
            count += 1
            findings.extend(verify_version(v))
    errors = [f for f in findings if f.severity == "error"]
    if as_json:
        for f in findings:
            _write_json(f.to_dict())
    else:
        for f in findings:
            click.echo(str(f))
            if f.witness is not None:
                click.echo("    JSON: " + orjson.dumps(f.witness).decode())
        click.echo(f"校验完毕：{count} 个版本，{len(errors)} 个错误，{len(findings) - len(errors)} 个警告。")
    if errors:
        sys.exit(1)


@policy.command()
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@friendly
def diff(a: str, b: str, as_json: bool) -> None:
    """比较两项政策或两个版本的规则结构（ID、ID@日期、ID@版本 或文件路径）。"""
    from rongcuo.policy.diff import diff_versions

    lib = _library()
    d = diff_versions(lib.resolve(a), lib.resolve(b))
    if as_json:
        _write_json(d.to_dict())
    else:
        click.echo(d.render())


@policy.command()
@click.option("--baseline", required=True, help="基准政策（ID、ID@日期 或路径）")
@click.option("--reform", required=True, help="改革方案（ID、ID@日期 或路径）")
@click.option("--facts", "facts_path", required=True, help="JSON Lines 案件事实（- 为标准输入）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("--limit", default=50, show_default=True, help="文本输出中列出的变化案件数")
@friendly
def simulate(baseline: str, reform: str, facts_path: str, as_json: bool, limit: int) -> None:
    """模拟：同一批案件在基准政策与改革方案下的结论变化（转移矩阵）。"""
    from rongcuo.policy.batch import OUTCOME_CODES, to_columns
    from rongcuo.policy.batch import simulate as run

    lib = _library()
    a, b = lib.resolve(baseline), lib.resolve(reform)
    known = set(catalog().facts) | set(a.local_facts) | set(b.local_facts)
    cases = _cases(facts_path, known)
    data = to_columns(
        _progress(cases, "整理中") if len(cases) >= PROGRESS_MIN else cases,
        sorted(set(a.facts_used()) | set(b.facts_used())),
    )
    sim = run(a, b, data)
    if as_json:
        _write_json(sim.to_dict())
        return
    click.echo(f"基准: {a.ref} {a.display_title()}\n改革: {b.ref} {b.display_title()}\n案件数: {sim.n}")
    header = "基准＼改革".ljust(12) + "".join(OUTCOME_LABELS[o].ljust(10) for o in OUTCOME_CODES)
    click.echo(header)
    for i, o in enumerate(OUTCOME_CODES):
        click.echo(OUTCOME_LABELS[o].ljust(12) + "".join(str(int(x)).ljust(12) for x in sim.matrix[i]))
    click.echo(f"结论改变的案件: {len(sim.changed)}")
    for cid, x, y in sim.changed[:limit]:
        click.echo(f"  {cid}: {OUTCOME_LABELS[x]} → {OUTCOME_LABELS[y]}")
    if len(sim.changed) > limit:
        click.echo(f"  …… 另有 {len(sim.changed) - limit} 件（--json 可输出全部）")


DEMO_CASE = {
    "id": "示例案件",
    "exploratory_reform": True,
    "lacks_precedent": True,
    "public_interest": True,
    "collective_decision": True,
    "private_gain": False,
    "violates_discipline_or_law": False,
    "defied_explicit_ban": False,
    "intentional": False,
    "collusion": False,
    "harms_public_interest": False,
    "major_incident": False,
    "repeat_error": False,
    "refuses_correction": False,
    "superior_decision_illegal": False,
    "diligent": True,
    "procedure_compliant": True,
    "benefits_public": False,
    "remedied": None,
}


@policy.command()
@click.option("--on", "on", default="2024-06-01", show_default=True, help="比较日期")
@friendly
def demo(on: str) -> None:
    """演示：一件先行先试失误的案件，在各地办法下的结论与下一步需要查明的事实。"""
    import json

    from rongcuo.policy.checks import check_paths
    from rongcuo.policy.evaluate import evaluate as run

    lib = _library()
    findings = [f for f in check_paths([policies_dir()]) if f.severity == "error"]
    click.echo(f"政策库：{len(lib.ids())} 项办法，规则检查 {len(findings)} 个错误。\n")
    click.echo("案件事实：" + json.dumps({k: v for k, v in DEMO_CASE.items() if k != "id"}, ensure_ascii=False))
    facts = {k: v for k, v in DEMO_CASE.items() if k != "id"}
    day = _date(on) or dt.date.today()
    click.echo(f"\n—— 江苏省办法下的评估 ——\n{run(lib.get('jiangsu-2017').version_on(day), facts).explanation()}\n")
    click.echo(f"—— 各地比较（{day}）——")
    versions, skipped = _versions_for_compare(lib, None, day)
    for v in versions:
        r = run(v, facts)
        ask = "、".join(q.label for q in r.questions[:3])
        line = f"  {v.policy.jurisdiction_name:<10} {v.policy.id:<26} {OUTCOME_LABELS[r.outcome]:<8}"
        click.echo(line + (f" 待查明: {ask}" if ask else ""))
    if skipped:
        click.echo(f"  （未生效: {'、'.join(skipped)}）")
    click.echo("\n更多命令: rongcuo policy --help")
