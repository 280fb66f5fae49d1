"""公开审核 for the publisher 「公开发布员」: decided cases awaiting a public rendition; generate, edit the
de-identified text, scan, approve (publish), withdraw; curate the typical-case library with tags. Everything
through rongcuo.disclosure.actions; pages are 404 for anyone who is not a publisher on the case."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from rongcuo.cases import access
from rongcuo.core.errors import ActionError, Forbidden, NotFound
from rongcuo.disclosure import actions, compose
from rongcuo.disclosure.models import Rendition, RenditionStatus, Tag, TypicalCase
from rongcuo.policy.catalog import OUTCOME_LABELS

from .after import field_errors, first_error, form_fields
from .auth import client_ip

PAGE_SIZE = 20
TEXT_FIELDS = compose.TEXT_FIELDS
TAG_SPLIT = re.compile(r"[、，,；;\s]+")
MISSING = "公开文本不存在或无权访问"


def _publisher(request: HttpRequest) -> None:
    if not access.jurisdictions_for(request.user, {actions.PUBLISHER}):
        raise Http404("页面不存在")


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    _publisher(request)
    user = request.user
    candidates = actions.candidate_cases(user).select_related("decision").order_by("-id").distinct()
    cpage = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("cpage"))
    drafts = dict(Rendition.objects.filter(case__in=[c.pk for c in cpage]).values_list("case_id", "pk"))
    status = request.GET.get("status", "")
    renditions = actions.publisher_renditions(user).order_by("-id")
    if status in RenditionStatus.values:
        renditions = renditions.filter(status=status)
    rpage = Paginator(renditions.select_related("typical"), PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "cpage": cpage,
        "candidates": [{"case": c, "rendition": drafts.get(c.pk)} for c in cpage],
        "rpage": rpage,
        "status": status,
        "statuses": RenditionStatus.choices,
        "outcome_labels": OUTCOME_LABELS,
    }
    return render(request, "web/after/publication.html", ctx)


@login_required
@require_POST
def generate(request: HttpRequest, case_pk: int) -> HttpResponse:
    _publisher(request)
    try:
        r = actions.generate_rendition(request.user, case_pk, ip=client_ip(request))
    except (NotFound, Forbidden):
        raise Http404("案件不存在或无权访问") from None
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:publication")
    messages.success(request, f"已生成去标识化公开文本 {r.public_number}，请审阅后审核")
    return redirect("web:rendition", pk=r.pk)


# --- one rendition --------------------------------------------------------------------------------------------


def _read(request: HttpRequest, pk: int) -> Rendition:
    try:
        return actions.read_rendition(request.user, pk, ip=client_ip(request))
    except (NotFound, Forbidden):
        raise Http404(MISSING) from None


def _tags_text(typical: TypicalCase | None) -> str:
    return "、".join(t.name for t in typical.tags.all()) if typical else ""


def _page(
    request: HttpRequest,
    r: Rendition,
    form: str = "",
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    typical = TypicalCase.objects.filter(rendition=r).prefetch_related("tags").first()
    values = {k: getattr(r, k) for k in TEXT_FIELDS}
    if form == "edit" and data:
        values |= data
    edit_errors = errors if form in ("edit", "approve") else {}
    fields = form_fields(actions.RenditionEdit, values, edit_errors)
    for f in fields:
        f.label = compose.FIELD_LABELS.get(f.name, f.label)
        f.required = f.name in ("title", "subject", "summary", "organ")
        if f.name in ("summary", "basis", "explanation", "result"):
            f.kind = "textarea"
    t_data = {
        "significance": typical.significance if typical else "",
        "tags": _tags_text(typical),
        "order": typical.order if typical else 100,
    }
    if form == "typical" and data:
        t_data |= data
    typical_fields = form_fields(actions.TypicalIn, t_data, errors if form == "typical" else {})
    for f in typical_fields:
        if f.name == "tags":
            f.kind, f.value = "text", t_data["tags"] if isinstance(t_data["tags"], str) else "、".join(t_data["tags"])
    scan = r.last_scan or {}
    ctx = {
        "r": r,
        "case": r.case,
        "typical": typical,
        "fields": fields,
        "typical_fields": typical_fields,
        "known_tags": Tag.objects.all()[:50],
        "scan": scan,
        "form": form,
        "errors": errors,
        "error": first_error(errors, labels=compose.FIELD_LABELS | {"reason": "撤回理由"}),
        "withdraw_reason": (data or {}).get("reason", "") if form == "withdraw" else "",
        "outcome_labels": OUTCOME_LABELS,
        "is_draft": r.status == RenditionStatus.DRAFT,
        "is_published": r.status == RenditionStatus.PUBLISHED,
    }
    return render(request, "web/after/rendition.html", ctx, status=status)


@login_required
@require_safe
def rendition(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _read(request, pk))


def _fail(request: HttpRequest, pk: int, form: str, data: dict[str, Any], exc: ActionError) -> HttpResponse:
    if isinstance(exc, NotFound | Forbidden) and exc.field is None:
        raise Http404(MISSING)
    r = _read(request, pk)
    return _page(request, r, form, data, field_errors(exc), 400 if exc.status in (400, 404) else exc.status)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    r = _read(request, pk)
    data = {k: request.POST.get(k, "").strip() for k in TEXT_FIELDS if k in request.POST}
    changed = {k: v for k, v in data.items() if v != (getattr(r, k) or "")}
    try:
        if not changed:
            raise ActionError("没有要修改的内容")
        actions.edit_rendition(request.user, pk, changed, ip=client_ip(request), expected_version=_version(request))
    except ActionError as exc:
        return _fail(request, pk, "edit", data, exc)
    messages.success(request, "公开文本已修改并重新检查")
    return redirect("web:rendition", pk=pk)


@login_required
@require_POST
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        r = actions.scan_rendition(request.user, pk, ip=client_ip(request))
    except ActionError as exc:
        return _fail(request, pk, "scan", {}, exc)
    clean = (r.last_scan or {}).get("clean")
    messages.success(request, "去标识化检查通过" if clean else "去标识化检查发现仍有可识别信息，请修改")
    return redirect("web:rendition", pk=pk)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        r = actions.approve_rendition(request.user, pk, ip=client_ip(request), expected_version=_version(request))
    except ActionError as exc:
        return _fail(request, pk, "approve", {}, exc)
    messages.success(request, f"已审核通过并公开（{r.public_number}）")
    return redirect("web:rendition", pk=pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    data = {"reason": request.POST.get("reason", "").strip()}
    try:
        actions.withdraw_rendition(request.user, pk, data, ip=client_ip(request))
    except ActionError as exc:
        return _fail(request, pk, "withdraw", data, exc)
    messages.success(request, "已撤回公开文本，公开门户不再显示")
    return redirect("web:rendition", pk=pk)


@login_required
@require_POST
def curate(request: HttpRequest, pk: int) -> HttpResponse:
    raw_order = request.POST.get("order", "").strip()
    data: dict[str, Any] = {
        "significance": request.POST.get("significance", "").strip(),
        "tags": [t for t in TAG_SPLIT.split(request.POST.get("tags", "")) if t],
        "order": int(raw_order) if raw_order.isdigit() else (raw_order or 100),
    }
    try:
        actions.curate_typical(request.user, pk, data, ip=client_ip(request))
    except ActionError as exc:
        return _fail(request, pk, "typical", data | {"tags": "、".join(data["tags"])}, exc)
    messages.success(request, "已列入典型案例库")
    return redirect("web:rendition", pk=pk)


@login_required
@require_POST
def uncurate(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actions.remove_typical(request.user, pk, ip=client_ip(request))
    except ActionError as exc:
        return _fail(request, pk, "typical", {}, exc)
    messages.success(request, "已移出典型案例库")
    return redirect("web:rendition", pk=pk)
