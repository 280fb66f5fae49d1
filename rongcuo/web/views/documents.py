"""Documents on the case page: the case's issued documents with their downloads, issuing a document of a
kind the user's role issues (its form generated from the kind's inputs), and the issuing bodies (发文机关,
机关代字) of the user's jurisdictions. Every read and write goes through rongcuo.documents.actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rongcuo.audit.chain import Actor
from rongcuo.cases import access
from rongcuo.core.errors import ActionError, NotFound
from rongcuo.documents import actions as docs
from rongcuo.documents import kinds
from rongcuo.documents.models import IssuingBody
from rongcuo.org.models import Jurisdiction

from ..forms import fields_for, payload_from_post
from .after import field_errors, first_error
from .auth import client_ip

BODY_ROLES = {"secretary", "handler"}  # who keeps the issuing bodies of their jurisdictions
FORMATS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "pdf": ("application/pdf", ".pdf"),
}


def issuable(user: Any, case: Any) -> list[kinds.Kind]:
    """The kinds of case documents this user's roles on the case may issue."""
    roles = set(access.roles_on_case(user, case))
    return [k for k in kinds.all_kinds() if k.source in ("case", "rendition") and roles & set(k.roles)]


def case_documents(user: Any, case: Any, ip: str) -> list[Any]:
    try:
        return docs.list_documents(user, case.pk, ip=ip)
    except NotFound:
        return []


@login_required
@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = access.access_case(request.user, pk)
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    allowed = {k.id: k for k in issuable(request.user, case)}
    if not allowed:
        messages.error(request, "您在本案中没有制发文书的角色")
        return redirect("web:case_detail", pk=pk)
    kind = allowed.get(request.GET.get("kind") or request.POST.get("kind") or "")
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if kind is not None and request.method == "POST":
        data = payload_from_post(kind.inputs, request.POST) if kind.inputs else {}
        try:
            doc = docs.issue_document(request.user, pk, kind.id, data, ip=client_ip(request))
        except ActionError as exc:
            errors.update(field_errors(exc))
        else:
            messages.success(request, f"已制发《{doc.title}》" + (f"（{doc.number}）" if doc.number else ""))
            return redirect(f"/cases/{pk}/#docs-h")
    ctx = {
        "case": case,
        "kinds": list(allowed.values()),
        "kind": kind,
        "fields": (fields := fields_for(kind.inputs, data, errors) if kind and kind.inputs else []),
        "error": first_error(errors, {f.name for f in fields}, {f.name: f.label for f in fields}),
        "body_missing": "body_id" in errors,
    }
    return render(request, "web/documents/issue.html", ctx, status=400 if errors else 200)


@login_required
def download(request: HttpRequest, doc_id: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("格式不存在")
    try:
        doc, content = docs.read_document(request.user, doc_id, fmt, ip=client_ip(request))
    except NotFound:
        raise Http404("文书不存在或无权访问") from None
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:workbench")
    content_type, ext = FORMATS[fmt]
    resp = HttpResponse(content, content_type=content_type)
    name = (doc.number or doc.title)[:80] + ext
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _body_roles(user: Any) -> dict[str, str]:
    """The jurisdictions at the root of the user's grants of a body-keeping role -> that role."""
    out: dict[str, str] = {}
    for g in access.grants(user):
        if g.role in BODY_ROLES and g.kind == "jurisdiction" and g.root_path:
            out.setdefault(g.root_path.strip("/").split("/")[-1], g.role)
    return out


def _body_jurisdictions(user: Any) -> list[Jurisdiction]:
    return list(Jurisdiction.objects.filter(code__in=list(_body_roles(user))).order_by("code"))


@login_required
@require_http_methods(["GET", "POST"])
def bodies(request: HttpRequest) -> HttpResponse:
    places = _body_jurisdictions(request.user)
    if not places:
        raise Http404("没有可设置的发文机关")
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("jurisdiction", "name", "mark", "code", "signer", "cc")}
        labels = {
            "name": "发文机关全称",
            "mark": "发文机关标志",
            "code": "机关代字",
            "signer": "签发人",
            "cc": "抄送机关",
        }
        for key, label in labels.items():
            limit = IssuingBody._meta.get_field(key).max_length
            if len(form[key]) > limit:
                errors[key] = f"{label}不能超过{limit}个字"
        if form["jurisdiction"] not in {j.code for j in places}:
            errors["jurisdiction"] = "请选择您负责的地区"
        if errors:
            pass
        else:
            role = _body_roles(request.user)[form["jurisdiction"]]
            actor = Actor(request.user.pk, request.user.username, role, client_ip(request))
            try:
                body = docs.set_issuing_body(
                    actor,
                    form["jurisdiction"],
                    name=form["name"],
                    mark=form["mark"],
                    code=form["code"],
                    signer=form["signer"],
                    cc=form["cc"],
                )
            except ActionError as exc:
                errors[exc.field or "__all__"] = exc.message
            else:
                messages.success(request, f"已设置发文机关：{body.name}（机关代字 {body.code}）")
                return redirect("web:document_bodies")
    current = {b.jurisdiction_id: b for b in IssuingBody.objects.filter(jurisdiction__in=places, active=True)}
    rows = [{"j": j, "body": current.get(j.code)} for j in places]
    ctx = {"rows": rows, "places": places, "form": form, "errors": errors, "error": next(iter(errors.values()), "")}
    return render(request, "web/documents/bodies.html", ctx, status=400 if errors else 200)
