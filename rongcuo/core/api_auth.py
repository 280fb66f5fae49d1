"""How API callers prove who they are: a bearer token, or the browser session (with CSRF for writes).

- `BearerToken`: `Authorization: Bearer rc_…` issued by POST /api/auth/tokens (accounts.actions.user_for_token);
  no CSRF check, since browsers never attach that header by themselves.
- `SessionAuth`: the Django session (idle timeout and sign-out-everywhere are enforced by
  accounts.middleware.SessionPolicyMiddleware); unsafe methods must carry the CSRF token
  (`X-CSRFToken` header, from GET /api/auth/csrf).

An account whose password has expired (or must be changed) may only use the sign-in endpoints until it
changes its password (等保: password expiry). A staff or administrator account without a second factor
(accounts/totp.py) is confined the same way until it enrols on the web pages: every other route answers 403
`totp_setup_required`, by session and by token alike. The sign-in endpoints (`signin_auth`: sign-out, password
change, /api/me) admit both; a token whose session epoch has moved on since it was issued is refused (401).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from rongcuo.accounts.actions import password_expired, user_for_token
from rongcuo.accounts.models import User
from rongcuo.accounts.totp import second_factor_missing
from rongcuo.audit.chain import Actor, append_failure
from rongcuo.core.errors import Forbidden, Unauthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"

    def __init__(self) -> None:
        super().__init__("密码已过期或须首次修改，请先修改密码（POST /api/auth/password）", field="password")


class SecondFactorRequired(Forbidden):
    code = "totp_setup_required"

    def __init__(self) -> None:
        super().__init__(
            "工作人员和管理员须先绑定二次验证（TOTP）方可使用本系统：请在网页端登录，按提示用手机验证器完成绑定"
            "（/account/totp/）。绑定之前只能修改密码、查看本人信息或退出登录",
            field=None,
        )


class CsrfFailed(Forbidden):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__("CSRF 校验失败：请在请求头 X-CSRFToken 中携带令牌（GET /api/auth/csrf 获取）", field=None)


def client_ip(request: HttpRequest) -> str:
    """The peer address as the server saw it (a trusted proxy must set REMOTE_ADDR, not a header)."""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def api_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (set by one of the auth classes below)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise Unauthenticated("请先登录，或提供有效的访问令牌")  # unreachable behind the auth classes
    return user


def require_csrf(request: HttpRequest) -> None:
    if request.method not in SAFE_METHODS and check_csrf(request) is not None:
        raise CsrfFailed()


def _admit(request: HttpRequest, user: User, signin: bool) -> User:
    """signin: one of the sign-in endpoints, open to an expired password and to a missing second factor."""
    if signin:
        return user
    if password_expired(user):
        raise PasswordChangeRequired()
    if second_factor_missing(user):
        append_failure(
            Actor(user.pk, user.username, "", client_ip(request)),
            "auth.second_factor",
            "user",
            user.username,
            reason="not_enrolled",
            path=request.path[:200],
            via="token" if getattr(request, "rongcuo_via_token", False) else "session",
        )
        raise SecondFactorRequired()
    return user


class BearerToken(HttpBearer):
    def __init__(self, *, signin: bool = False) -> None:
        self.signin = signin
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip()) if token else None
        if user is None:
            return None
        request.user = user
        request.rongcuo_via_token = True  # type: ignore[attr-defined]
        return _admit(request, user, self.signin)


class SessionAuth(APIKeyCookie):
    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self, *, signin: bool = False) -> None:
        self.signin = signin
        super().__init__(csrf=False)  # checked below, only for a signed-in session and an unsafe method

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.headers.get("Authorization"):
            return None  # a request presenting a token is judged by the token alone
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        require_csrf(request)
        return _admit(request, user, self.signin)


def default_auth() -> list[Any]:
    return [BearerToken(), SessionAuth()]


def signin_auth() -> list[Any]:
    """For the endpoints an account with an expired password, or without its second factor, may still use."""
    return [BearerToken(signin=True), SessionAuth(signin=True)]
