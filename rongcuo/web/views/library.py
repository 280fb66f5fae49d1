"""政策库 for signed-in users: the policies, one policy article by article with the rules that cite each
article (and the solver's checks of it, 规则校验), one set of facts compared across policies, two versions
(or two places) diffed side by side with the exact comparison of their outcomes (every fact pattern where
they differ), and the share of differing patterns for every pair of measures in force on a date.

Policies come from `effective_library()` (shipped files plus adopted drafts); nothing here writes. Case facts
are read only through the access chokepoint (`actions.read_case`, which records the read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from rongcuo import policy_exact
from rongcuo.cases import access, actions
from rongcuo.cases.models import FactValue
from rongcuo.consultation.library import effective_library
from rongcuo.core.errors import NotFound
from rongcuo.disclosure.plain_language import expr_text, ordinal
from rongcuo.policy import Library, Policy, PolicyError, PolicyVersion, evaluate
from rongcuo.policy.catalog import GROUP_LABELS, OUTCOME_LABELS, catalog
from rongcuo.policy.diff import KIND_LABELS, diff_versions
from rongcuo.policy.exact import Comparison, Region
from rongcuo.policy.exact import Side as ExactSide
from rongcuo.policy.expr import Value
from rongcuo.policy.model import GROUPS, OutcomeRule, RuleNode
from rongcuo.policy.verify import Finding

from .auth import client_ip

LEVELS = {"central": "中央", "province": "省级", "city": "市级", "county": "县级"}
ARTICLE_GROUPS = ("conditions", "situations", "exclusions", "mitigations")
APPLIES_BY = {
    "conduct_date": "按行为发生时的版本",
    "decision_date": "按作出决定时的版本",
    "most_favourable": "从旧兼从优",
}
COMPLETENESS = {"complete": "完整", "partial": "部分条款"}
FACT_GROUPS = (
    ("red_line", "红线（不予容错情形）"),
    ("condition", "容错条件"),
    ("situation", "容错情形"),
    ("consequence", "后果"),
    ("local", "本地办法特有事实"),
)
QUESTIONS_SHOWN = 5  # the most decisive first; the rest behind a disclosure
TRI = {"true": True, "false": False, "": None}
# How each outcome reads in the 「甲地容许，乙地不容许」 summary.
OUTCOME_PHRASES = {
    "exempt": "容许（免予问责）",
    "mitigate": "容许从轻、减轻处理",
    "not_tolerated": "不容许（不予容错）",
    "undetermined": "尚待查明（待定）",
}
META_LABELS = {
    "jurisdiction": "地区",
    "effective": "有效期",
    "completeness": "条文完整性",
    "applies_by": "新旧版本适用",
    "otherwise": "兜底结论",
}
FIELD_LABELS = {
    "when": "判断条件",
    "ref": "条文出处",
    "text": "条文摘要",
    "outcome": "结论",
    "dispositions": "处理方式",
    "cites": "本办法重申的条文",
}
EXACT_SHOWN = 30  # regions listed before 「显示全部」
QUESTIONS_IN_REGION = 4  # facts named after 尚需查明 in one region
VALUE_WORDS = {True: "是", False: "否", None: "未查明"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
FINDING_LABELS = {
    "weaker-than-base": "宽于共同红线",
    "dead-rule": "规则从不影响结论",
    "shadowed-outcome": "结论规则永不适用",
    "unknown-turned-determinate": "补充查明后已确定的结论改变",
    "encoding-mismatch": "求解器编码与评估引擎不一致",
}
# Shades of the matrix cells: the upper bound of each band of the share of differing patterns.
SHARE_BANDS = ((0.0, "s0"), (0.05, "s1"), (0.15, "s2"), (0.30, "s3"), (0.50, "s4"))


def place_level(code: str) -> str:
    """Level of a GB/T 2260 code: 000000 is 中央; xx0000 a province; xxxx00 a prefecture; else a county."""
    if code == "000000":
        return "central"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def current_version(policy: Policy, day: dt.date) -> PolicyVersion:
    """The version in force on the day; the newest when none is (a repealed policy stays readable)."""
    try:
        return policy.version_on(day)
    except PolicyError:
        return policy.latest()


# --- the list -------------------------------------------------------------------------------------------


@login_required
@require_safe
def policy_list(request: HttpRequest) -> HttpResponse:
    lib = effective_library()
    today = timezone.localdate()
    level = request.GET.get("level", "")
    rows = []
    for pid in lib.ids():
        p = lib.policies[pid]
        lv = place_level(p.jurisdiction_code)
        if level in LEVELS and lv != level:
            continue
        v = current_version(p, today)
        rows.append({"policy": p, "current": v, "in_force": v.in_force_on(today), "level": LEVELS[lv]})
    rows.sort(key=lambda r: (list(LEVELS).index(place_level(r["policy"].jurisdiction_code)), r["policy"].id))
    ctx = {"rows": rows, "levels": LEVELS, "level": level if level in LEVELS else ""}
    return render(request, "web/library/list.html", ctx)


# --- one policy, article by article ----------------------------------------------------------------------


@dataclass
class NodeRow:
    number: str
    id: str
    group: str
    group_label: str
    ref: str
    text: str
    label: str
    test: str
    source: str
    facts: list[str]


@dataclass
class ArticleView:
    ref: str
    text: str
    verified: bool
    commentary: bool = False  # a report's or an official's account of the measure, not its own words
    nodes: list[NodeRow] = field(default_factory=list)
    also: list[tuple[str, str]] = field(default_factory=list)  # (section title, anchor) of other citing parts


def _node_row(number: str, n: RuleNode, v: PolicyVersion) -> NodeRow:
    labels = [(f.label if f else fid) for fid, f in ((fid, v.fact(fid)) for fid in n.facts)]
    return NodeRow(
        number,
        n.id,
        n.group,
        GROUP_LABELS[n.group],
        n.ref,
        n.text,
        n.label or "",
        expr_text(n.expr, v),
        n.expr.source(),
        labels,
    )


def _base(ref: str) -> str:
    """A citation without its trailing parenthesis: 「意见·容错条件（出以公心）」 → 「意见·容错条件」."""
    return ref.split("（", 1)[0].split("(", 1)[0] if ref else ref


def article_for(ref: str, article_refs: list[str], texts: dict[str, str] | None = None) -> str | None:
    """The article a rule cites: the longest article ref that begins the rule's ref; failing that, the first
    article whose ref begins with the rule's ref less its parenthesis; failing that, the first article of the
    same document whose text names the cited part (「办法·四条底线」 → the article that sets out 四条底线)."""
    if not ref:
        return None
    hits = [a for a in article_refs if ref.startswith(a)]
    if hits:
        return max(hits, key=len)
    base = _base(ref)
    hit = next((a for a in article_refs if base and a.startswith(base)), None)
    if hit is not None or not texts or "·" not in base:
        return hit
    doc, _, part = base.rpartition("·")
    return next((a for a in article_refs if part and a.startswith(doc + "·") and part in texts.get(a, "")), None)


def _other_citations(v: PolicyVersion) -> list[tuple[str, str, str]]:
    """(ref, section title, anchor) of the parts other than rule nodes that cite an article."""
    p = v.procedure
    out = [(r.ref, "处理结论", "out-h") for r in v.outcomes] + [(v.otherwise.ref, "处理结论", "out-h")]
    out += [(r.ref, "结果运用", "use-h") for r in v.result_use]
    cited = [*p.steps, p.proactive, p.application, p.deciding_body, *p.deadlines, p.appeal]
    out += [(x.ref, "程序", "proc-h") for x in cited if x is not None]
    return [x for x in out if x[0]]


def articles_with_rules(v: PolicyVersion) -> tuple[list[ArticleView], list[NodeRow]]:
    """Each article with the rule nodes citing it (in group order), and the nodes citing no article."""
    views = [ArticleView(a.ref, a.text, a.verified, a.kind == "commentary") for a in v.articles]
    by_ref = {a.ref: a for a in views}
    refs = list(by_ref)
    texts = {a.ref: a.text for a in views}
    loose: list[NodeRow] = []
    for g in ARTICLE_GROUPS:
        for i, n in enumerate(v.nodes[g], 1):
            row = _node_row(ordinal(i), n, v)
            target = article_for(n.ref, refs, texts)
            (by_ref[target].nodes if target else loose).append(row)
    for ref, title, anchor in _other_citations(v):
        target = article_for(ref, refs, texts)
        if target is not None and (title, anchor) not in by_ref[target].also:
            by_ref[target].also.append((title, anchor))
    return views, loose


def _outcome_rows(v: PolicyVersion) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "id": r.id,
            "when": expr_text(r.expr, v),
            "outcome": r.outcome,
            "label": OUTCOME_LABELS[r.outcome],
            "dispositions": "、".join(r.dispositions),
            "ref": r.ref,
            "text": r.text,
        }
        for r in v.outcomes
    ]
    o = v.otherwise
    rows.append(
        {
            "id": "otherwise",
            "when": "不属于以上各项的",
            "outcome": o.outcome,
            "label": OUTCOME_LABELS[o.outcome],
            "dispositions": "、".join(o.dispositions),
            "ref": o.ref,
            "text": o.text,
        }
    )
    return rows


def _result_use(v: PolicyVersion) -> list[dict[str, Any]]:
    areas = catalog().areas
    out = []
    for r in v.result_use:
        period = r.influence_period
        out.append(
            {
                "applies_to": OUTCOME_LABELS.get(r.applies_to, r.applies_to),
                "ref": r.ref,
                "text": r.text,
                "unaffected": [areas.get(a, a) for a in r.unaffected],
                "no_negative_evaluation": r.no_negative_evaluation,
                "months": period.months if period else None,
                "period_note": period.note if period else None,
                "after": [areas.get(a, a) for a in r.after_period_unaffected],
            }
        )
    return out


def _unit(unit: str) -> str:
    return "个工作日" if unit == "working_days" else "日"


def procedure_summary(v: PolicyVersion) -> dict[str, Any]:
    """The procedure in sentences: steps, how a case starts, who decides, deadlines and appeal."""
    stages = catalog().stages
    p = v.procedure
    lines: list[dict[str, str]] = []
    if p.proactive is not None:
        text = "问责调查与容错认定同步，须主动审查是否容错" if p.proactive.required else "未要求主动容错审查"
        lines.append({"label": "主动容错", "text": text, "ref": p.proactive.ref, "note": p.proactive.note or ""})
    if p.application is not None:
        a = p.application
        if a.allowed:
            opens = "启动问责后" if a.opens == "accountability_started" else "任何时候"
            closes = "作出决定前" if a.closes == "decision_made" else "不限截止"
            via = "，个人申请经单位党委（党组）讨论报送" if a.via_unit_committee else "，可直接向受理机关申请"
            text = f"可以依申请启动：{opens}提出，{closes}{via}"
        else:
            text = "不接受申请"
        lines.append({"label": "依申请容错", "text": text, "ref": a.ref, "note": a.note or ""})
    if p.deciding_body is not None:
        d = p.deciding_body
        lines.append({"label": "认定机关", "text": d.name, "ref": d.ref, "note": d.note or ""})
    for dl in p.deadlines:
        text = f"{stages.get(dl.stage, dl.stage)}：{dl.within}{_unit(dl.unit)}（自{dl.from_}起）"
        note = "系统默认值，并非本办法规定。" if dl.default else ""
        lines.append({"label": "期限", "text": text, "ref": dl.ref, "note": " ".join(x for x in (note, dl.note) if x)})
    if p.appeal is not None:
        ap = p.appeal
        text = (
            f"收到决定后{ap.within}{_unit(ap.unit)}内申诉，{ap.decided_within}日内作出申诉决定；"
            f"申诉期间{'停止' if ap.suspends_execution else '不停止'}执行"
        )
        note = "系统默认值，并非本办法规定。" if ap.default else ""
        lines.append({"label": "申诉", "text": text, "ref": ap.ref, "note": " ".join(x for x in (note, ap.note) if x)})
    steps = [{"name": s.name, "stage": stages.get(s.stage, s.stage), "ref": s.ref, "text": s.text} for s in p.steps]
    return {"steps": steps, "lines": lines}


def _choose_version(policy: Policy, request: HttpRequest) -> tuple[PolicyVersion, str]:
    name = request.GET.get("version", "").strip()
    on_raw = request.GET.get("on", "").strip()
    today = timezone.localdate()
    if name:
        try:
            return policy.version_named(name), ""
        except PolicyError:
            return current_version(policy, today), f"没有名为「{name}」的版本，显示现行版本。"
    if on_raw:
        day = _date(on_raw)
        if day is None:
            return current_version(policy, today), "日期格式应为 年-月-日，显示现行版本。"
        try:
            return policy.version_on(day), ""
        except PolicyError:
            return current_version(policy, today), f"{day.isoformat()} 没有有效版本，显示现行版本。"
    return current_version(policy, today), ""


@login_required
@require_safe
def policy_detail(request: HttpRequest, policy_id: str) -> HttpResponse:
    lib = effective_library()
    policy = lib.policies.get(policy_id)
    if policy is None:
        raise Http404("政策不存在")
    v, notice = _choose_version(policy, request)
    articles, loose = articles_with_rules(v)
    ctx = {
        "policy": policy,
        "v": v,
        "notice": notice,
        "level": LEVELS[place_level(policy.jurisdiction_code)],
        "versions": sorted(policy.versions, key=lambda x: x.effective_from),
        "in_force": v.in_force_on(timezone.localdate()),
        "applies_by": APPLIES_BY.get(v.applies_by, v.applies_by),
        "articles": articles,
        "loose": loose,
        "rule_count": sum(len(v.nodes[g]) for g in GROUPS),
        "outcomes": _outcome_rows(v),
        "result_use": _result_use(v),
        "procedure": procedure_summary(v),
        "local_facts": list(v.local_facts.values()),
        "on": request.GET.get("on", ""),
        **verify_section(policy_exact.findings(v)),
    }
    return render(request, "web/library/detail.html", ctx)


def verify_section(findings: list[Finding]) -> dict[str, Any]:
    """What 「规则校验」 shows (web/library/_verify.html): each finding with its severity and kind in Chinese,
    errors first."""
    rows = [
        {
            "severity": f.severity,
            "severity_label": SEVERITY_LABELS.get(f.severity, f.severity),
            "code": f.code,
            "code_label": FINDING_LABELS.get(f.code, f.code),
            "subject": f.subject or "",
            "message": f.message,
            "witness_text": f.witness_text,
        }
        for f in sorted(findings, key=lambda f: f.severity != "error")
    ]
    return {
        "findings": rows,
        "finding_errors": sum(1 for r in rows if r["severity"] == "error"),
        "finding_warnings": sum(1 for r in rows if r["severity"] == "warning"),
    }


# --- one set of facts under many policies ----------------------------------------------------------------


def _case_facts(request: HttpRequest) -> tuple[Any, dict[str, Value]]:
    """The facts of ?case= (an id or a case number) when the user may read that case; otherwise 404."""
    raw = request.GET.get("case", "").strip()
    if not raw:
        return None, {}
    pk = (
        int(raw)
        if raw.isdigit()
        else access.visible_cases(request.user).filter(number=raw).values_list("pk", flat=True).first()
    )
    if pk is None:
        raise Http404("案件不存在或无权访问")
    try:
        case = actions.read_case(request.user, pk, ip=client_ip(request))
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    return case, dict(FactValue.objects.filter(case=case).values_list("fact", "value"))


def _fact_groups(versions: list[PolicyVersion], values: dict[str, Value]) -> list[dict[str, Any]]:
    cat = catalog().facts
    local: dict[str, tuple[Any, str]] = {}
    for v in versions:
        for fid, f in v.local_facts.items():
            local.setdefault(fid, (f, v.policy.jurisdiction_name))
    groups = []
    for key, title in FACT_GROUPS:
        if key == "local":
            facts = [(f, place) for f, place in local.values()]
        else:
            facts = [(f, "") for f in cat.values() if f.group == key]
        rows = [{"fact": f, "place": place, "value": values.get(f.id)} for f, place in facts]
        if rows:
            groups.append({"key": key, "title": title, "rows": rows})
    return groups


def disagreement(results: list[dict[str, Any]]) -> str:
    """「甲地容许，乙地不容许」: one clause per outcome naming the places, when the places disagree."""
    places: dict[str, list[str]] = {}
    for r in results:
        names = places.setdefault(r["outcome"], [])
        if r["place"] not in names:
            names.append(r["place"])
    if len(places) < 2:
        return ""
    order = ("exempt", "mitigate", "not_tolerated", "undetermined")
    return "，".join(f"{'、'.join(places[o])}{OUTCOME_PHRASES[o]}" for o in order if o in places) + "。"


@login_required
@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    lib = effective_library()
    case, case_values = _case_facts(request)
    notices: list[str] = []
    on_raw = request.GET.get("on", "").strip()
    day = _date(on_raw)
    if on_raw and day is None:
        notices.append("日期格式应为 年-月-日，已按今天比较。")
    if day is None:
        day = (case.conduct_date if case is not None and case.conduct_date else None) or timezone.localdate()
    in_force = {pid: p for pid, p in lib.policies.items() if any(v.in_force_on(day) for v in p.versions)}
    chosen = [pid for pid in dict.fromkeys(request.GET.getlist("p")) if pid in lib.policies]
    unknown = [pid for pid in request.GET.getlist("p") if pid not in lib.policies]
    if unknown:
        notices.append(f"未知的政策编号：{'、'.join(unknown)}")
    selected = chosen or sorted(in_force)
    versions: list[PolicyVersion] = []
    skipped: list[Policy] = []
    for pid in selected:
        try:
            versions.append(lib.policies[pid].version_on(day))
        except PolicyError:
            skipped.append(lib.policies[pid])
    all_versions = [current_version(p, day) for p in lib.policies.values()]
    known = set(catalog().facts).union(*(v.local_facts for v in all_versions))
    values: dict[str, Value] = {k: v for k, v in case_values.items() if k in known}
    for key in known:
        if key in request.GET and request.GET[key] in TRI:
            values[key] = TRI[request.GET[key]]
    submitted = bool(request.GET)
    results = _compare_results(versions, values) if submitted else []
    ctx = {
        "groups": _fact_groups(all_versions, values),
        "on": day,
        "policies": [
            {"policy": lib.policies[pid], "checked": pid in selected, "in_force": pid in in_force} for pid in lib.ids()
        ],
        "submitted": submitted,
        "results": results,
        "summary": disagreement(results),
        "skipped": skipped,
        "case": case,
        "notices": notices,
        "known_count": sum(1 for x in values.values() if x is not None),
    }
    return render(request, "web/library/compare.html", ctx)


def _compare_results(versions: list[PolicyVersion], values: dict[str, Value]) -> list[dict[str, Any]]:
    out = []
    for v in versions:
        known = v.known_fact_ids()
        r = evaluate(v, {k: x for k, x in values.items() if k in known})
        out.append(
            {
                "v": v,
                "place": v.policy.jurisdiction_name,
                "outcome": r.outcome,
                "label": OUTCOME_LABELS[r.outcome],
                "dispositions": r.dispositions,
                "citations": r.citations,
                "questions": r.questions[:QUESTIONS_SHOWN],
                "more_questions": r.questions[QUESTIONS_SHOWN:],
            }
        )
    return out


# --- two versions side by side ---------------------------------------------------------------------------


@dataclass
class Side:
    id: str
    ref: str
    text: str
    test: str
    extra: str = ""
    note: str = ""  # for an inherited red line: where it comes from and the measure's own restating article


@dataclass
class DiffRow:
    kind: str
    kind_label: str
    a: Side | None
    b: Side | None
    fields: list[str]


def resolve_spec(lib: Library, spec: str) -> PolicyVersion:
    """`ID`, `ID@DATE` or `ID@VERSION` within the library only (never a file path)."""
    pid, _, at = spec.strip().partition("@")
    if pid not in lib.policies:
        raise PolicyError(f"未知的政策编号「{pid}」")
    policy = lib.policies[pid]
    if not at:
        return current_version(policy, timezone.localdate())
    day = _date(at)
    return policy.version_on(day) if day is not None else policy.version_named(at)


def _side(item: RuleNode | OutcomeRule, v: PolicyVersion) -> Side:
    extra = note = ""
    if isinstance(item, OutcomeRule):
        extra = f"{OUTCOME_LABELS[item.outcome]}（{'、'.join(item.dispositions)}）"
    elif item.inherited:  # a shared red line: say which article of this measure restates it, if any
        cited = "；".join(f"{r}「{t}」" if t else r for r, t in item.cites)
        note = "共同红线（“三个区分开来”、中办发〔2018〕29号）" + (f"；本办法重申：{cited}" if cited else "")
    return Side(item.id, item.ref, item.text, expr_text(item.expr, v), extra, note)


def side_by_side(a: PolicyVersion, b: PolicyVersion) -> dict[str, Any]:
    """Rows per group: A's items in order, each with its B counterpart (same id or renamed) beside it, then
    the items only B has. Each row says whether it is the same, changed, renamed, added or removed."""
    d = diff_versions(a, b)
    # Within one measure a node that moved is 改号; between two places the same rule under another id is
    # simply the counterpart, not a renumbering.
    kind_labels = dict(KIND_LABELS)
    if a.policy.id != b.policy.id:
        kind_labels["renamed"] = "对应条款"
    items_a = {g: list(a.nodes[g]) for g in GROUPS} | {"outcomes": list(a.outcomes)}
    items_b = {g: list(b.nodes[g]) for g in GROUPS} | {"outcomes": list(b.outcomes)}
    groups = []
    for g in (*GROUPS, "outcomes"):
        by_b = {x.id: x for x in items_b[g]}
        changes = {c.id: c for c in d.changes if c.group == g and c.kind != "added"}
        rows: list[DiffRow] = []
        used_b: set[str] = set()
        for x in items_a[g]:
            c = changes.get(x.id)
            kind = c.kind if c else "same"
            other = None if kind == "removed" else by_b.get(c.other_id if c and c.other_id else x.id)
            if other is not None:
                used_b.add(other.id)
            labels = [FIELD_LABELS.get(k, k) for k in (c.fields if c and kind != "removed" else {})]
            rows.append(
                DiffRow(kind, kind_labels.get(kind, "相同"), _side(x, a), _side(other, b) if other else None, labels)
            )
        for y in items_b[g]:
            if y.id not in used_b:
                rows.append(DiffRow("added", KIND_LABELS["added"], None, _side(y, b), []))
        if rows:
            groups.append({"key": g, "title": GROUP_LABELS[g], "rows": rows})
    meta = _meta_rows(a, b, d.meta)
    return {
        "groups": groups,
        "meta": meta,
        "empty": d.empty,
        "changes": len(d.changes),
        "renamed_label": kind_labels["renamed"],
    }


def _meta_rows(a: PolicyVersion, b: PolicyVersion, differing: dict[str, Any]) -> list[dict[str, Any]]:
    def show(v: PolicyVersion) -> dict[str, str]:
        until = f"，至 {v.effective_to.isoformat()}" if v.effective_to else ""
        return {
            "jurisdiction": f"{v.policy.jurisdiction_name}（{v.policy.jurisdiction_code}）",
            "effective": f"{v.effective_from.isoformat()} 起{until}",
            "completeness": COMPLETENESS.get(v.completeness, v.completeness),
            "applies_by": APPLIES_BY.get(v.applies_by, v.applies_by),
            "otherwise": OUTCOME_LABELS.get(v.otherwise.outcome, v.otherwise.outcome),
        }

    sa, sb = show(a), show(b)
    return [{"label": META_LABELS[k], "a": sa[k], "b": sb[k], "differs": k in differing} for k in META_LABELS]


def version_options(lib: Library) -> list[dict[str, str]]:
    out = []
    for pid in lib.ids():
        p = lib.policies[pid]
        for v in sorted(p.versions, key=lambda x: x.effective_from):
            out.append(
                {
                    "value": f"{pid}@{v.version}",
                    "label": f"{p.jurisdiction_name} · {v.display_title()} · {v.version}（{v.effective_from}起）",
                }
            )
    return out


@login_required
@require_safe
def diff(request: HttpRequest) -> HttpResponse:
    lib = effective_library()
    a_spec, b_spec = request.GET.get("a", "").strip(), request.GET.get("b", "").strip()
    ctx: dict[str, Any] = {"options": version_options(lib), "a_spec": a_spec, "b_spec": b_spec, "error": ""}
    status = 200
    if a_spec and b_spec:
        try:
            a, b = resolve_spec(lib, a_spec), resolve_spec(lib, b_spec)
        except PolicyError as exc:
            ctx["error"] = exc.message
            status = 400
        else:
            ctx.update(
                {"a": a, "b": b, "a_value": f"{a.policy.id}@{a.version}", "b_value": f"{b.policy.id}@{b.version}"}
            )
            ctx.update(side_by_side(a, b))
            ctx["exact"] = exact_section(policy_exact.comparison(a, b), request.GET.get("all") == "1")
    return render(request, "web/library/diff.html", ctx, status=status)


# --- the exact comparison of two versions ----------------------------------------------------------------


def _fact_label(fact_id: str, versions: tuple[PolicyVersion, ...]) -> str:
    for v in versions:
        f = v.fact(fact_id)
        if f is not None:
            return f.label
    return fact_id


def describe_region(facts: dict[str, list[Value]], a: PolicyVersion, b: PolicyVersion) -> str:
    """「先行先试=是、谋取私利=否或未查明」 with the labels of either version's facts (catalog or local)."""
    parts = []
    for fid, values in facts.items():
        label = _fact_label(fid, (a, b))
        if len(values) == 1:
            parts.append(f"{label}={VALUE_WORDS[values[0]]}")
        elif set(values) == {True, False}:
            parts.append(f"{label}已查明")
        else:
            parts.append(f"{label}={'或'.join(VALUE_WORDS[x] for x in values)}")
    return "、".join(parts) if parts else "任何情况下"


