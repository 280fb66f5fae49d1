"""纠错整改 pages of a decided case: the plan with its milestones, progress 「纠偏进度」, process assessments
「过程考核」, completion evidence, verification and refusal 「拒不纠错」. Reads go through the case chokepoint;
every write through rongcuo.outcomes.actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from pydantic import BaseModel

from rongcuo.cases import access
from rongcuo.cases.models import Case, Decision
from rongcuo.core.errors import ActionError, NotFound
from rongcuo.outcomes import actions, payloads
from rongcuo.outcomes.models import Assessment, CorrectionPlan

from ..forms import FormField, payload_from_post
from .after import case_or_404, field, field_errors, first_error, form_fields, ints, row_count
from .auth import client_ip

KIND_CHOICES = [("", "请选择"), ("refused", "拒不纠错"), ("failed", "整改不力，未能纠正")]
RATING_CHOICES = [("", "请选择")] + [(k, v) for k, v in Assessment.RATINGS]
PASSED_CHOICES = [("", "请选择"), ("true", "通过，纠错整改完成"), ("false", "未通过，继续整改")]


@dataclass(frozen=True)
class Verb:
    label: str
    model: type[BaseModel]
    act: Callable[..., Any]
    roles: set[str]
    statuses: tuple[str, ...]  # plan statuses in which it may be taken ("" = no plan yet)


VERBS = {
    "new": Verb("制定纠错整改方案", payloads.PlanIn, actions.create_plan, actions.PLAN_ROLES, ("",)),
    "progress": Verb("报告纠偏进度", payloads.ProgressIn, actions.report_progress, actions.PROGRESS_ROLES, ("active",)),
    "assess": Verb("过程考核", payloads.AssessmentIn, actions.assess, actions.ASSESS_ROLES, CorrectionPlan.RUNNING),
    "complete": Verb(
        "报送整改完成情况", payloads.CompletionIn, actions.submit_completion, actions.PROGRESS_ROLES, ("active",)
    ),
    "verify": Verb("核验整改完成情况", payloads.VerifyIn, actions.verify, actions.PLAN_ROLES, ("submitted",)),
    "refuse": Verb(
        "记录拒不纠错或整改不力", payloads.RefusalIn, actions.record_refusal, actions.PLAN_ROLES, CorrectionPlan.RUNNING
    ),
}


def available(roles: set[str], plan: CorrectionPlan | None, decided: bool) -> list[tuple[str, str]]:
    """(verb, label) this user may take on this plan now."""
    status = plan.status if plan else ""
    out = []
    for name, v in VERBS.items():
        if roles & v.roles and status in v.statuses and (plan is not None or decided):
            out.append((name, v.label))
    return out


def _decided(case: Case) -> bool:
    return Decision.objects.filter(case=case).exists()


@login_required
@require_safe
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    plan = None
    if CorrectionPlan.objects.filter(case=case).exists():
        plan = actions.read_plan(request.user, pk, ip=client_ip(request))  # audited read
    roles = set(access.roles_on_case(request.user, case))
    ctx = {
        "case": case,
        "plan": plan,
        "decided": _decided(case),
        "verbs": available(roles, plan, _decided(case)),
        "milestones": plan.milestones.select_related("deadline") if plan else [],
        "progress": plan.progress.select_related("milestone") if plan else [],
        "assessments": plan.assessments.select_related("milestone") if plan else [],
        "evidence_files": plan.evidence_attachments.all() if plan else [],
    }
    return render(request, "web/after/correction.html", ctx)


# --- the verb forms ------------------------------------------------------------------------------------------


def _milestone_choices(plan: CorrectionPlan | None, *, open_only: bool) -> list[tuple[str, str]]:
    rows = [("", "（不针对具体节点）")]
    if plan is not None:
        for m in plan.milestones.all():
            if open_only and m.completed_on is not None:
                continue
            rows.append((str(m.pk), f"{m.seq}. {m.title}（{m.due_on:%Y-%m-%d} 前）"))
    return rows


def _milestone_rows(post: Any, n: int, errors: dict[str, str]) -> tuple[list[dict[str, Any]], list[int]]:
    """Rows of the plan's milestone table; blank rows are left out (their indexes kept for the messages)."""
    rows, kept = [], []
    for i in range(n):
        row = {k: (post.get(f"m-{i}-{k}", "") if post else "").strip() for k in ("title", "due_on", "description")}
        rows.append(row)
        if any(row.values()):
            kept.append(i)
    return rows, kept


