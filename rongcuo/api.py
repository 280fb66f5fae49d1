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
import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rongcuo.core import openapi
from rongcuo.core.api_auth import default_auth
from rongcuo.core.errors import ActionError
from rongcuo.core.renderers import FastJSONRenderer
from rongcuo.core.validation import PYDANTIC_MESSAGES, message_for  # noqa: F401 (PYDANTIC_MESSAGES re-exported)
from rongcuo.policy.errors import PolicyError

log = logging.getLogger("rongcuo.api")


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
    msg = message_for(err)
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

    def on_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        message = "请求体不是合法的 multipart/form-data（缺少或无效的 boundary，或内容不完整）"
        return respond(request, 400, error_body("invalid", message, "body"))

    def on_data(request: HttpRequest, exc: DataError) -> HttpResponse:
        # The database refused a value the validation let through (a number past its range, a NUL byte).
        log.warning("API database value refused on %s %s: %s", request.method, request.path, exc)
        return respond(request, 400, error_body("invalid", "请求中的取值超出允许范围或含有不允许的字符"))

    def on_value(request: HttpRequest, exc: ValueError | OverflowError) -> HttpResponse:
        if not _raised_by_database_layer(exc):
            return on_other(request, exc)
        log.warning("API value refused by the ORM on %s %s: %s", request.method, request.path, exc)
        return respond(request, 400, error_body("invalid", "请求中的数值超出允许范围或格式不符"))

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
    api.add_exception_handler(MultiPartParserError, on_multipart)
    api.add_exception_handler(DataError, on_data)
    api.add_exception_handler(ValueError, on_value)
    api.add_exception_handler(OverflowError, on_value)
    api.add_exception_handler(Exception, on_other)


DATABASE_LAYER = (f"{os.sep}django{os.sep}db{os.sep}", f"{os.sep}psycopg{os.sep}")


def _raised_by_database_layer(exc: BaseException) -> bool:
    """Whether the innermost frame of the traceback is Django's ORM or the database driver (an id past
    SQLite's 64-bit range, a value the field cannot take) rather than the application's own code."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return any(part in tb.tb_frame.f_code.co_filename for part in DATABASE_LAYER)


class RongcuoAPI(NinjaAPI):
    """NinjaAPI whose "method not allowed" and unknown-path answers are JSON like every other error, whose
    integer path parameters are bounded to database ids, and whose OpenAPI document lists every error status
    of every operation (rongcuo/core/openapi.py)."""

    def _operations(self) -> list[Any]:
        return [
            op
            for bound in self._get_bound_routers()
            for view in bound.path_operations.values()
            for op in view.operations
        ]

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        openapi.bound_path_ids(self._operations())
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return openapi.document_errors(schema)

    def _get_urls(self) -> list[Any]:
        # Every router is registered by now (rongcuo/urls.py reads api.urls after core.routers.register).
        openapi.bound_path_ids(self._operations())
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