def _side_text(s: ExactSide, a: PolicyVersion, b: PolicyVersion) -> dict[str, str]:
    """The outcome of one side and what follows it: the cited article, or the facts still to be found."""
    if s.outcome == "undetermined":
        asks = [_fact_label(f, (a, b)) for f in s.questions[:QUESTIONS_IN_REGION]]
        more = "、……" if len(s.questions) > QUESTIONS_IN_REGION else ""
        detail = f"尚需查明：{'、'.join(asks)}{more}" if asks else ""
    else:
        detail = s.ref
    return {"outcome": s.outcome, "label": OUTCOME_LABELS[s.outcome], "detail": detail}


def _region_row(number: int, r: Region, a: PolicyVersion, b: PolicyVersion) -> dict[str, Any]:
    return {
        "number": number,
        "cond": describe_region(r.facts, a, b),
        "count": f"{r.count:,}",
        "a": _side_text(r.a, a, b),
        "b": _side_text(r.b, a, b),
        "both": policy_exact.both_determined(r.a.outcome, r.b.outcome),
    }


def _percent(part: int, whole: int) -> str:
    """Two decimals; a share that is not zero never shows as 0.00%."""
    if not whole or not part:
        return "0%"
    share = part / whole
    return "不足 0.01%" if share < 0.0001 else f"{share:.2%}"


