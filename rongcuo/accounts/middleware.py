"""Session policy: idle timeout and "sign out everywhere" (session epoch)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_seen")
            epoch = request.session.get("epoch")
            expired = last is not None and now - int(last) > settings.RONGCUO_IDLE_TIMEOUT_SECONDS
            revoked = epoch is not None and epoch != user.session_epoch
            if expired or revoked:
                logout(request)
            else:
                request.session["last_seen"] = now
                request.session.setdefault("epoch", user.session_epoch)
        return self.get_response(request)
