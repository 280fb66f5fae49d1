"""Sign-in with lockout and per-address throttling, TOTP second factor for staff, forced password change,
sign-out everywhere."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from rongcuo.accounts import actions, throttle, totp
from rongcuo.accounts.models import User
from rongcuo.core.errors import ActionError

PENDING_SECONDS = 300


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _finish_login(request: HttpRequest, user: User) -> HttpResponse:
    nxt = request.session.pop("login_next", "") or request.POST.get("next", "")
    login(request, user)  # rotates the session key: a new session on every sign-in
    request.session["epoch"] = user.session_epoch
    request.session["last_seen"] = int(time.time())
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("web:workbench")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:workbench")
    ctx = {"next": request.GET.get("next", ""), "username": ""}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        ctx["username"] = username
        try:
            user = actions.check_credentials(username, request.POST.get("password", ""), ip=client_ip(request))
        except ActionError as exc:
            ctx["error"] = exc.message
            return render(request, "web/login.html", ctx, status=429 if exc.status == 429 else 401)
        if user.totp_enabled:  # staff, and anyone else who has enrolled
            request.session.cycle_key()
            request.session["pending_user"] = user.pk
            request.session["pending_at"] = int(time.time())
            request.session["login_next"] = request.POST.get("next", "")
            return redirect("web:login_totp")
        return _finish_login(request, user)
    return render(request, "web/login.html", ctx)


@require_http_methods(["GET", "POST"])
def login_totp_view(request: HttpRequest) -> HttpResponse:
    pk = request.session.get("pending_user")
    started = request.session.get("pending_at", 0)
    if not pk or int(time.time()) - int(started) > PENDING_SECONDS:
        request.session.pop("pending_user", None)
        messages.error(request, "请重新输入用户名和密码")
        return redirect("web:login")
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        return redirect("web:login")
    if request.method == "POST":
        if throttle.blocked(client_ip(request)):
            return render(request, "web/login_totp.html", {"error": throttle.refusal().message}, status=429)
        if totp.verify(user, request.POST.get("code", "")):
            actions.second_factor_passed(user, ip=client_ip(request))
            request.session.pop("pending_user", None)
            return _finish_login(request, user)
        locked = actions.second_factor_failed(user, ip=client_ip(request))
        if locked:
            request.session.pop("pending_user", None)
            messages.error(request, "验证码错误次数过多，账号已锁定，请稍后再试")
            return redirect("web:login")
        return render(request, "web/login_totp.html", {"error": "验证码不正确"}, status=401)
    return render(request, "web/login_totp.html", {})


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "已安全退出")
    return redirect("web:login")


@require_http_methods(["POST"])
def logout_everywhere_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        actions.sign_out_everywhere(request.user, ip=client_ip(request))
    logout(request)
    messages.info(request, "已在所有设备上退出")
    return redirect("web:login")


@require_http_methods(["GET", "POST"])
def password_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("web:login")
    ctx: dict = {"expired": actions.password_expired(request.user), "history": settings.RONGCUO_PASSWORD_HISTORY}
    if request.method == "POST":
        new, again = request.POST.get("new_password", ""), request.POST.get("new_password2", "")
        if new != again:
            ctx["errors"] = {"new_password2": "两次输入的新密码不一致"}
            return render(request, "web/password.html", ctx, status=400)
        try:
            actions.change_password(request.user, request.POST.get("old_password", ""), new, ip=client_ip(request))
        except ActionError as exc:
            field = "new_password" if exc.field in (None, "password") else exc.field  # the rules' message by its box
            ctx["errors"] = {field: exc.message}
            return render(request, "web/password.html", ctx, status=400)
        # the change bumped the session epoch (other sessions end); keep this one
        login(request, request.user)
        request.session["epoch"] = request.user.session_epoch
        request.session["last_seen"] = int(time.time())
        messages.success(request, "密码已修改，其他设备上的登录已失效")
        return redirect("web:workbench")
    return render(request, "web/password.html", ctx)


@require_http_methods(["GET", "POST"])
def totp_setup_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("web:login")
    user = request.user
    if user.totp_enabled:
        messages.info(request, "二次验证已启用")
        return redirect("web:workbench")
    if request.method == "POST":
        try:
            totp.confirm_enrolment(user, request.POST.get("code", ""), ip=client_ip(request))
        except ActionError as exc:
            uri = totp.provisioning_uri(user)
            return render(
                request, "web/totp_setup.html", {"qr": totp.qr_svg(uri), "uri": uri, "error": exc.message}, status=400
            )
        # Enrolment moved the session epoch (every other session and token of the user ended): keep this one.
        request.session["epoch"] = user.session_epoch
        messages.success(request, "二次验证已启用，下次登录时需要输入验证码；其他设备上的登录已失效")
        return redirect("web:workbench")
    totp.start_enrolment(user)  # a new secret each time the page is shown, until one is confirmed
    uri = totp.provisioning_uri(user)
    return render(request, "web/totp_setup.html", {"qr": totp.qr_svg(uri), "uri": uri})