def exact_section(c: Comparison, show_all: bool = False) -> dict[str, Any]:
    """What 「精确比较：结论不同的全部情形」 shows (web/library/_exact.html): the totals, one row per pair of
    outcomes, and the regions (the first EXACT_SHOWN unless show_all), each in Chinese."""
    a, b = c.a, c.b
    pa, pb = a.policy.jurisdiction_name, b.policy.jurisdiction_name
    if pa == pb:
        pa, pb = f"{pa}（{a.version}版）", f"{pb}（{b.version}版）"
    shown = c.regions if show_all else c.regions[:EXACT_SHOWN]
    pairs = [
        {**row, "count_text": f"{row['count']:,}", "percent": _percent(row["count"], c.total)}
        for row in policy_exact.outcome_pairs(c)
    ]
    return {
        "place_a": pa,
        "place_b": pb,
        "facts": len(c.facts),
        "total": f"{c.total:,}",
        "differing": f"{c.differing:,}",
        "percent": _percent(c.differing, c.total),
        "region_count": len(c.regions),
        "pairs": pairs,
        "regions": [_region_row(i, r, a, b) for i, r in enumerate(shown, 1)],
        "hidden": len(c.regions) - len(shown),
        "show_all": show_all,
        "limit": EXACT_SHOWN,
    }


