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
from django.http import HttpRequest, HttpResponse

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
