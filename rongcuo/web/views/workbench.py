"""工作台: my tasks with deadlines in working days (overdue first) and recent activity in my scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from rongcuo.cases import access
from rongcuo.cases.recent import recent_events
from rongcuo.core.pagination import rows_by_ids
from rongcuo.procedure.engine import definition
from rongcuo.procedure.workdays import working_days_between

TASK_LIMIT = 50
# The three administrators have no cases and no tasks: their work is their console.
CONSOLES = (
    ("sysadmin", "web:console_accounts"),
    ("secadmin", "web:console_grants"),
    ("auditadmin", "web:console_audit"),
)


def actionable_stages(roles: set[str]) -> set[str]:
    """Stages in which someone holding these roles has a verb to take (from the default procedure)."""
    out: set[str] = set()
    for verb in definition()["verbs"].values():
        if roles & set(verb["roles"]):
            out.update(verb["from"])
    return out


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = access.role_names(user)
    if roles and roles <= {r for r, _ in CONSOLES}:
        return redirect(next(url for r, url in CONSOLES if r in roles))
    today = timezone.localdate()
    stages = actionable_stages(roles)
    tasks = []
    if stages:
        qs = (
            access.visible_cases(user)
            .filter(status="open", stage__in=stages)
            .select_related("jurisdiction", "unit")
            .defer("evaluation")
            .order_by("-overdue", "stage_due_on", "id")
        )
        for case in rows_by_ids(qs, 0, TASK_LIMIT):
            from rongcuo.cases.actions import available_verbs

            verbs = available_verbs(user, case)
            if not verbs:
                continue
            left = None
            if case.stage_due_on:
                left = (
                    working_days_between(today, case.stage_due_on)
                    if case.stage_due_on >= today
                    else -(working_days_between(case.stage_due_on, today))
                )
            tasks.append(
                {"case": case, "verbs": verbs, "left": left, "stage_label": case.procedure and _stage_label(case)}
            )
    events = recent_events(user, 20)
    return render(request, "web/workbench.html", {"tasks": tasks, "events": events, "roles": sorted(roles)})


def _stage_label(case) -> str:  # type: ignore[no-untyped-def]
    for s in case.procedure.get("stages", []):
        if s["id"] == case.stage:
            return s["label"]
    return case.stage
