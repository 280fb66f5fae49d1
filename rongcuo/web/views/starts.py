"""How cases start: applications (cadre or unit), accountability matters (主动容错), pre-filings 事前报备."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rongcuo.cases import access, actions, evaluation, payloads
from rongcuo.cases.models import Attachment, Case
from rongcuo.core.errors import ActionError, Invalid, NotFound
from rongcuo.org.models import AccountabilityMatter, Cadre, Unit

from ..forms import fields_for, payload_from_post
from .after import field_errors, first_error
from .auth import client_ip


def _units(user) -> list[Unit]:  # type: ignore[no-untyped-def]
    qs = Unit.objects.filter(pk__in=access.units_for(user, {"unit_contact"})).select_related("jurisdiction")
    return list(qs.order_by("path"))


# At most this many files go with one application; more are sent from the case page afterwards.
MAX_APPLY_FILES = 10
# Longer checklist items are cut here: the page shows what to address, the measure's page the whole text.
ITEM_CHARS = 90


def _item(node) -> str:  # type: ignore[no-untyped-def]
    text = (node.text or node.label or "").strip().rstrip("。；;，,")
    return text if len(text) <= ITEM_CHARS else text[:ITEM_CHARS] + "……"


def _measure(version) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What an applicant reads of the measure that will apply: its title, and its 容错条件 and 容错情形 as
    the checklist the written statement should answer."""
    situations = [n for n in version.nodes["situations"] if not n.virtual]
    return {
        "title": version.display_title(),
        "version": version.version,
        "effective_from": version.effective_from,
        "partial": version.partial,
        "conditions": [_item(n) for n in version.nodes["conditions"] if not n.virtual],
        "situations": [_item(n) for n in situations],
        "open": len(situations) != len(version.nodes["situations"]),
    }


def _applicable(units: list[Unit], conduct_date: dt.date | None) -> list[dict[str, Any]]:
    """For each place the applicant may apply from, the measure the case will be decided under: the most
    local one in force (evaluation.pin_versions / pinned_versions, as filing pins it), one entry per place."""
    today = timezone.localdate()
    by_place: dict[str, dict[str, Any]] = {}
    for unit in units:
        place = unit.jurisdiction
        if place.code in by_place:
            by_place[place.code]["units"].append(unit.name)
            continue
        probe = Case(jurisdiction=place, policies=evaluation.pin_versions(place, conduct_date, today))
        versions = evaluation.pinned_versions(probe)
        by_place[place.code] = {
            "place": place.name,
            "units": [unit.name],
            "measure": _measure(versions[0]) if versions else None,
            "others": len(versions) - 1,
        }
    return list(by_place.values())