# --- every pair of measures in force on a date -----------------------------------------------------------


def _band(share: float) -> str:
    for bound, name in SHARE_BANDS:
        if share <= bound:
            return name
    return "s5"


def matrix_table(versions: list[PolicyVersion]) -> list[dict[str, Any]]:
    """One row per version; each cell the share of differing fact patterns against the column's version
    (counted exactly over the facts either reads), with the diff page's parameters for the pair."""
    counted = policy_exact.matrix(versions).cells
    specs = [f"{v.policy.id}@{v.version}" for v in versions]
    rows = []
    for i, x in enumerate(versions):
        cells: list[dict[str, Any] | None] = []
        for j, y in enumerate(versions):
            if i == j:
                cells.append(None)
                continue
            key = (x.policy.id, y.policy.id)
            cell = counted[key] if key in counted else counted[(y.policy.id, x.policy.id)]
            differing, total = cell.differing, cell.total
            share = differing / total if total else 0.0
            cells.append(
                {
                    "a": specs[i],
                    "b": specs[j],
                    "percent": _percent(differing, total),
                    "decided": _percent(cell.decided, total),
                    "differing": f"{differing:,}",
                    "total": f"{total:,}",
                    "band": _band(share),
                    "title": f"{x.policy.jurisdiction_name} 与 {y.policy.jurisdiction_name}",
                }
            )
        rows.append({"number": i + 1, "v": x, "cells": cells})
    return rows


@login_required
@require_safe
def policy_matrix(request: HttpRequest) -> HttpResponse:
    lib = effective_library()
    on_raw = request.GET.get("on", "").strip()
    day = _date(on_raw)
    notice = "日期格式应为 年-月-日，已按今天比较。" if on_raw and day is None else ""
    day = day or timezone.localdate()
    versions: list[PolicyVersion] = []
    skipped: list[Policy] = []
    for pid in lib.ids():
        try:
            versions.append(lib.policies[pid].version_on(day))
        except PolicyError:
            skipped.append(lib.policies[pid])
    ctx = {"on": day, "notice": notice, "rows": matrix_table(versions), "skipped": skipped}
    return render(request, "web/library/matrix.html", ctx)
