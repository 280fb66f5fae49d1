"""Password spraying and account probing: failed sign-ins are counted per address (accounts/throttle.py), and an
unknown account costs the same work and gets the same answer as a wrong password or a locked account."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from unittest import mock

import django_ratelimit.core
import pyotp
import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client

from rongcuo.accounts import throttle
from rongcuo.accounts.models import User
from rongcuo.audit.models import AuditRecord
from rongcuo.core import crypto
from tests.cases.conftest import PASSWORD, World

pytestmark = pytest.mark.django_db

SPRAYER, NEIGHBOUR = "203.0.113.7", "203.0.113.8"
TARGETS = ["applicant", "unit_contact", "unit_reviewer", "handler", "investigator", "secretary", "org_liaison",
           "publisher", "outsider", "evaluator"]  # fmt: skip


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """django-ratelimit counts in fixed windows of wall-clock time: hold its clock still, so that the attempts of
    a test never straddle the end of a window (moved on by hand where a test wants the window over)."""
    now = SimpleNamespace(t=1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now.t))
    return now


def api_login(username: str, password: str, ip: str, **extra: Any) -> Any:
    body = json.dumps({"username": username, "password": password, **extra})
    return Client().post("/api/auth/login", body, content_type="application/json", REMOTE_ADDR=ip)


def web_login(username: str, password: str, ip: str) -> Any:
    return Client().post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def spray(login: Any, ip: str = SPRAYER) -> None:
    """40 wrong passwords over 10 accounts (4 each: below the per-account lockout of 5)."""
    for i in range(40):
        response = login(TARGETS[i % len(TARGETS)], f"Guess#{i:04d}x", ip)
        assert response.status_code == 401, (i, response.content[:200])


def test_the_41st_attempt_from_one_address_is_refused_on_the_api(world: World, clock: SimpleNamespace) -> None:
    spray(api_login)
    refused = api_login("applicant", PASSWORD, SPRAYER)  # the right password, refused all the same
    assert refused.status_code == 429
    assert refused.json() == {
        "error": "throttled",
        "message": "该网络地址登录失败次数过多，请 10 分钟后再试",
        "field": None,
    }
    record = AuditRecord.objects.filter(action="auth.login").latest("seq")
    assert (record.success, record.ip, json.loads(record.detail)) == (False, SPRAYER, {"reason": "throttled"})
    assert api_login("applicant", PASSWORD, NEIGHBOUR).status_code == 200  # another address is not affected
    assert not User.objects.filter(username__in=TARGETS, locked_until__isnull=False).exists()
    clock.t += 601  # the window is over
    assert api_login("applicant", PASSWORD, SPRAYER).status_code == 200


def test_the_41st_attempt_from_one_address_is_refused_on_the_web(world: World, clock: SimpleNamespace) -> None:
    spray(web_login)
    refused = web_login("applicant", PASSWORD, SPRAYER)
    assert refused.status_code == 429
    assert "该网络地址登录失败次数过多，请 10 分钟后再试" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    assert web_login("applicant", PASSWORD, NEIGHBOUR).status_code == 302


def test_web_and_api_failures_count_together_and_so_do_wrong_codes(world: World, clock: SimpleNamespace) -> None:
    for i in range(20):
        assert web_login(TARGETS[i % 5], "Wrong#pass1x", SPRAYER).status_code == 401
    for i in range(15):
        assert api_login(TARGETS[5 + i % 5], "Wrong#pass1x", SPRAYER).status_code == 401
    user = User.objects.get(username="sysadmin")  # not one of the accounts above
    wrong = "000000" if pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now() != "000000" else "111111"
    for _ in range(4):  # the right password with a wrong code: a failure too
        assert api_login("sysadmin", PASSWORD, SPRAYER, totp_code=wrong).status_code == 401
    client = Client(REMOTE_ADDR=SPRAYER)
    assert client.post("/login/", {"username": "sysadmin", "password": PASSWORD}).status_code == 302
    assert client.post("/login/totp/", {"code": wrong}).status_code in (302, 401)  # the 40th failure (and a lockout)
    assert client.post("/login/", {"username": "applicant", "password": PASSWORD}).status_code == 429


def test_successful_sign_ins_are_not_counted(world: World, clock: SimpleNamespace) -> None:
    """An office of many users behind one address is not shut out by its own sign-ins."""
    for _ in range(45):
        assert api_login("applicant", PASSWORD, SPRAYER).status_code == 200


def test_ipv6_addresses_count_by_their_64_bit_prefix() -> None:
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == throttle.address_key("2001:db8:1:2:bbbb::9")
    assert throttle.address_key("2001:db8:1:2::1") != throttle.address_key("2001:db8:1:3::1")
    assert throttle.address_key("198.51.100.4") == "198.51.100.4"
    assert throttle.address_key("") == "unknown"


def test_the_counters_table_is_made_by_the_migrations() -> None:
    """`migrate` alone prepares it (scripts/run on a fresh machine, SQLite or PostgreSQL)."""
    assert "rongcuo_throttle" in connection.introspection.table_names()


# --- unknown, wrong, locked and disabled accounts look the same ---------------------------------------------


def test_unknown_wrong_locked_and_disabled_accounts_answer_byte_for_byte_alike(world: World) -> None:
    ip = "198.51.100.20"
    for _ in range(5):
        api_login("unit_contact", "Wrong#pass1x", ip)
    User.objects.filter(username="unit_reviewer").update(is_active=False)
    answers = {
        "unknown": api_login("nobody_here", "Wrong#pass1x", ip),
        "wrong password": api_login("applicant", "Wrong#pass1x", ip),
        "locked, right password": api_login("unit_contact", PASSWORD, ip),
        "disabled, right password": api_login("unit_reviewer", PASSWORD, ip),
    }
    first = answers["unknown"]
    for name, response in answers.items():
        assert (response.status_code, response.content) == (first.status_code, first.content), name
    assert first.status_code == 401 and "已锁定" not in first.json()["message"]
    reasons = [json.loads(r.detail)["reason"] for r in AuditRecord.objects.filter(action="auth.login").order_by("seq")]
    assert reasons[-4:] == ["unknown_user", "bad_password", "locked", "disabled"]  # the audit record tells


def test_the_web_answers_unknown_and_locked_accounts_alike(world: World) -> None:
    ip = "198.51.100.21"
    for _ in range(5):
        web_login("unit_contact", "Wrong#pass1x", ip)
    unknown = web_login("nobody_here", "Wrong#pass1x", ip)
    locked = web_login("unit_contact", PASSWORD, ip)
    assert unknown.status_code == locked.status_code == 401
    assert unknown.context["error"] == locked.context["error"]
    assert "已锁定" not in locked.content.decode()


def test_the_password_hasher_runs_for_unknown_accounts_as_for_known_ones(world: World) -> None:
    """Equal work: a password is hashed whether or not the account exists (the tests' hasher is MD5)."""
    original = MD5PasswordHasher.encode
    calls = []

    def spy(self: MD5PasswordHasher, password: str, salt: str) -> str:
        calls.append(password)
        return original(self, password, salt)

    counts = {}
    with mock.patch.object(MD5PasswordHasher, "encode", spy):
        for name, username in (("unknown", "nobody_here"), ("known", "applicant")):
            calls.clear()
            assert api_login(username, "Probe#pass1x", "198.51.100.22").status_code == 401
            counts[name] = calls.count("Probe#pass1x")
    assert counts["unknown"] >= 1 and counts["unknown"] == counts["known"]