def _row_errors(errors: dict[str, str], kept: list[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    for key, message in list(errors.items()):
        parts = key.split(".")
        if len(parts) >= 2 and parts[0] == "milestones" and parts[1].isdigit() and int(parts[1]) < len(kept):
            out.setdefault(kept[int(parts[1])], {})[parts[2] if len(parts) > 2 else "title"] = message
    return out


def _data(verb: str, post: Any, case: Case) -> tuple[dict[str, Any], dict[str, str]]:
    """The payload input of a verb from the form, and any message found before the action is called."""
    model = VERBS[verb].model
    if verb == "new":
        data = payload_from_post(model, post, skip={"milestones"})
        rows, kept = _milestone_rows(post, row_count(post), {})
        data["milestones"] = [{k: v for k, v in rows[i].items() if v or k != "description"} for i in kept]
        return data, {}
    if verb == "complete":
        data = payload_from_post(model, post, skip={"attachment_ids"})
        data["attachment_ids"] = ints(post.getlist("attachment_ids"))
        return data, {}
    if verb == "verify":
        data = payload_from_post(model, post, skip={"passed"})
        raw = post.get("passed", "")
        if raw not in ("true", "false"):
            return data, {"passed": "请选择核验结论"}
        data["passed"] = raw == "true"
        return data, {}
    return payload_from_post(model, post), {}


def _fields(
    verb: str, plan: CorrectionPlan | None, case: Case, data: dict[str, Any], errors: dict[str, str]
) -> list[FormField]:
    model = VERBS[verb].model
    if verb == "new":
        return form_fields(model, data, errors, skip={"milestones"})
    if verb == "progress":
        fields = form_fields(model, data, errors, choices={"milestone_id": _milestone_choices(plan, open_only=True)})
        return fields
    if verb == "assess":
        choices = {"rating": RATING_CHOICES, "milestone_id": _milestone_choices(plan, open_only=False)}
        return form_fields(model, data, errors, choices=choices)
    if verb == "complete":
        files = [(str(a.pk), f"{a.filename}（#{a.pk}，{a.get_kind_display()}）") for a in case.attachments.all()]
        chosen = [str(x) for x in data.get("attachment_ids", [])]
        box = field("attachment_ids", "checkboxes", chosen, choices=files, errors=errors)
        return [*form_fields(model, data, errors, skip={"attachment_ids"}), box]
    if verb == "verify":
        passed = {True: "true", False: "false"}.get(data.get("passed"), "")  # type: ignore[arg-type]
        return [
            field("passed", "select", passed, required=True, choices=PASSED_CHOICES, errors=errors),
            *form_fields(model, data, errors, skip={"passed"}),
        ]
    return form_fields(model, data, errors, choices={"kind": KIND_CHOICES})


@login_required
@require_http_methods(["GET", "POST"])
def plan_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    case = case_or_404(request, pk)
    if verb not in VERBS:
        raise Http404("页面不存在")
    plan = CorrectionPlan.objects.filter(case=case).first()
    roles = set(access.roles_on_case(request.user, case))
    if verb not in dict(available(roles, plan, _decided(case))):
        messages.error(request, "当前不能办理该事项（整改状态已变化或您没有相应角色）")
        return redirect("web:correction", pk=pk)
    v = VERBS[verb]
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        data, errors = _data(verb, request.POST, case)
        if not errors and not request.POST.get("more"):
            try:
                v.act(request.user, pk, data, ip=client_ip(request))
            except NotFound as exc:
                if exc.field is None:
                    raise Http404("案件不存在或无权访问") from None
                errors, status = field_errors(exc), 400
            except ActionError as exc:
                errors, status = field_errors(exc), exc.status
            else:
                messages.success(request, f"操作已完成：{v.label}")
                return redirect("web:correction", pk=pk)
        status = 400 if errors and status == 200 else status
    rows, kept = _milestone_rows(request.POST if request.method == "POST" else None, row_count(request.POST), {})
    row_errors = _row_errors(errors, kept)
    fields = _fields(verb, plan, case, data, errors)
    shown = {f.name for f in fields} | {k for k in errors if k.startswith("milestones.")}
    ctx = {
        "case": case,
        "plan": plan,
        "verb": verb,
        "label": v.label,
        "fields": fields,
        "rows": [{"i": i, **row, "errors": row_errors.get(i, {})} for i, row in enumerate(rows)],
        "row_total": len(rows),
        "milestone_error": errors.get("milestones", ""),
        "error": first_error(errors, shown | {"milestones"}),
    }
    return render(request, "web/after/correction_form.html", ctx, status=status)
