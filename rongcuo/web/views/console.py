"""Consoles of the three separated administrators 「三员分立」, each seeing only its own functions:

- /console/accounts/ 系统管理员: list, create, enable and disable accounts; reset a password or a lost second
  factor (not of administrators);
- /console/grants/   安全管理员: accounts with their roles; grant a role with its scope; revoke;
- /console/audit/    审计管理员: the audit log with filters, chain verification, checkpoints and their export.

Every console answers 404 to anyone without its administrator role, and none shows case contents (the audit
log withholds case-timeline summaries exactly as the API does). Writes go through rongcuo.accounts.actions;
the audit pages reuse rongcuo.audit.api/verify.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from pydantic import ValidationError

from rongcuo.accounts import actions as accounts
from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.accounts.roles import SCOPE, Role
from rongcuo.audit import labels
from rongcuo.audit.api import AuditQuery, filter_records, record_dict
from rongcuo.audit.chain import Actor, append
from rongcuo.audit.models import AuditCheckpoint, AuditRecord
from rongcuo.audit.verify import check_checkpoints, export_checkpoints, verify_chain
from rongcuo.cases import access
from rongcuo.cases.models import Case
from rongcuo.core.errors import ActionError
from rongcuo.org.models import Cadre, Jurisdiction, Unit

from .after import field, field_errors, first_error
from .auth import client_ip

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
OPTION_LIMIT = 200
SCOPE_HELP = {
    "jurisdiction": "管辖区划",
    "unit": "单位",
    "cadre": "干部本人",
    "case": "案件编号",
    "none": "（无须范围）",
}


def _admin(request: HttpRequest, role: str) -> User:
    """The console exists only for its administrator: everyone else gets the same 404 as a missing page."""
    if role not in access.role_names(request.user):
        raise Http404("页面不存在")
    return request.user


def _accounts(q: str, active: str = "") -> QuerySet[User]:
    roles = RoleAssignment.objects.filter(revoked_at__isnull=True).select_related(
        "jurisdiction", "unit", "cadre", "case"
    )
    qs = User.objects.prefetch_related(Prefetch("assignments", queryset=roles.order_by("id"), to_attr="active_roles"))
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by("username")


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- 系统管理员: accounts ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def accounts_console(request: HttpRequest) -> HttpResponse:
    admin = _admin(request, Role.SYSADMIN)
    errors: dict[str, str] = {}
    data = {"username": "", "display_name": "", "must_change_password": True}
    if request.method == "POST":
        data = {
            "username": request.POST.get("username", "").strip(),
            "display_name": request.POST.get("display_name", "").strip()[:64],
            "must_change_password": request.POST.get("must_change_password") == "on",
        }
        password = request.POST.get("password", "")
        if password != request.POST.get("password2", ""):
            errors["password2"] = "两次输入的密码不一致"
        elif not password:
            errors["password"] = "请设置初始密码"
        else:
            try:
                user = accounts.create_user(
                    admin,
                    data["username"],
                    password,
                    data["display_name"],
                    ip=client_ip(request),
                    must_change_password=bool(data["must_change_password"]),
                )
            except ActionError as exc:
                errors = field_errors(exc)
            else:
                messages.success(request, f"账号 {user.username} 已创建；请由安全管理员授予角色")
                return redirect("web:console_accounts")
    q = request.GET.get("q", "").strip()[:64]
    active = request.GET.get("active", "")
    page = Paginator(_accounts(q, active), PAGE_SIZE).get_page(request.GET.get("page"))
    fields = [
        field("username", "text", data["username"], required=True, errors=errors),
        field("display_name", "text", data["display_name"], errors=errors),
        field("password", "password", required=True, errors=errors),
        field("password2", "password", required=True, errors=errors),
        field("must_change_password", "checkbox", data["must_change_password"], errors=errors),
    ]
    labels = {"username": "用户名", "display_name": "姓名", "password": "初始密码", "password2": "再次输入初始密码"}
    labels["must_change_password"] = "首次登录须修改密码"
    for f in fields:
        f.label = labels[f.name]
    now = timezone.now()
    for u in page:
        u.role_names = role_summary(u.active_roles)
        u.locked = u.locked_until is not None and u.locked_until > now
    ctx = {
        "page": page,
        "q": q,
        "active": active,
        "query": _query(request),
        "fields": fields,
        "error": first_error(errors, labels, labels),
        "me": admin.username,
    }
    return render(request, "web/console/accounts.html", ctx, status=400 if errors else 200)


@login_required
@require_POST
def set_active(request: HttpRequest, username: str) -> HttpResponse:
    admin = _admin(request, Role.SYSADMIN)
    active = request.POST.get("active") == "1"
    try:
        user = accounts.set_active(admin, username, active, ip=client_ip(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"账号 {user.username} 已{'启用' if active else '停用'}")
    back = request.POST.get("back", "")
    return redirect(back if _safe(back) else "web:console_accounts")


@login_required
@require_POST
def unlock(request: HttpRequest, username: str) -> HttpResponse:
    admin = _admin(request, Role.SYSADMIN)
    try:
        user = accounts.unlock_account(admin, username, ip=client_ip(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"账号 {user.username} 已解除登录锁定")
    back = request.POST.get("back", "")
    return redirect(back if _safe(back) else "web:console_accounts")


def role_summary(assignments: Any) -> list[str]:
    """A user's roles, each once: 「第三方评估人（2 个案件）」 rather than the same name twice in a row."""
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for r in assignments:
        counts[r.role] = counts.get(r.role, 0) + 1
        labels[r.role] = r.get_role_display()
    unit = {"jurisdiction": "个辖区", "unit": "个单位", "case": "个案件", "cadre": "名干部"}
    out = []
    for role, n in counts.items():
        scope = SCOPE.get(Role(role), "none") if role in Role.values else "none"
        out.append(f"{labels[role]}（{n} {unit[scope]}）" if n > 1 and scope in unit else labels[role])
    return out