def _day(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def _discard(storage_names: list[str]) -> None:
    """Files written for attachments whose rows were rolled back: nothing of a refused application stays."""
    folder = Path(settings.RONGCUO_ATTACHMENT_DIR)
    for name in storage_names:
        if name.isalnum():
            (folder / name).unlink(missing_ok=True)


def _submit(request: HttpRequest, data: dict[str, Any], uploads: list[Any], kind: str) -> Case:
    """The application and its files in one transaction: a refused file refuses the whole application (and
    the refusal is audited once, as the application's)."""
    user, ip = request.user, client_ip(request)
    if len(uploads) > MAX_APPLY_FILES:
        raise Invalid(f"随申请一次至多上传 {MAX_APPLY_FILES} 个附件，其余请立案后在案件页上传", field="files")
    stored: list[str] = []
    try:
        with actions.attempt(user, "case.apply", "case", "", ip):
            case = actions.submit_application(user, data, ip=ip)
            for f in uploads:
                try:
                    att = actions.add_attachment(user, case.pk, f.name, f.read(), kind, ip=ip)
                except ActionError as exc:
                    field = "attachment_kind" if exc.field == "kind" else "files"
                    raise Invalid(f"{exc.message}；申请未提交，请更换该文件后重新选择附件提交", field=field) from None
                stored.append(att.storage_name)
    except Exception:
        _discard(stored)
        raise
    return case


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """依申请容错: a cadre applies for themself (through the unit committee), or a unit contact for the unit;
    the page names the measure that will apply and what the statement should answer, and takes the files."""
    user = request.user
    roles = access.role_names(user)
    as_unit = "unit_contact" in roles and (request.GET.get("as") == "unit" or "applicant" not in roles)
    if not ({"applicant", "unit_contact"} & roles):
        raise Http404("您没有申请容错的角色")
    units = _units(user)
    cadres = list(
        Cadre.objects.filter(pk__in=access.cadres_for(user, {"applicant"})).select_related("unit__jurisdiction")
    )
    skip = {"cadre_id"} if as_unit else {"unit_id", "self_check", "cadre_id", "pre_filing_id"}
    matters = AccountabilityMatter.objects.filter(status="open")
    matters = matters.filter(unit__in=units) if as_unit else matters.filter(cadre__in=cadres)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    kind = request.POST.get("attachment_kind", "application")
    if request.method == "POST":
        data = payload_from_post(payloads.ApplicationIn, request.POST, skip=skip)
        for key in ("matter_id", "unit_id", "pre_filing_id"):
            if key in data and isinstance(data[key], str) and data[key].isdigit():
                data[key] = int(data[key])
        try:
            case = _submit(request, data, request.FILES.getlist("files"), kind)
        except ActionError as exc:
            errors.update(field_errors(exc))
        else:
            count = len(request.FILES.getlist("files"))
            messages.success(request, f"申请已提交，案号 {case.number}" + (f"，附件 {count} 个" if count else ""))
            return redirect("web:case_detail", pk=case.pk)
    fields = fields_for(payloads.ApplicationIn, data, errors, skip=skip | {"matter_id", "unit_id", "pre_filing_id"})
    extra = {"unit_id": "申请单位", "matter_id": "所涉问责事项", "files": "附件", "attachment_kind": "附件类别"}
    labels = {f.name: f.label for f in fields} | extra
    shown = {f.name for f in fields} | set(extra)
    own_units = units if as_unit else list(dict.fromkeys(c.unit for c in cadres))
    ctx = {
        "fields": fields,
        "as_unit": as_unit,
        "units": units,
        "matters": matters,
        "data": data,
        "prefilings": actions.visible_prefilings(user).filter(status="acknowledged") if as_unit else [],
        "applicable": _applicable(own_units, _day(data.get("conduct_date"))),
        "kinds": Attachment.KINDS,
        "kind": kind,
        "max_files": MAX_APPLY_FILES,
        "error": first_error(errors, shown, labels),
        "errors": errors,
    }
    return render(request, "web/apply.html", ctx, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def matters(request: HttpRequest) -> HttpResponse:
    """问责事项 of the handler's jurisdictions; recording one opens a proactive review where a policy says so."""
    user = request.user
    codes = access.jurisdictions_for(user, {"handler"})
    if not codes:
        raise Http404("您没有登记问责事项的角色")
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = payload_from_post(payloads.MatterIn, request.POST, skip={"unit_id", "cadre_id"})
        for key in ("unit_id", "cadre_id"):
            raw = request.POST.get(key, "")
            if raw.isdigit():
                data[key] = int(raw)
        try:
            _matter, case = actions.open_matter(user, data, ip=client_ip(request))
        except ActionError as exc:
            errors.update(field_errors(exc))
        else:
            if case is not None:
                messages.success(request, f"问责事项已登记，并同步启动容错审查（{case.number}）")
                return redirect("web:case_detail", pk=case.pk)
            messages.success(request, "问责事项已登记")
            return redirect("web:matters")
    rows = (
        AccountabilityMatter.objects.filter(jurisdiction_id__in=codes)
        .select_related("unit", "cadre")
        .order_by("-id")[:100]
    )
    units = Unit.objects.filter(jurisdiction_id__in=codes).order_by("path")[:500]
    cadres = Cadre.objects.filter(unit__jurisdiction_id__in=codes).select_related("unit").order_by("id")[:500]
    ctx = {
        "rows": rows,
        "units": units,
        "cadres": cadres,
        "data": data,
        "errors": errors,
        "fields": (fields := fields_for(payloads.MatterIn, data, errors, skip={"unit_id", "cadre_id"})),
        "error": first_error(
            errors, {f.name for f in fields} | {"unit_id"}, {f.name: f.label for f in fields} | {"unit_id": "单位"}
        ),
    }
    return render(request, "web/matters.html", ctx, status=400 if errors else 200)


@login_required
@require_POST
def open_proactive(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = actions.open_proactive(request.user, pk, ip=client_ip(request))
    except NotFound:
        raise Http404("问责事项不存在或无权访问") from None
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:matters")
    messages.success(request, f"已主动启动容错审查（{case.number}）")
    return redirect("web:case_detail", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def prefilings(request: HttpRequest) -> HttpResponse:
    """事前报备: units file risky innovative measures; the handler acknowledges or returns them."""
    user = request.user
    units = _units(user)
    can_file = bool(units)
    can_review = bool(access.jurisdictions_for(user, {"handler"}))
    if not (can_file or can_review or access.units_for(user, {"unit_reviewer"})):
        raise Http404("您没有事前报备相关的角色")
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if request.method == "POST" and can_file:
        data = payload_from_post(payloads.PreFilingIn, request.POST, skip={"unit_id"})
        raw = request.POST.get("unit_id", "")
        data["unit_id"] = int(raw) if raw.isdigit() else None
        try:
            pre = actions.submit_prefiling(user, data, ip=client_ip(request))
        except ActionError as exc:
            errors.update(field_errors(exc))
        else:
            messages.success(request, f"已报备，编号 {pre.number}；受理机关将在1个工作日内初审")
            return redirect("web:prefilings")
    rows = actions.visible_prefilings(user).select_related("unit").order_by("-id")[:100]
    ctx = {
        "rows": rows,
        "units": units,
        "can_file": can_file,
        "can_review": can_review,
        "errors": errors,
        "fields": (fields := fields_for(payloads.PreFilingIn, data, errors, skip={"unit_id"})),
        "error": first_error(errors, {f.name for f in fields}, {f.name: f.label for f in fields}),
    }
    return render(request, "web/prefilings.html", ctx, status=400 if errors else 200)


@login_required
@require_POST
def review_prefiling(request: HttpRequest, pk: int) -> HttpResponse:
    acknowledge = request.POST.get("decision") == "acknowledge"
    try:
        pre = actions.review_prefiling(
            request.user, pk, acknowledge=acknowledge, response=request.POST.get("response", ""), ip=client_ip(request)
        )
    except NotFound:
        raise Http404("报备不存在或无权访问") from None
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{pre.number} 已{'受理' if acknowledge else '退回'}")
    return redirect("web:prefilings")
