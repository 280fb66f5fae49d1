"""规则起草 pages: the 规则起草人's drafts, starting one (blank, derived from another place's measure, or a new
version of the place's own), the editor article by article with the live analysis beside it, import and
export, the review of a parent measure's change, and sending the draft to 意见征集.

Every write is a verb of rongcuo.authoring.actions; a refused edit shows its message beside the field it names
with the user's input kept in the form (nothing is saved), a stale one (someone saved in between) shows the
user's input beside the current text. Drafts outside the user's drafting scope are 404, as missing ones.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongcuo.authoring import actions, page, source
from rongcuo.authoring.models import PolicyDraft
from rongcuo.authoring.scope import drafting_scope
from rongcuo.consultation.library import effective_library
from rongcuo.core.errors import ActionError, NotFound
from rongcuo.org.models import Jurisdiction
from rongcuo.policy import authoring as pa
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog

from .auth import client_ip
from .library import exact_section, side_by_side, verify_section

PAGE_SIZE = 25
MISSING = "草稿不存在或无权访问"
TRUTH_LABELS = [("", "未查明"), ("true", "是"), ("false", "否")]
OUTCOME_CHOICES = [(k, v) for k, v in OUTCOME_LABELS.items()]
META_LABELS = {
    "title": "办法名称",
    "issued_by": "制定机关",
    "version": "版本名",
    "version_title": "版本标题",
    "document_number": "发文字号",
    "issued": "印发日期",
    "effective_from": "施行日期",
    "effective_to": "失效日期",
    "effective_note": "日期说明",
    "source_url": "来源网址",
    "source_note": "来源说明",
    "completeness": "完整性",
    "completeness_note": "完整性说明",
    "applies_by": "新旧版本适用",
}
APPLIES_BY = [("conduct_date", "行为发生时"), ("decision_date", "作出决定时"), ("most_favourable", "从旧兼从优")]


def _require_drafter(request: HttpRequest) -> None:
    if not drafting_scope(request.user):
        raise Http404("页面不存在")


def _draft_or_404(request: HttpRequest, pk: int) -> PolicyDraft:
    try:
        return actions.access_draft(request.user, pk)
    except NotFound:
        raise Http404(MISSING) from None


# --- the list and starting a draft ------------------------------------------------------------------------------


@login_required
@require_safe
def draft_list(request: HttpRequest) -> HttpResponse:
    _require_drafter(request)
    qs = actions.visible_drafts(request.user).select_related("jurisdiction", "updated_by")
    page = Paginator(qs.defer("document", "tests", "parent_snapshot"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/drafting/list.html",
        {"page": page, "statuses": dict(PolicyDraft.STATUSES), "origins": dict(PolicyDraft.ORIGINS)},
    )


def _start_options(request: HttpRequest) -> dict[str, Any]:
    scope = drafting_scope(request.user)
    lib = effective_library()
    allowed = scope.parent_codes()
    measures = sorted(lib.policies.values(), key=lambda p: (p.jurisdiction_code, p.id))
    # the nearest places first: the drafter's own, then its ancestors from the most local up, then neighbours
    paths = dict(Jurisdiction.objects.filter(code__in=allowed).values_list("code", "path"))
    above = {c for root in scope.roots for c in root.path.split("/") if c}

    def nearness(p: Any) -> tuple[int, int, str]:
        code = p.jurisdiction_code
        rank = 0 if code in scope.codes else 1 if code in above else 2
        return rank, -paths.get(code, "").count("/"), p.id

    return {
        "places": list(Jurisdiction.objects.filter(code__in=scope.codes).order_by("path")),
        "parents": sorted((p for p in measures if p.jurisdiction_code in allowed), key=nearness),
        "own": [p for p in measures if p.jurisdiction_code in scope.codes],
    }


START_VERBS = {"blank": actions.create_blank, "derived": actions.derive, "revision": actions.revise}
START_FIELDS = ("policy_id", "title", "jurisdiction", "version", "effective_from", "parent_policy_id", "parent_version")


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    _require_drafter(request)
    origin = request.POST.get("origin") or request.GET.get("origin") or "derived"
    data = {k: request.POST.get(k, request.GET.get(k, "")).strip() for k in START_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        verb = START_VERBS.get(origin)
        if verb is None:
            errors["origin"] = "起草方式：请选择新制定、参照制定或修订"
        else:
            try:
                draft = verb(request.user, data, ip=client_ip(request))
            except ActionError as exc:
                errors[exc.field or "__all__"] = exc.message
            else:
                messages.success(request, f"已建立草稿《{draft.title}》（第 1 稿）")
                return redirect("web:drafting_editor", draft.pk)
    ctx = {
        "origin": origin,
        "data": data,
        "errors": errors,
        "error": next(iter(errors.values()), ""),
        **_start_options(request),
    }
    return render(request, "web/drafting/start.html", ctx, status=400 if errors else 200)


# --- the editor -------------------------------------------------------------------------------------------------


def _post_dict(request: HttpRequest) -> dict[str, Any]:
    return {
        k: (request.POST.getlist(k) if len(request.POST.getlist(k)) > 1 else request.POST.get(k))
        for k in request.POST
        if k != "csrfmiddlewaretoken"
    }


def _do(request: HttpRequest, draft: PolicyDraft, verb: str) -> tuple[PolicyDraft, str]:
    """Run one editor verb; (the saved draft, the anchor to return to)."""
    post, user, ip, rev = request.POST, request.user, client_ip(request), request.POST.get("revision")
    group = post.get("group", "")
    if verb == "meta":
        data = {k: post.get(k, "").strip() for k in actions.META_KEYS if k in post}
        return actions.set_meta(user, draft.pk, rev, data, ip=ip), "meta"
    if verb == "article":
        data = {k: post.get(k, "") for k in ("ref", "text", "note", "old_ref", "position", "kind")}
        data["verified"] = post.get("verified") == "on"
        saved = actions.put_article(user, draft.pk, rev, data, ip=ip)
        return saved, f"a-{quote(data['ref'].strip())}"
    if verb == "article_remove":
        return actions.remove_article(user, draft.pk, rev, post.get("ref", ""), ip=ip), "articles"
    if verb == "node":
        data = page.node_data(post, group)
        return actions.put_node(user, draft.pk, rev, group, data, ip=ip), f"n-{group}-{data['id']}"
    if verb == "node_remove":
        return actions.remove_node(user, draft.pk, rev, group, post.get("id", ""), ip=ip), "articles"
    if verb == "fact":
        data = {k: post.get(k, "").strip() for k in ("id", "label", "question", "old_id")}
        data["old_id"] = data["old_id"] or None
        return actions.put_fact(user, draft.pk, rev, data, ip=ip), "facts"
    if verb == "fact_remove":
        return actions.remove_fact(user, draft.pk, rev, post.get("id", ""), ip=ip), "facts"
    if verb == "reading":
        data = {k: post.get(k, "").strip() for k in ("ref", "note", "node", "index")}
        return actions.put_reading(user, draft.pk, rev, data, ip=ip), "readings"
    if verb == "reading_remove":
        return actions.remove_reading(user, draft.pk, rev, post.get("index"), ip=ip), "readings"
    if verb == "test":
        tests = source.tests_of(draft)
        index = post.get("index") or None
        kept = {}
        if index is not None and index.isdigit() and int(index) < len(tests.get("cases") or []):
            kept = tests["cases"][int(index)].get("expect") or {}
        row = page.case_row(post, post.getlist("facts"), kept)
        return actions.put_test(user, draft.pk, rev, row, index=index, ip=ip), "tests"
    if verb == "test_remove":
        return actions.remove_test(user, draft.pk, rev, post.get("index"), ip=ip), "tests"
    if verb == "result_use":
        old = post.get("old_id") or None
        return actions.put_result_use(user, draft.pk, rev, page.result_use(post), old_id=old, ip=ip), "result_use"
    if verb == "result_use_remove":
        return actions.remove_result_use(user, draft.pk, rev, post.get("id", ""), ip=ip), "result_use"
    if verb == "step":
        index = post.get("index")
        step = {k: post.get(k, "").strip() for k in ("stage", "name", "ref", "text")}
        i = int(index) if index and index.isdigit() else None
        return actions.put_procedure_step(user, draft.pk, rev, step, index=i, ip=ip), "procedure"
    if verb == "step_remove":
        index = post.get("index", "")
        i = int(index) if index.isdigit() else -1
        return actions.remove_procedure_step(user, draft.pk, rev, i, ip=ip), "procedure"
    if verb == "import":
        rules = post.get("rules", "") or _upload(request, "rules_file")
        tests_text = post.get("tests", "") or _upload(request, "tests_file")
        return actions.import_yaml(user, draft.pk, rev, rules=rules, tests=tests_text, ip=ip), "import"
    if verb == "send":
        data = {"title": post.get("title", ""), "explanation": post.get("explanation", "")}
        return actions.send_to_consultation(user, draft.pk, rev, data, ip=ip), "send"
    if verb == "withdraw":
        return actions.withdraw(user, draft.pk, rev, ip=ip), ""
    if verb == "rebase":
        return actions.rebase(user, draft.pk, rev, post.get("to_version", ""), ip=ip), ""
    raise Http404("页面不存在")


def _upload(request: HttpRequest, name: str) -> str:
    f = request.FILES.get(name)
    if f is None:
        return ""
    if f.size > actions.MAX_YAML_CHARS * 4:
        raise actions.Invalid("上传的文件过大", field=name.removesuffix("_file"))
    try:
        return f.read().decode("utf-8")
    except UnicodeDecodeError:
        raise actions.Invalid("上传的文件应为 UTF-8 编码的 YAML", field=name.removesuffix("_file")) from None


@login_required
@require_POST
def edit(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    try:
        saved, anchor = _do(request, draft, verb)
    except NotFound:
        raise Http404(MISSING) from None
    except ActionError as exc:
        failed = {
            "form": request.POST.get("form", verb),
            "post": _post_dict(request),
            "message": exc.message,
            "field": exc.field or "",
            "conflict": isinstance(exc, actions.StaleRevision),
            "problems": getattr(exc, "problems", []),
        }
        if verb == "rebase":
            return _review(request, _draft_or_404(request, pk), failed)
        return _editor(request, _draft_or_404(request, pk), failed, status=exc.status)
    if verb == "send":
        messages.success(request, "操作已完成：已提交意见征集；请在意见征集页面发布并确定征求意见时间")
    elif verb == "withdraw":
        messages.success(request, "操作已完成：草稿已撤回")
    else:
        messages.success(request, f"操作已完成：已保存为第 {saved.revision} 稿")
    url = reverse("web:drafting_editor", args=[saved.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_safe
def editor(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, _draft_or_404(request, pk), None)


def _analysis(draft: PolicyDraft, doc: dict, tests: dict) -> pa.Analysis:
    return pa.analyse(
        doc,
        tests,
        parent=source.parent_compiled(draft),
        current=source.current_compiled(draft),
        library=effective_library(),
    )


def _editor(request: HttpRequest, draft: PolicyDraft, failed: dict | None, status: int = 200) -> HttpResponse:
    try:
        doc = source.materialise(draft)
    except (ActionError, pa.EditError) as exc:
        return render(request, "web/drafting/broken.html", {"draft": draft, "message": exc.message}, status=500)
    tests = source.tests_of(draft)
    version = doc["versions"][-1]
    analysis = _analysis(draft, doc, tests)
    readings = [
        {
            **r,
            "index": i,
            "key": f"reading:{i}",
            "v": page.form_values(
                failed,
                f"reading:{i}",
                {"ref": r.get("ref", ""), "note": r.get("note", ""), "node": r.get("node") or ""},
            ),
        }
        for i, r in enumerate(version.get("readings") or [])
    ]
    articles, loose = page.articles(doc, failed, readings)
    columns = page.fact_columns(analysis, doc)
    local = [
        {
            "id": fid,
            "label": (f or {}).get("label", ""),
            "question": (f or {}).get("question", ""),
            "v": page.form_values(
                failed,
                f"fact:{fid}",
                {"id": fid, "label": (f or {}).get("label", ""), "question": (f or {}).get("question", "")},
            ),
        }
        for fid, f in (version.get("facts") or {}).items()
    ]
    ctx = {
        "draft": draft,
        "doc": doc,
        "version": version,
        "editable": draft.status == PolicyDraft.EDITING,
        "failed": failed,
        "status_label": dict(PolicyDraft.STATUSES)[draft.status],
        "origin_label": dict(PolicyDraft.ORIGINS)[draft.origin],
        "meta": page.meta(doc, failed),
        "applies_by": APPLIES_BY,
        "articles": articles,
        "loose": loose,
        "new_article": page.form_values(
            failed, "article:new", {"ref": "", "text": "", "verified": False, "kind": "text"}
        ),
        "new_nodes": [
            page.node_view(doc, g, page.blank_node(g), failed, []) | {"key": f"node:{g}:new"} for g in pa.GROUPS
        ],
        "groups": [(g, pa.GROUP_LABELS[g]) for g in pa.GROUPS],
        "fact_choices": pa.fact_choices(doc),
        "dispositions_all": list(catalog().dispositions),
        "outcome_choices": OUTCOME_CHOICES,
        "local_facts": local,
        "new_fact": page.form_values(failed, "fact:new", {"id": "", "label": "", "question": ""}),
        "readings": readings,
        "new_reading": page.form_values(failed, "reading:new", {"ref": "", "note": "", "node": ""}),
        "columns": columns,
        "test_rows": page.case_views(tests, columns, analysis, failed),
        "truth_labels": TRUTH_LABELS,
        "a": analysis.to_dict(),
        "verify": verify_section(analysis.findings),
        "latest_parent": source.latest_parent_name(draft),
        "import_v": page.form_values(failed, "import", {"rules": "", "tests": ""}),
        "send_v": page.form_values(failed, "send", {"title": f"{draft.title}（征求意见稿）", "explanation": ""}),
    }
    ctx.update(page.extras(version, failed))
    names = (("parent", "与所参照办法的精确比较"), ("current", "与现行版本的精确比较"))
    ctx["compare_rows"] = [(label, ctx["a"][f"compare_{w}"], w) for w, label in names if ctx["a"][f"compare_{w}"]]
    if failed and failed.get("conflict"):
        post = failed["post"]
        ctx["unsaved"] = [
            (k, v) for k, v in post.items() if k not in ("form", "revision", "rows") and v not in ("", None)
        ]
    return render(request, "web/drafting/editor.html", ctx, status=status)


# --- export, comparison, the parent's change --------------------------------------------------------------------


@login_required
@require_safe
def export(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    try:
        name, text = actions.export(request.user, pk, part, ip=client_ip(request))
    except NotFound:
        raise Http404(MISSING) from None
    response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_safe
def compare(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """The full comparison of the draft with its parent version (derived) or the version in force (revision),
    with the library's own side-by-side and exact-comparison sections."""
    draft = _draft_or_404(request, pk)
    if which not in ("parent", "current"):
        raise Http404("页面不存在")
    doc = source.materialise(draft)
    analysis = _analysis(draft, doc, source.tests_of(draft))
    c = analysis.comparisons.get(which)
    if c is None or analysis.policy is None:
        raise Http404("没有可比较的版本")
    mine = analysis.policy.versions[-1]
    ctx = {
        "draft": draft,
        "a": c.a,
        "b": mine,
        "which": which,
        **side_by_side(c.a, mine),
        "exact": exact_section(c, show_all=request.GET.get("all") == "1"),
        "a_value": f"{c.a.policy.id}@{c.a.version}",
        "b_value": f"{mine.policy.id}@{mine.version}",
    }
    return render(request, "web/drafting/compare.html", ctx)


def _review(request: HttpRequest, draft: PolicyDraft, failed: dict | None = None) -> HttpResponse:
    try:
        review = actions.review_parent(request.user, draft.pk, request.GET.get("to") or None)
    except NotFound:
        raise Http404(MISSING) from None
    except ActionError as exc:
        review, failed = None, {"message": exc.message}
    ctx = {"draft": draft, "review": review, "failed": failed}
    return render(request, "web/drafting/parent.html", ctx, status=400 if failed else 200)


@login_required
@require_safe
def parent_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, _draft_or_404(request, pk))