@login_required
@require_http_methods(["GET", "POST"])
def reset_account(request: HttpRequest, username: str) -> HttpResponse:
    """Reset a password (a temporary one, to be changed at the next sign-in) or a lost second factor."""
    admin = _admin(request, Role.SYSADMIN)
    target = User.objects.filter(username=username).first()
    if target is None:
        raise Http404("账号不存在")
    errors: dict[str, str] = {}
    if request.method == "POST":
        what = request.POST.get("what", "")
        password = request.POST.get("password", "")
        try:
            if what == "totp":
                accounts.reset_second_factor(admin, username, ip=client_ip(request))
                messages.success(request, f"账号 {username} 的二次验证已重置：本人下次登录时须重新绑定")
                return redirect("web:console_accounts")
            if what == "password":
                if not password:
                    errors["password"] = "请设置临时密码"
                elif password != request.POST.get("password2", ""):
                    errors["password2"] = "两次输入的密码不一致"
                else:
                    accounts.reset_password(admin, username, password, ip=client_ip(request))
                    messages.success(request, f"账号 {username} 的密码已重置：本人下次登录时须修改密码")
                    return redirect("web:console_accounts")
        except ActionError as exc:
            errors = field_errors(exc)
    fields = [
        field("password", "password", required=True, errors=errors),
        field("password2", "password", required=True, errors=errors),
    ]
    labels = {"password": "临时密码", "password2": "再次输入临时密码"}
    for f in fields:
        f.label = labels[f.name]
    ctx = {
        "target": target,
        "fields": fields,
        "error": first_error(errors, labels, labels),
        "history": settings.RONGCUO_PASSWORD_HISTORY,
    }
    return render(request, "web/console/account_reset.html", ctx, status=400 if errors else 200)


def _safe(back: str) -> bool:
    """Only a return to a console page (never another site)."""
    return back.startswith("/console/") and "//" not in back and "\\" not in back


# --- 安全管理员: grants ------------------------------------------------------------------------------------


