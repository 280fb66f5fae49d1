"""The REST API (django-ninja); OpenAPI at /api/openapi.json.

Authentication: a bearer token or the browser session (CSRF token required for writes), see
rongcuo/core/api_auth.py. Every error is JSON `{error, message, field}` with a Chinese message: never HTML,
never a traceback. Views call actions (rongcuo/*/actions.py) and read cases only through
rongcuo/cases/access.py.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rongcuo.core.api_auth import default_auth
from rongcuo.core.errors import ActionError
from rongcuo.core.renderers import FastJSONRenderer
from rongcuo.policy.errors import PolicyError

log = logging.getLogger("rongcuo.api")


PYDANTIC_MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_type": "应为字符串",
    "too_short": "数量不足",
    "too_long": "数量过多",
    "extra_forbidden": "不认识的字段",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为时间（ISO 8601）",
    "datetime_from_date_parsing": "应为时间（ISO 8601）",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "过小",
    "greater_than": "过小",
    "less_than_equal": "过大",
    "less_than": "过大",
    "dict_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "json_invalid": "不是合法的 JSON",
    "value_error": "取值无效",
}
STATUS_MESSAGES = {
    400: ("invalid", "请求无效"),
    401: ("unauthenticated", "请先登录，或提供有效的访问令牌"),
    403: ("forbidden", "无权执行该操作"),
    404: ("not_found", "对象不存在或无权访问"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "对象已被他人修改，请刷新后重试"),
    413: ("too_large", "请求过大"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "field": field}


def _field(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """ninja locations are (source, parameter, field…); a body model's own name is left out."""
    parts = [str(p) for p in loc]
    if not parts:
        return None
    source, rest = parts[0], parts[1:]
    if source == "body" and len(rest) > 1:
        rest = rest[1:]
    return ".".join(rest) or source


def _validation(err: dict[str, Any]) -> tuple[str, str | None]:
    field = _field(err.get("loc", ()))
    kind = err.get("type", "")
    msg = PYDANTIC_MESSAGES.get(kind) or err.get("msg") or "取值无效"
    if kind == "missing" and field in ("payload", "body", "data"):
        return "请求体必填（JSON 对象）", None
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and err.get("ctx"):
        bound = next(iter(err["ctx"].values()))
        msg = f"{msg}（{'不小于' if kind.startswith('greater') else '不大于'} {bound}）"
    return (f"{field}: {msg}" if field else msg), field


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_action(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return respond(request, exc.status, exc.to_dict())

    def on_policy(request: HttpRequest, exc: PolicyError) -> HttpResponse:
        field = (exc.field or "").lstrip("-") or None
        return respond(request, 400, error_body("invalid", exc.message, field))

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        message, field = _validation(exc.errors[0]) if exc.errors else ("请求无效", None)
        return respond(request, 400, error_body("invalid", message, field))

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, error_body(*STATUS_MESSAGES[401]))

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and "parse request body" in str(exc):
            return respond(request, 400, error_body("invalid", "请求体不是合法的 JSON", "body"))
        code, message = STATUS_MESSAGES.get(exc.status_code, ("error", "请求失败"))
        return respond(request, exc.status_code, error_body(code, message))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body(*STATUS_MESSAGES[404]))

    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, error_body(*STATUS_MESSAGES[403]))

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        if isinstance(exc, RequestDataTooBig):
            return respond(request, 413, error_body(*STATUS_MESSAGES[413]))
        return respond(request, 400, error_body(*STATUS_MESSAGES[400]))

    def on_other(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return respond(request, 500, error_body("server_error", "服务器内部错误，已记录，请稍后再试或联系管理员"))

    api.add_exception_handler(ActionError, on_action)
    api.add_exception_handler(PolicyError, on_policy)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(PermissionDenied, on_denied)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(Exception, on_other)


class RongcuoAPI(NinjaAPI):
    """NinjaAPI whose "method not allowed" and unknown-path answers are JSON like every other error."""

    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        # Last, after every router (apps add theirs after this module builds the API): unknown paths.
        return [*urls, path("<path:rest>", unknown_path, name="unknown-path")]


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)  # keeps csrf_exempt: ninja's auth classes do the CSRF checks
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            body = json.dumps(error_body(*STATUS_MESSAGES[405]), ensure_ascii=False)
            allowed = response.get("Allow", "")
            response = HttpResponse(body, status=405, content_type="application/json; charset=utf-8")
            response["Allow"] = allowed
        return response

    return wrapped


@csrf_exempt
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/ answer JSON 404 like every other error (the last URL pattern)."""
    body = json.dumps(error_body("not_found", "接口不存在"), ensure_ascii=False)
    return HttpResponse(body, status=404, content_type="application/json; charset=utf-8")


def build() -> NinjaAPI:
    from rongcuo.accounts.api import admin_router
    from rongcuo.accounts.api import router as accounts_router
    from rongcuo.audit.api import router as audit_router
    from rongcuo.cases.api import router as cases_router
    from rongcuo.org.api import router as org_router
    from rongcuo.policy_api import router as policy_router

    # Swagger UI only when its files can be served locally (no CDN on intranets): add "ninja" to INSTALLED_APPS.
    docs_url = "/docs" if "ninja" in settings.INSTALLED_APPS else None
    new = RongcuoAPI(
        title="Rongcuo 容错纠错 API",
        version="1",
        description="容错纠错平台接口。认证：会话（写操作须带 X-CSRFToken）或 Bearer 令牌。错误均为 "
        "JSON：{error, message, field}。",
        urls_namespace="api",
        auth=default_auth(),
        renderer=FastJSONRenderer(),
        docs_url=docs_url,
    )
    install_error_handlers(new)
    new.add_router("/", accounts_router, tags=["账号与登录"])
    new.add_router("/admin/", admin_router, tags=["系统与安全管理"])
    new.add_router("/", org_router, tags=["机构与干部"])
    new.add_router("/", cases_router, tags=["案件"])
    new.add_router("/policies", policy_router, tags=["政策库"])
    new.add_router("/audit", audit_router, tags=["审计"])
    return new


api = build()
