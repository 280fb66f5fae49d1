"""Enforce, on every signed-in web page: a password change when required or expired, and TOTP enrolment
for staff and administrators (roles.STAFF_ROLES), who reach nothing but enrolment, password change and
sign-out until they have enrolled. API requests and public pages are not affected here: the API refuses the
same accounts itself (core/api_auth.py, 403 totp_setup_required), by session and by token."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from rongcuo.accounts.actions import password_expired
from rongcuo.accounts.totp import second_factor_missing

EXEMPT_PREFIXES = ("/api/", "/public/", "/static/", "/login", "/logout", "/account/password", "/account/totp")


class WebSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            if password_expired(user):
                return redirect("web:password")
            if second_factor_missing(user):
                return redirect("web:totp_setup")
        return self.get_response(request)
