"""Case list and case detail: timeline, facts checklist, live evaluation, documents, and the actions this
user may take now (each a form). Reads go through the access chokepoint; writes through actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from rongcuo.cases import access, actions, commission, evaluation, files, payloads
from rongcuo.cases.models import Case, FactValue, Outcome, StartType
from rongcuo.core.errors import ActionError, NotFound
from rongcuo.core.pagination import IdsFirst
from rongcuo.org.models import Jurisdiction
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog
from rongcuo.procedure.engine import definition

from ..forms import attachment_choices, fields_for, payload_from_post
from . import documents
from .after import field_errors, first_error
from .auth import client_ip

GROUP_TITLES = [
    ("red_line", "不予容错情形（红线）"),
    ("condition", "容错条件"),
    ("situation", "容错情形"),
    ("consequence", "后果"),
    ("local", "本地办法特有事实"),
]
PAGE_SIZE = 25


def _stage_choices() -> list[tuple[str, str]]:
    return [(s["id"], s["label"]) for s in definition()["stages"]]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = access.visible_cases(user).select_related("jurisdiction", "unit")
    f = {
        k: request.GET.get(k, "").strip()
        for k in ("stage", "start_type", "jurisdiction", "outcome", "overdue", "domain", "q", "status")
    }
    if f["stage"]:
        qs = qs.filter(stage=f["stage"])
    if f["start_type"]:
        qs = qs.filter(start_type=f["start_type"])
    if f["jurisdiction"]:
        j = Jurisdiction.objects.filter(code=f["jurisdiction"]).first()
        qs = qs.filter(jurisdiction__path__startswith=j.path) if j else qs.none()
    if f["outcome"]:
        qs = (
            qs.filter(outcome=f["outcome"])
            if f["outcome"] != "engine_undetermined"
            else qs.filter(engine_outcome="undetermined")
        )
    if f["overdue"] == "1":
        qs = qs.filter(overdue=True)
    if f["domain"]:
        qs = qs.filter(domain=f["domain"])
    if f["status"]:
        qs = qs.filter(status=f["status"])
    if f["q"]:
        qs = _search(user, qs, f["q"])
    rows = qs.defer("policies", "evaluation").order_by("-overdue", "-id")
    number = request.GET.get("page")
    page = Paginator(IdsFirst(rows, number, PAGE_SIZE), PAGE_SIZE).get_page(number)
    stage_labels = dict(_stage_choices())
    ctx = {
        "page": page,
        "f": f,
        "stages": _stage_choices(),
        "stage_labels": stage_labels,
        "start_types": StartType.choices,
        "outcomes": [(k, v) for k, v in Outcome.choices if k != "undetermined"],
        "jurisdictions": Jurisdiction.objects.filter(code__in=_scope_codes(user)).order_by("path"),
        "domains": payloads.DOMAINS,
        "query": request.GET.copy(),
    }
    ctx["query"].pop("page", None)
    return render(request, "web/case_list.html", ctx)


def _scope_codes(user) -> set[str]:  # type: ignore[no-untyped-def]
    codes: set[str] = set()
    for g in access.grants(user):
        codes |= g.jurisdiction_codes
    return codes


def _search(user, qs, q: str):  # type: ignore[no-untyped-def]
    """Chinese full-text search (jieba + FTS, scoped by the search app through visible_cases), plus exact
    case-number and title matches."""
    from django.db.models import Q

    from rongcuo.search.query import search_cases

    hits = search_cases(user, q, limit=500)
    ids = [h.case.pk for h in hits.items]
    return qs.filter(Q(pk__in=ids) | Q(number__icontains=q) | Q(title__icontains=q))


def _calendar_years() -> str:
    from rongcuo.procedure.workdays import known_years

    years = known_years()
    return f"{years.start}—{years.stop - 1}年"


def _detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = request.user
    facts = {
        fv.fact: fv
        for fv in FactValue.objects.filter(case=case)
        .select_related("set_by")
        .prefetch_related(Prefetch("attachments"), Prefetch("interviews"))
    }
    versions = evaluation.pinned_versions(case, {k: v.value for k, v in facts.items()})
    cat = catalog()
    used: dict[str, Any] = {}
    for v in versions:
        for fid in v.facts_used():
            fact = v.fact(fid)
            if fact is not None:
                used.setdefault(fid, fact)
    groups = []
    for key, title in GROUP_TITLES:
        rows = [{"fact": f, "value": facts.get(fid)} for fid, f in used.items() if f.group == key]
        rows.sort(key=lambda r: r["fact"].order)
        if rows:
            groups.append({"title": title, "rows": rows})
    proc = case.procedure
    stage_label = next((s["label"] for s in proc.get("stages", []) if s["id"] == case.stage), case.stage)
    verbs = actions.available_verbs(user, case)
    roles = set(access.roles_on_case(user, case))
    can_set_facts = bool(roles & actions.FACT_ROLES) and case.stage in actions.FACT_STAGES
    return {
        "case": case,
        "stage_label": stage_label,
        "groups": groups,
        "evaluation": evaluation.governance(case, case.evaluation or []),
        "calendar_years": _calendar_years(),
        "awaiting": commission.awaiting(case),
        "documents": documents.case_documents(user, case, client_ip(request)),
        "can_issue": bool(documents.issuable(user, case)),
        "commission_forms": [
            {
                "role": role,
                "label": commission.COMMISSIONED[role][1],
                "register": commission.register(role),
                "current": [str(u) for u in commission.commissioned(case, role)],
            }
            for role in commission.may_commission(user, case)
        ],
        "events": case.events.select_related("actor").order_by("at", "id"),
        "deadlines": case.deadlines.all(),
        "attachments": case.attachments.all(),
        "interviews": case.interviews.all(),
        "decision": getattr(case, "decision", None),
        "appeals": case.appeals.all(),
        "verbs": verbs,
        "can_set_facts": can_set_facts,
        "can_upload": bool(roles & actions.UPLOAD_ROLES) and case.status == "open",
        "outcome_labels": OUTCOME_LABELS,
        "stages": proc.get("stages", []),
        "facts_catalog": cat.facts,
        "roles": roles,
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = actions.read_case(request.user, pk, ip=client_ip(request))
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    return render(request, "web/case_detail.html", _detail_context(request, case))


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    try:
        case = access.access_case(request.user, pk)
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    model = payloads.VERB_PAYLOADS.get(verb)
    allowed = {v["verb"]: v["label"] for v in actions.available_verbs(request.user, case)}
    if model is None or verb not in allowed:
        messages.error(request, "当前不能执行该操作（环节已变化或您没有相应角色）")
        return redirect("web:case_detail", pk=pk)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = payload_from_post(model, request.POST)
        try:
            actions.transition(
                request.user, pk, verb, data, ip=client_ip(request), expected_version=_int(request.POST.get("version"))
            )
        except ActionError as exc:
            errors.update(field_errors(exc))
            if exc.status == 409:
                messages.error(request, exc.message)
                return redirect("web:case_detail", pk=pk)
        else:
            messages.success(request, f"操作已完成：{allowed[verb]}")
            return redirect("web:case_detail", pk=pk)
    fields = _action_fields(case, verb, model, data, errors)
    ctx = {
        "case": case,
        "verb": verb,
        "label": allowed[verb],
        "fields": fields,
        "error": first_error(errors, {f.name for f in fields}, {f.name: f.label for f in fields}),
        "evaluation": case.evaluation,
        "outcome_labels": OUTCOME_LABELS,
        "departs": actions.finding_departs(case, verb),
        "ticks": any(f.kind == "checkboxes" for f in fields),
    }
    return render(request, "web/case_action.html", ctx, status=400 if errors else 200)


# Label of the reason a preliminary finding against the live rule result must give (as 集体研判's).
FINDING_REASON = "与规则结果不一致的理由"


def _action_fields(case: Case, verb: str, model: Any, data: dict[str, Any], errors: dict[str, str]) -> list[Any]:
    """The verb's form: evidence is ticked from the case's own attachments; a preliminary finding asks for
    its reason only where it would go against the live rule result (and then requires it)."""
    ticks = {}
    if "attachment_ids" in model.model_fields:
        ticks["attachment_ids"] = attachment_choices(case.attachments.all())
    skip: set[str] = set()
    departs = actions.finding_departs(case, verb)
    asked = departs or data.get("departure_reason") or "departure_reason" in errors
    if verb in actions.FINDING_AGAINST and not asked:
        skip.add("departure_reason")
    fields = fields_for(model, data, errors, skip=skip, ticks=ticks)
    for f in fields:
        if f.name == "departure_reason" and verb in actions.FINDING_AGAINST:
            f.label, f.required = FINDING_REASON, departs
    return fields


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@require_POST
def set_fact(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("value", "")
    value = {"true": True, "false": False, "": None}.get(raw, "invalid")
    data = {"fact": request.POST.get("fact", ""), "value": value, "comment": request.POST.get("comment", "")}
    ids = [int(x) for x in request.POST.getlist("attachment_ids") if x.isdigit()]
    if ids:
        data["attachment_ids"] = ids
    try:
        actions.set_fact(request.user, pk, data, ip=client_ip(request))
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "事实已更新，评估结论已重新计算")
    return redirect(f"/cases/{pk}/#facts")


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择要上传的文件")
        return redirect("web:case_detail", pk=pk)
    try:
        actions.add_attachment(
            request.user, pk, f.name, f.read(), request.POST.get("kind", "evidence"), ip=client_ip(request)
        )
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "附件已上传")
    return redirect("web:case_detail", pk=pk)


@login_required
@require_POST
def add_interview(request: HttpRequest, pk: int) -> HttpResponse:
    data = {k: request.POST.get(k, "") for k in ("interviewee", "held_on", "content")}
    try:
        actions.add_interview(request.user, pk, data, ip=client_ip(request))
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "走访记录已保存")
    return redirect("web:case_detail", pk=pk)


@login_required
@require_POST
def commission_post(request: HttpRequest, pk: int) -> HttpResponse:
    data = {k: request.POST.get(k, "") for k in ("role", "user_id", "note")}
    try:
        grant = commission.commission(request.user, pk, data, ip=client_ip(request))
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已委托{grant.user}为本案{commission.COMMISSIONED[grant.role][1]}")
    return redirect("web:case_detail", pk=pk)


@login_required
def download(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    try:
        case = actions.read_case(request.user, pk, ip=client_ip(request))
    except NotFound:
        raise Http404("案件不存在或无权访问") from None
    a = case.attachments.filter(pk=att).first()
    if a is None:
        raise Http404("附件不存在")
    resp = HttpResponse(files.read(a.storage_name), content_type=a.content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(a.filename)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
