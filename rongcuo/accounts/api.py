"""Signing in and out, API tokens, and the administrators' account endpoints 「三员分立」.

Administrative endpoints answer 404 to anyone without the administrator role they need, like every
other thing a user may not see.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import login, logout, update_session_auth_hash
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Query, Router, Schema, Status
from pydantic import Field

from rongcuo.audit.chain import Actor, append
from rongcuo.cases.access import role_names
from rongcuo.core.api_auth import SessionAuth, api_user, client_ip, require_csrf, signin_auth
from rongcuo.core.errors import Forbidden, NotFound, Unauthenticated
from rongcuo.core.pagination import PageQuery, page, paginate
from rongcuo.core.types import Id

from . import actions, totp
from .models import RoleAssignment, User
from .roles import Role

router = Router()
admin_router = Router()


class LoginIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    totp_code: str | None = Field(None, max_length=16, description="二次验证码（已绑定 TOTP 的账号必填）")


class TotpRequired(Unauthenticated):
    code = "totp_required"


class TotpSetupRequired(Forbidden):
    code = "totp_setup_required"


class PasswordIn(Schema):
    old_password: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(min_length=1, max_length=4096)


class TokenIn(Schema):
    name: str = Field("api", min_length=1, max_length=64, description="令牌用途")
    days: int = Field(30, ge=1, le=365, description="有效天数")


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096, description="初始密码（首次登录须修改）")
    display_name: str = Field("", max_length=64)
    must_change_password: bool = True


class GrantIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    role: Role
    jurisdiction: str | None = Field(None, max_length=6, description="管辖区划代码（承办人等）")
    unit_id: Id | None = Field(None, description="单位（单位联系人、审核人）")
    cadre_id: Id | None = Field(None, description="干部本人（申请人）")
    case_id: Id | None = Field(None, description="案件（第三方评估人、听证主持人）")


class ResetPasswordIn(Schema):
    password: str = Field(min_length=1, max_length=4096, description="临时密码（本人下次登录时须修改）")


class UserQuery(PageQuery):
    q: str | None = Field(None, max_length=64, description="用户名或姓名包含")
    active: bool | None = None


def me_dict(user: User) -> dict[str, Any]:
    return {
        **actions.describe(user),
        "password_change_required": actions.password_expired(user),
        "totp_enabled": user.totp_enabled,
        "totp_setup_required": totp.second_factor_missing(user),
    }


def require_admin(user: User, *allowed: str) -> None:
    """Administrative endpoints do not exist for other users (same answer as a missing object)."""
    if not role_names(user) & set(allowed):
        raise NotFound("接口不存在")


# --- signing in -------------------------------------------------------------------------------------------


@router.get("/auth/csrf", auth=None, summary="获取 CSRF 令牌（会话方式的写请求须在 X-CSRFToken 头中携带）")
def csrf(request: HttpRequest) -> dict[str, str]:
    return {"csrf_token": get_token(request)}


def _second_factor(user: User, code: str | None, ip: str) -> None:
    """Staff (and anyone who has enrolled) sign in with a TOTP code as well, as on the web; enrolment happens on
    the web pages."""
    if not user.totp_enabled:
        if totp.needs_second_factor(user):
            raise TotpSetupRequired(
                "工作人员须先在网页端登录并绑定二次验证（TOTP）后，方可通过接口登录", field="totp_code"
            )
        return
    if not code:
        raise TotpRequired("请输入二次验证码（手机验证器上的六位数字）", field="totp_code")
    if not totp.verify(user, code):
        locked = actions.second_factor_failed(user, ip=ip)
        raise TotpRequired(
            "验证码错误次数过多，账号已锁定，请稍后再试" if locked else "验证码不正确", field="totp_code"
        )
    actions.second_factor_passed(user, ip=ip)


@router.post("/auth/login", auth=None, summary="登录（建立新会话；工作人员须附二次验证码）")
def sign_in(request: HttpRequest, body: LoginIn) -> dict[str, Any]:
    require_csrf(request)  # login CSRF: the browser must not be signed in to someone else's account
    ip = client_ip(request)
    user = actions.check_credentials(body.username, body.password, ip=ip)
    _second_factor(user, body.totp_code, ip)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # a new session key every time
    request.session["epoch"] = user.session_epoch
    request.session["last_seen"] = int(time.time())
    return {**me_dict(user), "csrf_token": get_token(request)}  # login rotates the CSRF token


@router.post("/auth/logout", auth=signin_auth(), summary="退出登录（本会话）")
def sign_out(request: HttpRequest) -> dict[str, bool]:
    user = api_user(request)
    append(Actor(user.pk, user.username, "", client_ip(request)), "auth.logout", "user", user.username)
    if not getattr(request, "rongcuo_via_token", False):
        logout(request)
    return {"ok": True}


@router.post("/auth/logout-everywhere", auth=signin_auth(), summary="在所有设备退出（会话与令牌全部失效）")
def sign_out_everywhere(request: HttpRequest) -> dict[str, bool]:
    actions.sign_out_everywhere(api_user(request), ip=client_ip(request))
    logout(request)
    return {"ok": True}


@router.post("/auth/password", auth=signin_auth(), summary="修改密码")
def change_password(request: HttpRequest, body: PasswordIn) -> dict[str, Any]:
    user = api_user(request)
    actions.change_password(user, body.old_password, body.new_password, ip=client_ip(request))
    if not getattr(request, "rongcuo_via_token", False):
        update_session_auth_hash(request, user)  # this session stays signed in; the others end (new epoch)
        request.session["epoch"] = user.session_epoch
    return me_dict(user)


@router.post(
    "/auth/tokens",
    auth=SessionAuth(),
    response={201: dict[str, Any]},
    summary="签发 API 令牌（仅此一次显示；须以会话方式登录）",
)
def issue_token(request: HttpRequest, body: TokenIn) -> Status[dict[str, Any]]:
    raw = actions.issue_token(api_user(request), body.name, days=body.days, ip=client_ip(request))
    return Status(201, {"token": raw, "name": body.name, "days": body.days, "type": "Bearer"})


@router.get("/me", auth=signin_auth(), summary="当前用户、角色与管辖范围")
def me(request: HttpRequest) -> dict[str, Any]:
    return me_dict(api_user(request))


# --- administrators -----------------------------------------------------------------------------------------


def _user_row(u: User) -> dict[str, Any]:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "active": u.is_active,
        "locked": bool(u.locked_until),
        "roles": [
            {
                "id": r.id,
                "role": r.role,
                "label": r.get_role_display(),
                "jurisdiction": r.jurisdiction_id,
                "unit": r.unit_id,
                "cadre": r.cadre_id,
                "case": r.case_id,
            }
            for r in u.active_roles  # type: ignore[attr-defined]
        ],
    }


@admin_router.get("/users", summary="账号列表（系统管理员、安全管理员；不含任何案件内容）")
def list_users(request: HttpRequest, filters: Query[UserQuery]) -> dict[str, Any]:
    require_admin(api_user(request), Role.SYSADMIN, Role.SECADMIN)
    roles = RoleAssignment.objects.filter(revoked_at__isnull=True).order_by("id")
    qs = User.objects.prefetch_related(Prefetch("assignments", queryset=roles, to_attr="active_roles"))
    if filters.q:
        qs = qs.filter(Q(username__icontains=filters.q) | Q(display_name__icontains=filters.q))
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    items, meta = paginate(qs.order_by("username"), filters)
    return page([_user_row(u) for u in items], meta)


@admin_router.post("/users", response={201: dict[str, Any]}, summary="创建账号（系统管理员）")
def create_user(request: HttpRequest, body: UserIn) -> Status[dict[str, Any]]:
    admin = api_user(request)
    require_admin(admin, Role.SYSADMIN)
    user = actions.create_user(
        admin,
        body.username,
        body.password,
        body.display_name,
        ip=client_ip(request),
        must_change_password=body.must_change_password,
    )
    user.active_roles = []  # type: ignore[attr-defined]
    return Status(201, _user_row(user))


def _set_active(request: HttpRequest, username: str, active: bool) -> dict[str, Any]:
    admin = api_user(request)
    require_admin(admin, Role.SYSADMIN)
    user = actions.set_active(admin, username, active, ip=client_ip(request))
    return {"username": user.username, "active": user.is_active}


@admin_router.post("/users/{username}/disable", summary="停用账号（系统管理员；其会话与令牌随即失效）")
def disable_user(request: HttpRequest, username: str) -> dict[str, Any]:
    return _set_active(request, username, False)


@admin_router.post("/users/{username}/enable", summary="启用账号（系统管理员）")
def enable_user(request: HttpRequest, username: str) -> dict[str, Any]:
    return _set_active(request, username, True)


@admin_router.post(
    "/users/{username}/password",
    summary="重置密码（系统管理员；设临时密码，本人下次登录须修改；会话与令牌随即失效；管理员账号除外）",
)
def reset_password(request: HttpRequest, username: str, body: ResetPasswordIn) -> dict[str, Any]:
    admin = api_user(request)
    require_admin(admin, Role.SYSADMIN)
    user = actions.reset_password(admin, username, body.password, ip=client_ip(request))
    return {"username": user.username, "password_change_required": True}


@admin_router.post(
    "/users/{username}/totp-reset",
    summary="重置二次验证（系统管理员；本人下次登录时重新绑定；会话与令牌随即失效；管理员账号除外）",
)
def reset_second_factor(request: HttpRequest, username: str) -> dict[str, Any]:
    admin = api_user(request)
    require_admin(admin, Role.SYSADMIN)
    user = actions.reset_second_factor(admin, username, ip=client_ip(request))
    return {"username": user.username, "totp_enabled": user.totp_enabled}


@admin_router.post("/grants", response={201: dict[str, Any]}, summary="授予角色及管辖范围（安全管理员）")
def grant(request: HttpRequest, body: GrantIn) -> Status[dict[str, Any]]:
    admin = api_user(request)
    require_admin(admin, Role.SECADMIN)
    ra = actions.grant_role(
        admin,
        body.username,
        body.role.value,
        jurisdiction=body.jurisdiction,
        unit_id=body.unit_id,
        cadre_id=body.cadre_id,
        case_id=body.case_id,
        ip=client_ip(request),
    )
    out = {
        "id": ra.id,
        "username": body.username,
        "role": ra.role,
        "jurisdiction": ra.jurisdiction_id,
        "unit": ra.unit_id,
        "cadre": ra.cadre_id,
        "case": ra.case_id,
    }
    return Status(201, out)


@admin_router.delete("/grants/{grant_id}", summary="撤销授权（安全管理员）")
def revoke(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    admin = api_user(request)
    require_admin(admin, Role.SECADMIN)
    actions.revoke_role(admin, grant_id, ip=client_ip(request))
    return {"id": grant_id, "revoked": True}