def _scope_options(request: HttpRequest) -> dict[str, Any]:
    """Choices for the scope selects, narrowed by a jurisdiction and a name filter (no script needed)."""
    within = request.GET.get("within", "").strip()[:6]
    name = request.GET.get("name", "").strip()[:64]
    jurisdictions = list(Jurisdiction.objects.order_by("path"))
    root = next((j for j in jurisdictions if j.code == within), None)
    units = Unit.objects.select_related("jurisdiction").order_by("path")
    cadres = Cadre.objects.select_related("unit").order_by("name", "id")
    if root is not None:
        units = units.filter(jurisdiction__path__startswith=root.path)
        cadres = cadres.filter(unit__jurisdiction__path__startswith=root.path)
    if name:
        units = units.filter(name__icontains=name)
        cadres = cadres.filter(Q(name__icontains=name) | Q(unit__name__icontains=name))
    unit_rows = list(units[: OPTION_LIMIT + 1])
    cadre_rows = list(cadres[: OPTION_LIMIT + 1])
    return {
        "within": within,
        "name": name,
        "jurisdictions": jurisdictions,
        "units": unit_rows[:OPTION_LIMIT],
        "cadres": cadre_rows[:OPTION_LIMIT],
        "more_units": len(unit_rows) > OPTION_LIMIT,
        "more_cadres": len(cadre_rows) > OPTION_LIMIT,
        "limit": OPTION_LIMIT,
    }


def _grant(admin: User, request: HttpRequest) -> tuple[dict[str, Any], dict[str, str]]:
    post = request.POST
    data = {k: post.get(k, "").strip() for k in ("username", "role", "jurisdiction", "unit_id", "cadre_id", "case")}
    role = data["role"]
    if role not in Role.values:
        return data, {"role": "请选择要授予的角色"}
    kind = SCOPE[Role(role)]
    scope: dict[str, Any] = {}
    if kind == "jurisdiction":
        scope["jurisdiction"] = data["jurisdiction"]
    elif kind == "unit":
        scope["unit_id"] = int(data["unit_id"]) if data["unit_id"].isdigit() else None
    elif kind == "cadre":
        scope["cadre_id"] = int(data["cadre_id"]) if data["cadre_id"].isdigit() else None
    elif kind == "case":
        pk = Case.objects.filter(number=data["case"]).values_list("pk", flat=True).first() if data["case"] else None
        if pk is None:
            return data, {"case": "请填写有效的案件编号（如 RC-320000-2025-00001）"}
        scope["case_id"] = pk
    try:
        ra = accounts.grant_role(admin, data["username"], role, ip=client_ip(request), **scope)
    except ActionError as exc:
        errors = field_errors(exc)
        if "case_id" in errors:
            errors["case"] = errors.pop("case_id")
        return data, errors
    messages.success(request, f"已授予 {ra.user.username}“{ra.get_role_display()}”角色")
    return data, {}


