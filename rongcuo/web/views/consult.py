"""意见征集 drafts: list, draft and revise (the rule file in YAML, checked with the line of any error, and the
questionnaire 「调查问卷」 as rows of a form), publish, close, adopt (决策秘书), and export the responses (CSV)
or their summary. Every verb is rongcuo.consultation's; drafts outside the user's jurisdictions are 404."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongcuo.cases import access
from rongcuo.consultation import actions, export
from rongcuo.consultation.drafting import PolicyTextInvalid
from rongcuo.consultation.library import effective_library
from rongcuo.consultation.models import AdoptedPolicy, Draft
from rongcuo.consultation.questionnaire import KINDS
from rongcuo.core.errors import ActionError, Forbidden, NotFound
from rongcuo.policy.loader import policies_dir

from .after import field_errors, first_error, row_count
from .auth import client_ip

PAGE_SIZE = 25
EXPORTS = [
    ("csv", "意见明细（CSV，可用 Excel 打开）"),
    ("summary", "统计汇总（JSON）"),
    ("report", "调研报告提纲（文本）"),
]
EXPORTS += [("json", "意见明细（JSON）")]
MISSING = "征求意见稿不存在或无权访问"
LABELS = {"explanation": "起草说明", "title": "标题", "opens_at": "开始时间", "closes_at": "截止时间"}


def _codes(request: HttpRequest, roles: frozenset[str]) -> set[str]:
    return access.jurisdictions_for(request.user, set(roles))


def _draft_or_404(request: HttpRequest, pk: int, roles: frozenset[str] = actions.READER_ROLES) -> Draft:
    try:
        return actions.access_draft(request.user, pk, roles)
    except (NotFound, Forbidden):
        raise Http404(MISSING) from None


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@login_required
@require_safe
def drafts(request: HttpRequest) -> HttpResponse:
    if not _codes(request, actions.READER_ROLES):
        raise Http404("页面不存在")
    qs = actions.visible_drafts(request.user).select_related("jurisdiction").defer("yaml_text").order_by("-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    labels = dict(Draft.STATUSES)
    rows = [{"d": d, "state": d.state(now), "label": labels[d.state(now)]} for d in page]
    ctx = {"page": page, "rows": rows, "can_draft": bool(_codes(request, actions.DRAFTER_ROLES)), "query": ""}
    return render(request, "web/after/consult_list.html", ctx)


# --- the draft form ---------------------------------------------------------------------------------------------


def _question_rows(post: Any, questionnaire: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The questionnaire as form rows: from the POST, else from the stored questions (plus blank rows)."""
    rows = []
    for i in range(n):
        if post is not None:
            row = {
                "id": post.get(f"q-{i}-id", "").strip(),
                "text": post.get(f"q-{i}-text", "").strip(),
                "kind": post.get(f"q-{i}-kind", "single"),
                "options": post.get(f"q-{i}-options", ""),
                "required": post.get(f"q-{i}-required") == "on",
            }
        elif i < len(questionnaire):
            q = questionnaire[i]
            row = {**q, "options": "\n".join(q.get("options") or [])}
        else:
            row = {"id": "", "text": "", "kind": "single", "options": "", "required": False}
        rows.append({"i": i, **row})
    return rows


