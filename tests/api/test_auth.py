"""Signing in through the API: sessions with CSRF, lockout, tokens, sign-out everywhere, password expiry."""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.accounts import totp
from rongcuo.accounts.models import User
from rongcuo.audit.models import AuditRecord
from rongcuo.core import crypto

from .conftest import PASSWORD, Api

pytestmark = pytest.mark.django_db


def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def csrf(client: Client) -> str:
    response = client.get("/api/auth/csrf")
    assert response.status_code == 200
    return response.json()["csrf_token"]


def post(client: Client, path: str, data: Any = None, token: str | None = None, **headers: str) -> Any:
    if token:
        headers["X-CSRFToken"] = token
    body = json.dumps(data or {}, ensure_ascii=False)
    return client.post(path, body, content_type="application/json", headers=headers)


def code_for(username: str) -> str | None:
    """Staff sign in with a TOTP code: enrol them (as the web pages would) and read the current code."""
    user = User.objects.get(username=username)
    if not totp.needs_second_factor(user):
        return None
    if not user.totp_enabled:
        totp.start_enrolment(user)
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
    # Each 30-second step is usable once (replay protection); a test signing the same user in twice
    # stands for two sign-ins in different time windows.
    User.objects.filter(pk=user.pk).update(totp_last_step=0)
    return pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()


def credentials(username: str, password: str = PASSWORD) -> dict[str, Any]:
    return {"username": username, "password": password, "totp_code": code_for(username)}


def sign_in(username: str, password: str = PASSWORD) -> tuple[Client, str]:
    client = browser()
    response = post(client, "/api/auth/login", credentials(username, password), csrf(client))
    assert response.status_code == 200, response.content
    return client, response.json()["csrf_token"]


def test_login_returns_roles_and_starts_a_new_session(world) -> None:
    client = browser()
    token = csrf(client)
    client.cookies["sessionid"] = "planted-by-an-attacker"
    response = post(client, "/api/auth/login", credentials("handler"), token)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "handler" and body["password_change_required"] is False
    assert [r["role"] for r in body["roles"]] == ["handler"] and body["roles"][0]["jurisdiction"] == "320000"
    assert client.cookies["sessionid"].value != "planted-by-an-attacker"
    assert client.get("/api/me").json()["username"] == "handler"
    assert AuditRecord.objects.filter(action="auth.login", success=True, username="handler").count() == 1


def test_login_requires_the_csrf_token(world) -> None:
    client = browser()
    response = post(client, "/api/auth/login", credentials("handler"))
    assert response.status_code == 403 and response.json()["error"] == "csrf_failed"


def test_lockout_after_five_failures(world) -> None:
    client = browser()
    token = csrf(client)
    message = "用户名或密码错误（连续错误 5 次，账号将锁定 10 分钟）"
    refused = {"error": "unauthenticated", "message": message, "field": None}
    for _ in range(5):
        response = post(client, "/api/auth/login", {"username": "handler", "password": "wrong-Password-1"}, token)
        assert response.status_code == 401
        assert response.json() == refused
    # locked: the right password gets the same answer (an anonymous caller learns nothing); the audit says why
    response = post(client, "/api/auth/login", credentials("handler"), token)
    assert response.status_code == 401 and response.json() == refused
    assert AuditRecord.objects.filter(action="auth.login", success=False).count() == 6
    assert json.loads(AuditRecord.objects.filter(action="auth.login").latest("seq").detail) == {"reason": "locked"}
    unknown = post(client, "/api/auth/login", {"username": "nobody", "password": "x"}, token)
    assert unknown.status_code == 401 and unknown.json() == refused


def test_csrf_required_for_session_writes(world) -> None:
    client, token = sign_in("applicant")
    body = {"title": "申请", "summary": "概述", "statement": "本人申请", "conduct_date": "2023-05-01"}
    refused = post(client, "/api/applications", body)
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    assert post(client, "/api/applications", body, "not-the-token").status_code == 403
    assert post(client, "/api/applications", body, token).status_code == 201
    assert client.get("/api/cases").status_code == 200  # reads need no token


def test_token_auth(world) -> None:
    client, token = sign_in("handler")
    issued = post(client, "/api/auth/tokens", {"name": "脚本", "days": 7}, token)
    assert issued.status_code == 201
    raw = issued.json()["token"]
    assert raw.startswith("rc_")
    api = Api(browser(), token=raw)  # CSRF enforced, but a bearer token needs none
    assert api.get("/me").json()["username"] == "handler"
    assert api.post("/matters", {"unit_id": world.unit.pk, "title": "t", "initiating_organ": "纪委"}).status_code == 400
    assert api.post("/auth/tokens", {"name": "再签"}).status_code == 401  # a token cannot mint tokens
    bad = Api(Client(), token="rc_not-a-real-token")
    response = bad.get("/cases")
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    assert Client().get("/api/cases").json()["message"].startswith("请先登录")


def test_logout_everywhere_invalidates_sessions_and_tokens(world) -> None:
    first, token = sign_in("handler")
    second, _ = sign_in("handler")
    raw = accounts.issue_token(world.handler)
    assert Api(Client(), token=raw).get("/me").status_code == 200
    assert post(first, "/api/auth/logout-everywhere", {}, token).status_code == 200
    assert first.get("/api/me").status_code == 401
    assert second.get("/api/me").status_code == 401
    assert Api(Client(), token=raw).get("/me").status_code == 401
    again, _ = sign_in("handler")
    assert again.get("/api/me").status_code == 200


