"""Request limits answered before any view runs.

`RequestLineLimit`: an /api/ request whose request line (method, URI with its query, protocol) is longer
than settings.RONGCUO_MAX_REQUEST_LINE bytes answers 414 with the API's JSON error body. gunicorn is started
with a larger limit of its own (rongcuo/commands/serve.py: 8190 bytes, its maximum) so that such requests
reach Django instead of gunicorn's HTML error page; past gunicorn's limit it still answers itself
(docs/deployment.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError

DEFAULT_MAX_REQUEST_LINE = 4094  # gunicorn's own default, kept as the API's limit


def request_line_length(request: HttpRequest) -> int:
    """Bytes of "METHOD URI HTTP/1.1" as sent (gunicorn gives the raw URI; otherwise it is rebuilt)."""
    uri = request.META.get("RAW_URI") or request.META.get("REQUEST_URI") or request.get_full_path()
    protocol = request.META.get("SERVER_PROTOCOL") or "HTTP/1.1"
    return len(f"{request.method} {uri} {protocol}".encode("utf-8", "surrogateescape"))


class RequestLineLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = getattr(settings, "RONGCUO_MAX_REQUEST_LINE", DEFAULT_MAX_REQUEST_LINE)
        if request.path_info.startswith("/api/") and request_line_length(request) > limit:
            body = {"error": "uri_too_long", "message": f"请求地址过长（请求行不超过 {limit} 字节）", "field": None}
            return HttpResponse(
                json.dumps(body, ensure_ascii=False), status=414, content_type="application/json; charset=utf-8"
            )
        return self.get_response(request)


class MalformedFormBody:
    """A web (non-API) POST whose multipart body cannot be parsed (no boundary, cut short) answers 400 in
    Chinese instead of a 500: the body is parsed here, as the CSRF check would parse it next. The API answers
    the same case itself, in its JSON error format (rongcuo/api.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and not request.path_info.startswith("/api/"):
            try:
                request.POST  # noqa: B018 — parse now, where a broken body can still be answered
            except MultiPartParserError:
                return HttpResponseBadRequest(
                    "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>请求无效</title>"
                    "<p>提交的表单内容无法解析（上传未完成或格式不正确），请返回重新提交。</p></html>",
                    content_type="text/html; charset=utf-8",
                )
        return self.get_response(request)