def _questionnaire(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    out, kept = [], []
    for r in rows:
        if not (r["text"] or r["id"] or r["options"].strip()):
            continue
        options = [o.strip() for o in r["options"].splitlines() if o.strip()]
        q: dict[str, Any] = {"id": r["id"] or f"q{len(out) + 1}", "text": r["text"], "kind": r["kind"]}
        q["required"] = r["required"]
        if options or r["kind"] != "text":
            q["options"] = options
        out.append(q)
        kept.append(r["i"])
    return out, kept


def _row_error(errors: dict[str, str], kept: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for key, message in errors.items():
        if key.startswith("questionnaire[") and "]" in key:
            j = key[len("questionnaire[") : key.index("]")]
            if j.isdigit() and int(j) < len(kept):
                out[kept[int(j)]] = message
    return out


def _base_text(policy_id: str) -> str:
    """The rule file now in force for a policy, to start a revision from."""
    if policy_id not in effective_library().policies:
        return ""
    adopted = AdoptedPolicy.objects.filter(policy_id=policy_id).order_by("-adopted_at", "-id").first()
    if adopted is not None:
        return adopted.yaml_text
    path = policies_dir() / f"{policy_id}.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _form_data(post: Any) -> dict[str, Any]:
    data: dict[str, Any] = {k: post.get(k, "").strip() for k in ("title", "policy_id", "explanation")}
    data["yaml_text"] = post.get("yaml_text", "")
    for k in ("opens_at", "closes_at"):
        data[k] = post.get(k, "").strip() or None
    return data


def _save(
    request: HttpRequest, draft: Draft | None
) -> tuple[Draft | None, dict[str, Any], dict[str, str], list[dict[str, Any]]]:
    post = request.POST
    n = row_count(post, 3)
    rows = _question_rows(post, [], n)
    data = _form_data(post)
    questionnaire, kept = _questionnaire(rows)
    data["questionnaire"] = questionnaire
    if post.get("more"):
        return None, data, {}, rows
    payload = {k: v for k, v in data.items() if v is not None and not (k == "policy_id" and not v)}
    errors: dict[str, str] = {}
    problems: list[dict[str, Any]] = []
    try:
        if draft is None:
            saved, check = actions.create_draft(request.user, payload, ip=client_ip(request))
        else:
            payload.pop("policy_id", None)
            payload.setdefault("opens_at", None)
            payload.setdefault("closes_at", None)
            saved, check = actions.update_draft(request.user, draft.pk, payload, ip=client_ip(request))
    except PolicyTextInvalid as exc:
        errors, problems = field_errors(exc), exc.problems
    except NotFound as exc:
        if exc.field is None:
            raise Http404(MISSING) from None
        errors = field_errors(exc)
    except ActionError as exc:
        errors = field_errors(exc)
    else:
        warnings = len(check.warnings) if check else 0
        note = f"；规则文件有 {warnings} 条提示，请查看" if warnings else ""
        messages.success(request, f"征求意见稿已保存{note}")
        return saved, data, {}, rows
    row_errors = _row_error(errors, kept)
    for r in rows:
        r["error"] = row_errors.get(r["i"], "")
    data["problems"] = problems
    return None, data, errors, rows


def _form(request: HttpRequest, draft: Draft | None) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        saved, data, errors, rows = _save(request, draft)
        if saved is not None:
            return redirect("web:consult_draft", pk=saved.pk)
    elif draft is not None:
        data = {
            "title": draft.title,
            "policy_id": draft.policy_id,
            "explanation": draft.explanation,
            "yaml_text": draft.yaml_text,
            "opens_at": _local(draft.opens_at),
            "closes_at": _local(draft.closes_at),
        }
        rows = _question_rows(None, draft.questionnaire, len(draft.questionnaire) + 1)
    else:
        base = request.GET.get("base", "")
        data = {"policy_id": base if _base_text(base) else "", "yaml_text": _base_text(base)}
        rows = _question_rows(None, [], 3)
    shown = {"title", "policy_id", "explanation", "yaml_text", "opens_at", "closes_at", "questionnaire"}
    ctx = {
        "draft": draft,
        "data": data,
        "rows": rows,
        "row_total": len(rows),
        "kinds": list(KINDS.items()),
        "errors": errors,
        "error": first_error(errors, shown | {k for k in errors if k.startswith("questionnaire[")}, LABELS),
        "policies": sorted(effective_library().policies.values(), key=lambda p: p.id) if draft is None else [],
    }
    return render(request, "web/after/consult_form.html", ctx, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def new_draft(request: HttpRequest) -> HttpResponse:
    if not _codes(request, actions.DRAFTER_ROLES):
        raise Http404("页面不存在")
    return _form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit_draft(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk, actions.DRAFTER_ROLES)
    if draft.status != Draft.DRAFT:
        messages.error(request, "征求意见稿已发布，不能再修改")
        return redirect("web:consult_draft", pk=pk)
    return _form(request, draft)


# --- one draft ----------------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest, draft: Draft, form: str = "", data: Any = None, errors: Any = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    state = draft.state(now)
    drafter = draft.jurisdiction_id in _codes(request, actions.DRAFTER_ROLES)
    adopter = draft.jurisdiction_id in _codes(request, actions.ADOPTER_ROLES)
    errors = errors or {}
    ctx = {
        "d": draft,
        "state": state,
        "state_label": dict(Draft.STATUSES)[state],
        "responses": draft.responses.count(),
        "adoption": getattr(draft, "adoption", None) if draft.status == Draft.ADOPTED else None,
        "can_edit": drafter and draft.status == Draft.DRAFT,
        "can_publish": drafter and draft.status == Draft.DRAFT,
        "can_close": drafter and draft.status == Draft.OPEN,
        "can_adopt": adopter and state == Draft.CLOSED,
        "can_export": (drafter or adopter) and draft.status != Draft.DRAFT,
        "exports": EXPORTS,
        "kinds": KINDS,
        "form": form,
        "data": data or {},
        "errors": errors,
        "error": first_error(errors, labels=LABELS),
        "closes_default": _local(draft.closes_at) or _local(now + dt.timedelta(days=30)),
        "opens_default": _local(draft.opens_at),
    }
    return render(request, "web/after/consult_detail.html", ctx, status=status)


@login_required
@require_safe
def draft_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _draft_or_404(request, pk))


def _verb(request: HttpRequest, pk: int, form: str, call: Any, data: dict[str, Any], done: str) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    try:
        call(draft)
    except NotFound as exc:
        if exc.field is None:
            raise Http404(MISSING) from None
        return _detail(request, draft, form, data, field_errors(exc), 400)
    except ActionError as exc:
        draft.refresh_from_db()
        return _detail(request, draft, form, data, field_errors(exc), 400 if exc.status == 400 else exc.status)
    messages.success(request, done)
    return redirect("web:consult_draft", pk=pk)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    data = {k: request.POST.get(k, "").strip() or None for k in ("opens_at", "closes_at")}
    user, ip = request.user, client_ip(request)
    return _verb(
        request, pk, "publish", lambda d: actions.publish_draft(user, d.pk, data, ip=ip), data, "已发布征求意见"
    )


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    user, ip = request.user, client_ip(request)
    return _verb(request, pk, "close", lambda d: actions.close_draft(user, d.pk, ip=ip), {}, "已结束征集")


@login_required
@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    data = {"decision": request.POST.get("decision", "").strip()}
    user, ip = request.user, client_ip(request)
    done = "已采纳，新版本规则自即日起用于评估"
    return _verb(request, pk, "adopt", lambda d: actions.adopt_draft(user, d.pk, data, ip=ip), data, done)


@login_required
@require_safe
def export_draft(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    try:
        out = export.export(request.user, draft.pk, fmt, ip=client_ip(request))
    except (NotFound, Forbidden):
        raise Http404(MISSING) from None
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:consult_draft", pk=pk)
    response = HttpResponse(out.body, content_type=out.content_type)
    ascii_name = out.filename.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("?", "_")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(out.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