def test_logout_ends_this_session_only(world) -> None:
    first, token = sign_in("handler")
    second, _ = sign_in("handler")
    assert post(first, "/api/auth/logout", {}, token).status_code == 200
    assert first.get("/api/me").status_code == 401
    assert second.get("/api/me").status_code == 200
    assert AuditRecord.objects.filter(action="auth.logout").count() == 1


def test_password_change_required_before_anything_else(world) -> None:
    accounts.create_user(None, "newbie", PASSWORD, "新人")
    accounts.grant_role(None, "newbie", "handler", jurisdiction="320000")
    client, token = sign_in("newbie")
    assert client.get("/api/me").json()["password_change_required"] is True
    refused = client.get("/api/cases")
    assert refused.status_code == 403 and refused.json()["error"] == "password_change_required"
    weak = post(client, "/api/auth/password", {"old_password": PASSWORD, "new_password": "short"}, token)
    assert weak.status_code == 400 and weak.json()["field"] == "password"
    wrong = post(client, "/api/auth/password", {"old_password": "nope", "new_password": "Another#2025pw"}, token)
    assert wrong.status_code == 400 and wrong.json()["field"] == "old_password"
    changed = post(client, "/api/auth/password", {"old_password": PASSWORD, "new_password": "Another#2025pw"}, token)
    assert changed.status_code == 200 and changed.json()["password_change_required"] is False
    assert client.get("/api/cases").status_code == 200  # this session survives the change


def test_disabled_account_is_signed_out(world) -> None:
    client, _ = sign_in("handler")
    admin, admin_token = sign_in("sysadmin")
    assert post(admin, "/api/admin/users/handler/disable", {}, admin_token).status_code == 200
    assert client.get("/api/me").status_code == 401
    login = browser()
    response = post(login, "/api/auth/login", credentials("handler"), csrf(login))
    assert response.status_code == 401
    assert post(admin, "/api/admin/users/handler/enable", {}, admin_token).status_code == 200
    sign_in("handler")


def test_administrators(world) -> None:
    admin, token = sign_in("sysadmin")
    made = post(admin, "/api/admin/users", {"username": "zhaoliu", "password": PASSWORD, "display_name": "赵六"}, token)
    assert made.status_code == 201 and made.json()["roles"] == []
    dup = post(admin, "/api/admin/users", {"username": "zhaoliu", "password": PASSWORD}, token)
    assert dup.status_code == 409 and dup.json()["field"] == "username"
    # the system administrator grants nothing; the security administrator creates no accounts
    grant = {"username": "zhaoliu", "role": "handler", "jurisdiction": "320000"}
    assert post(admin, "/api/admin/grants", grant, token).status_code == 404
    sec, sec_token = sign_in("secadmin")
    assert post(sec, "/api/admin/users", {"username": "x", "password": PASSWORD}, sec_token).status_code == 404
    granted = post(sec, "/api/admin/grants", grant, sec_token)
    assert granted.status_code == 201
    bad_scope = post(sec, "/api/admin/grants", {"username": "zhaoliu", "role": "investigator"}, sec_token)
    assert bad_scope.status_code == 400 and bad_scope.json()["field"] == "jurisdiction"
    users = sec.get("/api/admin/users", {"q": "zhaoliu"}).json()
    assert [u["username"] for u in users["items"]] == ["zhaoliu"] and users["items"][0]["roles"][0]["role"] == "handler"
    assert (
        sec.delete(f"/api/admin/grants/{granted.json()['id']}", headers={"X-CSRFToken": sec_token}).status_code == 200
    )
    assert sec.get("/api/admin/users", {"q": "zhaoliu"}).json()["items"][0]["roles"] == []
    assert admin.get("/api/admin/users").json()["total"] >= 15
    handler, _ = sign_in("handler")
    assert handler.get("/api/admin/users").status_code == 404


def test_staff_need_the_second_factor(world) -> None:
    User.objects.filter(username="investigator").update(totp_enabled=False)  # not enrolled yet
    client = browser()
    token = csrf(client)
    plain = {"username": "investigator", "password": PASSWORD}
    refused = post(client, "/api/auth/login", plain, token)
    assert refused.status_code == 403 and refused.json()["error"] == "totp_setup_required"
    code = code_for("investigator")
    missing = post(client, "/api/auth/login", plain, token)
    assert missing.status_code == 401 and missing.json()["field"] == "totp_code"
    wrong = post(client, "/api/auth/login", {**plain, "totp_code": "000000" if code != "000000" else "111111"}, token)
    assert wrong.status_code == 401 and wrong.json()["message"] == "验证码不正确"
    assert client.get("/api/me").status_code == 401
    ok = post(client, "/api/auth/login", {**plain, "totp_code": code}, token)
    assert ok.status_code == 200 and ok.json()["totp_setup_required"] is False
    assert AuditRecord.objects.filter(action="auth.totp", success=False).count() == 1
    applicant = browser()  # applicants are not staff: a password is enough
    signed = post(applicant, "/api/auth/login", {"username": "applicant", "password": PASSWORD}, csrf(applicant))
    assert signed.status_code == 200
