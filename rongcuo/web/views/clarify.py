"""检举控告 and 澄清正名 pages: register a report with its specific matters, record the verifying organ's finding
on each matter 「谁核实」, clarify the matters found untrue with the chosen methods 「谁澄清」 (a written one
always), and refer malicious false accusation 「诬告陷害」. Every verb is rongcuo.outcomes.clearing's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rongcuo.cases import access
from rongcuo.core.errors import ActionError, NotFound
from rongcuo.org.models import Cadre
from rongcuo.outcomes import clearing
from rongcuo.outcomes.models import CLEARABLE, Clarification, Finding, Report

from .after import field_errors, first_error, ints, maybe_int, row_count
from .auth import client_ip

PAGE_SIZE = 25
CADRE_LIMIT = 200
CHANNELS = ["来信", "来访", "电话", "网络举报", "上级转办", "巡视巡察移交", "审计移交"]
FINDINGS = [(k, v) for k, v in Finding.choices if k != Finding.PENDING]
MALICIOUS = {Finding.FABRICATED, Finding.FALSE_ACCUSATION}


def _codes(request: HttpRequest, roles: set[str]) -> set[str]:
    return access.jurisdictions_for(request.user, roles)


def _cadres(codes: set[str], q: str) -> tuple[list[Cadre], bool]:
    qs = Cadre.objects.filter(unit__jurisdiction_id__in=codes).select_related("unit").order_by("name", "id")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    rows = list(qs[: CADRE_LIMIT + 1])
    return rows[:CADRE_LIMIT], len(rows) > CADRE_LIMIT


def _matter_rows(post: Any, n: int) -> tuple[list[dict[str, str]], list[int]]:
    rows, kept = [], []
    for i in range(n):
        row = {k: (post.get(f"r-{i}-{k}", "") if post else "").strip() for k in ("text", "case")}
        rows.append(row)
        if any(row.values()):
            kept.append(i)
    return rows, kept


def _register(request: HttpRequest) -> tuple[Report | None, dict[str, Any], dict[str, str], list[int]]:
    post = request.POST
    data: dict[str, Any] = {k: post.get(k, "").strip() for k in ("received_on", "channel", "summary", "informant")}
    data["cadre_id"] = maybe_int(post.get("cadre_id"))
    rows, kept = _matter_rows(post, row_count(post, 2))
    if data["cadre_id"] is None:
        return None, data, {"cadre_id": "请选择被反映干部"}, kept
    matters = []
    visible = access.visible_cases(request.user)
    for j, i in enumerate(kept):
        item: dict[str, Any] = {"text": rows[i]["text"]}
        number = rows[i]["case"]
        if number:
            pk = visible.filter(number=number).values_list("pk", flat=True).first()
            if pk is None:
                return None, data, {f"matters.{j}.case_id": "案件编号不存在或无权访问"}, kept
            item["case_id"] = pk
        matters.append(item)
    data["matters"] = matters
    try:
        report = clearing.register_report(request.user, data, ip=client_ip(request))
    except ActionError as exc:
        return None, data, field_errors(exc), kept
    return report, data, {}, kept


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    """检举控告 of my jurisdictions (handler, secretary); the handler registers new ones here."""
    if not _codes(request, clearing.READ_ROLES):
        raise Http404("页面不存在")
    handler_codes = _codes(request, clearing.REPORT_ROLES)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"received_on": timezone.localdate().isoformat()}
    kept: list[int] = []
    status = 200
    if request.method == "POST":
        if not handler_codes:
            raise Http404("页面不存在")
        data = {
            k: request.POST.get(k, "").strip() for k in ("received_on", "channel", "summary", "informant", "cadre_id")
        }
        if not request.POST.get("more"):
            report, data, errors, kept = _register(request)
            if report is not None:
                repeats = report.matters.filter(repeat_of__isnull=False).count()
                extra = f"；其中 {repeats} 项与已办结事项重复，请注意" if repeats else ""
                messages.success(request, f"已登记检举控告 {report.number}{extra}")
                return redirect("web:report", pk=report.pk)
            status = 400
    q = request.GET.get("q", "").strip()[:64]
    listed = clearing.list_reports(request.user, ip=client_ip(request))
    if request.GET.get("status") in ("verifying", "concluded"):
        listed = listed.filter(status=request.GET["status"])
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    post = request.POST if request.method == "POST" else None
    rows, kept = _matter_rows(post, row_count(request.POST, 2))
    row_errors: dict[int, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "matters" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(kept):
            row_errors[kept[int(parts[1])]] = message
    cadres, more = _cadres(handler_codes, q) if handler_codes else ([], False)
    shown = {"cadre_id", "received_on", "channel", "summary", "informant", "matters"}
    ctx = {
        "page": page,
        "status": request.GET.get("status", ""),
        "query": f"status={request.GET['status']}" if request.GET.get("status") in ("verifying", "concluded") else "",
        "can_register": bool(handler_codes),
        "cadres": cadres,
        "more_cadres": more,
        "limit": CADRE_LIMIT,
        "q": q,
        "data": data,
        "errors": errors,
        "error": first_error(errors, shown | {k for k in errors if k.startswith("matters.")}),
        "rows": [{"i": i, **r, "error": row_errors.get(i, "")} for i, r in enumerate(rows)],
        "row_total": len(rows),
        "channels": CHANNELS,
    }
    return render(request, "web/after/reports.html", ctx, status=status)


# --- one report -------------------------------------------------------------------------------------------------


def _report_or_404(request: HttpRequest, pk: int) -> Report:
    try:
        return clearing.read_report(request.user, pk, ip=client_ip(request))
    except NotFound:
        raise Http404("检举控告不存在或无权访问") from None


def _detail(
    request: HttpRequest,
    report: Report,
    form: str = "",
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    matters = list(report.matters.select_related("repeat_of__report", "case", "cleared_by"))
    can_act = report.jurisdiction_id in access.jurisdictions_for(request.user, clearing.REPORT_ROLES)
    clearable = [m for m in matters if m.finding in CLEARABLE and m.cleared_by_id is None]
    malicious = any(m.finding in MALICIOUS for m in matters)
    forms: dict[str, dict[str, Any]] = {k: {"data": {}, "errors": {}} for k in ("conclude", "clarify", "refer")}
    if form:
        forms[form] = {"data": data or {}, "errors": errors or {}}
    given = {f["matter_id"]: f for f in forms["conclude"]["data"].get("findings", [])}
    ctx = {
        "report": report,
        "matters": matters,
        "finding_rows": [{"m": m, **given.get(m.pk, {})} for m in matters],
        "clarifications": report.clarifications.all(),
        "can_conclude": can_act and report.status == "verifying",
        "can_clarify": can_act and report.status == "concluded" and bool(clearable),
        "can_refer": can_act and report.status == "concluded" and malicious and not report.false_accusation_referred,
        "clearable": clearable,
        "findings": FINDINGS,
        "methods": list(Clarification.METHODS.items()),
        "form": form,
        "forms": forms,
        "error": first_error(errors or {}, labels={"note": "移送说明", "organ": "核实机关"}),
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "web/after/report_detail.html", ctx, status=status)


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _report_or_404(request, pk))


def _post_verb(request: HttpRequest, pk: int, form: str, build: Any, act: Any, done: str) -> HttpResponse:
    rep = _report_or_404(request, pk)
    data = build(request.POST, rep)
    try:
        act(request.user, pk, data, ip=client_ip(request))
    except NotFound as exc:
        if exc.field is None:
            raise Http404("检举控告不存在或无权访问") from None
        return _detail(request, rep, form, data, field_errors(exc), 400)
    except ActionError as exc:
        rep.refresh_from_db()
        return _detail(request, rep, form, data, field_errors(exc), exc.status)
    messages.success(request, done)
    return redirect("web:report", pk=pk)


def _conclusion(post: Any, rep: Report) -> dict[str, Any]:
    findings = []
    for m in rep.matters.all():
        value = post.get(f"finding-{m.pk}", "")
        if value:
            findings.append({"matter_id": m.pk, "finding": value, "note": post.get(f"note-{m.pk}", "").strip()})
    return {
        "organ": post.get("organ", "").strip(),
        "concluded_on": post.get("concluded_on", "").strip(),
        "conclusion": post.get("conclusion", "").strip(),
        "findings": findings,
    }


def _clarification(post: Any, rep: Report) -> dict[str, Any]:
    data: dict[str, Any] = {
        k: post.get(k, "").strip() for k in ("scope", "written_text", "held_on", "referred_to", "referral_note")
    }
    data["matter_ids"] = ints(post.getlist("matter_ids"))
    data["methods"] = post.getlist("methods")
    data["organ"] = rep.verified_by_organ
    data["refer_false_accusation"] = post.get("refer_false_accusation") == "on"
    return data


def _referral(post: Any, rep: Report) -> dict[str, Any]:
    return {k: post.get(k, "").strip() for k in ("referred_to", "note", "referred_on")}


@login_required
@require_POST
def conclude(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_verb(request, pk, "conclude", _conclusion, clearing.conclude, "已记录核实结论，检举控告核实办结")


@login_required
@require_POST
def clarify(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_verb(request, pk, "clarify", _clarification, clearing.clarify, "已澄清正名")


@login_required
@require_POST
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_verb(request, pk, "refer", _referral, clearing.refer_false_accusation, "已移送诬告陷害线索")