@login_required
@require_http_methods(["GET", "POST"])
def grants_console(request: HttpRequest) -> HttpResponse:
    admin = _admin(request, Role.SECADMIN)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"username": request.GET.get("username", "")}
    if request.method == "POST":
        data, errors = _grant(admin, request)
        if not errors:
            return redirect(f"{request.path}?{urlencode({'q': data['username']})}")
    q = request.GET.get("q", "").strip()[:64]
    page = Paginator(_accounts(q), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {"username", "role", "jurisdiction", "unit_id", "cadre_id", "case"}
    ctx = {
        "page": page,
        "q": q,
        "query": _query(request),
        "data": data,
        "errors": errors,
        "error": first_error(errors, shown),
        "roles": [(r.value, r.label, SCOPE_HELP[SCOPE[r]]) for r in Role],
        **_scope_options(request),
    }
    return render(request, "web/console/grants.html", ctx, status=400 if errors else 200)


@login_required
@require_POST
def revoke(request: HttpRequest, assignment: int) -> HttpResponse:
    admin = _admin(request, Role.SECADMIN)
    try:
        accounts.revoke_role(admin, assignment, ip=client_ip(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "授权已撤销")
    back = request.POST.get("back", "")
    return redirect(back if _safe(back) else "web:console_grants")


# --- 审计管理员: the audit log ---------------------------------------------------------------------------------


def _log(request: HttpRequest, action: str, detail: dict[str, Any]) -> None:
    user = request.user
    append(Actor(user.pk, user.username, Role.AUDITADMIN, client_ip(request)), action, "audit", "", detail=detail)


def _audit_filters(request: HttpRequest) -> tuple[AuditQuery, dict[str, str], dict[str, str]]:
    raw = {k: request.GET.get(k, "").strip() for k in ("action", "user", "object", "date_from", "date_to", "success")}
    given = {k: v for k, v in raw.items() if v}
    if "success" in given:
        given["success"] = {"1": "true", "0": "false"}.get(given["success"], given["success"])
    page = request.GET.get("page", "1")
    try:
        f = AuditQuery(page=int(page) if page.isdigit() and int(page) > 0 else 1, page_size=AUDIT_PAGE_SIZE, **given)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "action"
        msg = "应为日期（YYYY-MM-DD）" if name.startswith("date") else "格式不正确"
        return AuditQuery(page=1, page_size=AUDIT_PAGE_SIZE), raw, {name: msg}
    return f, raw, {}


@login_required
@require_safe
def audit_console(request: HttpRequest) -> HttpResponse:
    _admin(request, Role.AUDITADMIN)
    f, raw, errors = _audit_filters(request)
    qs = filter_records(AuditRecord.objects.order_by("-seq"), f)
    page = Paginator(qs, AUDIT_PAGE_SIZE).get_page(f.page)
    rows = [_labelled(record_dict(r)) for r in page.object_list]
    shown = f.model_dump(mode="json", exclude_none=True, exclude={"page", "page_size"})
    _log(request, "audit.read", {"filters": shown, "total": page.paginator.count, "page": page.number})
    ctx = {
        "page": page,
        "rows": rows,
        "f": raw,
        "errors": errors,
        "query": _query(request),
        "actions": [(a, labels.action_label(a) or "") for a in _known_actions()],
        "checkpoints": AuditCheckpoint.objects.order_by("-tree_size")[:10],
    }
    return render(request, "web/console/audit.html", ctx, status=400 if errors else 200)


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    """A record as the console shows it: Chinese names first, the stored codes kept for filtering."""
    row["action_label"] = labels.action_label(row["action"]) or ""
    row["role_label"] = labels.role_label(row["role"])
    row["object_label"] = labels.object_label(row["object_type"])
    return row


def _known_actions() -> list[str]:
    """Action names for the filter's suggestions (a datalist: any other name may still be typed)."""
    return sorted(
        {
            "auth.login",
            "auth.totp",
            "auth.totp_enrol",
            "auth.second_factor",
            "auth.logout",
            "auth.change_password",
            "account.create",
            "account.enable",
            "account.disable",
            "account.password_reset",
            "account.totp_reset",
            "case.search",
            "role.grant",
            "role.revoke",
            "case.read",
            "case.",
            "audit.read",
            "audit.verify",
            "audit.export",
            "standing.read",
            "report.",
            "correction.",
            "disclosure.",
            "consultation.",
        }
    )


@login_required
@require_safe
def audit_verify(request: HttpRequest) -> HttpResponse:
    _admin(request, Role.AUDITADMIN)
    chain = verify_chain()
    report = check_checkpoints()
    _log(
        request,
        "audit.verify",
        {"ok": chain.ok and report.ok, "count": chain.count, "broken": chain.broken.seq if chain.broken else None},
    )
    page = Paginator(AuditCheckpoint.objects.order_by("-tree_size"), PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"chain": chain, "report": report, "ok": chain.ok and report.ok, "page": page, "query": ""}
    return render(request, "web/console/audit_verify.html", ctx)


@login_required
@require_safe
def audit_export(request: HttpRequest) -> HttpResponse:
    _admin(request, Role.AUDITADMIN)
    text = export_checkpoints()
    _log(request, "audit.export", {"what": "checkpoints", "count": AuditCheckpoint.objects.count()})
    name = f"rongcuo-audit-checkpoints-{timezone.localdate():%Y%m%d}.json"
    resp = HttpResponse(text.encode("utf-8"), content_type="application/json; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp
