"""The second factor cannot be bypassed: a staff or administrator account without one reaches, by session or by
token, nothing but enrolment, password change, /api/me and sign-out; a token or session never outlives the
factor state it was opened under (enrolment and reset move the session epoch)."""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.accounts.models import ApiToken, User
from rongcuo.audit.models import AuditRecord
from rongcuo.core import crypto
from rongcuo.core.errors import Forbidden
from tests.cases.conftest import PASSWORD, World

pytestmark = pytest.mark.django_db

SETUP = "totp_setup_required"


def unenrol(*names: str) -> None:
    User.objects.filter(username__in=names).update(totp_enabled=False, totp_secret_enc="")


def code_of(username: str) -> str:
    """The current code of the user's secret, usable again (a later 30-second window, for the test)."""
    User.objects.filter(username=username).update(totp_last_step=0)
    user = User.objects.get(username=username)
    return pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()


def web_password_only(username: str) -> Client:
    """A web session opened with the password alone (what an account without a second factor gets)."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/", response.content[:300]
    return client


def post(client: Client, path: str, data: Any = None, **headers: str) -> Any:
    return client.post(path, json.dumps(data or {}), content_type="application/json", headers=headers)


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def assert_confined(response: Any) -> None:
    assert response.status_code == 403, response.content[:300]
    body = response.json()
    assert body["error"] == SETUP and "二次验证" in body["message"], body


@pytest.mark.parametrize(
    ("username", "reads", "writes"),
    [
        ("handler", ["/api/cases", "/api/reminders", "/api/search/cases?q=容错"], []),
        ("sysadmin", ["/api/admin/users"], [("/api/admin/users", {"username": "x1", "password": PASSWORD})]),
        ("secadmin", ["/api/admin/users"], [("/api/admin/grants", {"username": "applicant", "role": "publisher"})]),
        ("auditadmin", ["/api/audit", "/api/audit/verify"], []),
    ],
)
def test_a_session_without_the_second_factor_reaches_nothing_on_the_api(
    world: World, username: str, reads: list[str], writes: list[tuple[str, dict[str, Any]]]
) -> None:
    unenrol(username)
    client = web_password_only(username)
    for path in reads:
        assert_confined(client.get(path))
    for path, body in writes:
        assert_confined(post(client, path, body))
    assert_confined(post(client, "/api/auth/tokens", {"name": "脚本", "days": 365}))  # no token to take away
    assert not ApiToken.objects.filter(user__username=username).exists()
    me = client.get("/api/me")
    assert me.status_code == 200 and me.json()["totp_setup_required"] is True
    refused = AuditRecord.objects.filter(action="auth.second_factor", username=username, success=False)
    assert refused.count() == len(reads) + len(writes) + 1
    assert json.loads(refused.first().detail)["reason"] == "not_enrolled"
    assert post(client, "/api/auth/logout").status_code == 200
    assert client.get("/api/me").status_code == 401


def test_the_web_session_is_confined_to_enrolment_password_and_sign_out(world: World) -> None:
    unenrol("handler")
    client = web_password_only("handler")
    for page in ("/", "/cases/", "/matters/", "/standing/", "/console/accounts/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].endswith("/account/totp/"), page
    assert client.get("/account/totp/").status_code == 200
    assert client.get("/account/password/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/api/me").status_code == 401


def test_a_token_of_an_account_without_the_second_factor_is_refused(world: World) -> None:
    """A token minted while the account held no staff role (or by a script) admits nothing but the sign-in
    endpoints once the account must have a second factor."""
    unenrol("publisher")
    raw = accounts.issue_token(User.objects.get(username="publisher"), days=365)
    client = Client()
    assert_confined(client.get("/api/cases", headers=bearer(raw)))
    assert_confined(client.get("/api/stats/summary", headers=bearer(raw)))
    assert client.get("/api/me", headers=bearer(raw)).json()["totp_setup_required"] is True
    assert json.loads(AuditRecord.objects.filter(action="auth.second_factor").latest("seq").detail)["via"] == "token"


def test_enrolment_ends_tokens_and_other_sessions_opened_before_it(world: World) -> None:
    unenrol("handler")
    handler = User.objects.get(username="handler")
    early_token = accounts.issue_token(handler, days=365)
    other = web_password_only("handler")  # e.g. someone else who knows the password, in another browser
    mine = web_password_only("handler")
    assert mine.get("/account/totp/").status_code == 200  # a secret, shown as a QR code
    wrong = "000000" if code_of("handler") != "000000" else "111111"
    assert mine.post("/account/totp/", {"code": wrong}).status_code == 400
    assert mine.post("/account/totp/", {"code": code_of("handler")}).status_code == 302
    assert User.objects.get(username="handler").totp_enabled
    # the enrolling session carries on, with the second factor now behind it
    assert mine.get("/api/cases").status_code == 200
    assert mine.get("/").status_code == 200
    # the token minted before enrolment, and the other password-only session, are finished
    assert Client().get("/api/cases", headers=bearer(early_token)).status_code == 401
    assert other.get("/api/cases").status_code == 401
    assert other.get("/")["Location"].startswith("/login/")
    assert AuditRecord.objects.filter(action="auth.totp_enrol", username="handler", success=True).count() == 1


def test_tokens_minted_after_enrolment_work_until_the_factor_is_reset(world: World) -> None:
    client = Client()
    signed = post(
        client, "/api/auth/login", {"username": "handler", "password": PASSWORD, "totp_code": code_of("handler")}
    )
    assert signed.status_code == 200
    minted = post(client, "/api/auth/tokens", {"name": "脚本", "days": 365})
    assert minted.status_code == 201
    raw = minted.json()["token"]
    assert Client().get("/api/cases", headers=bearer(raw)).status_code == 200

    admin = Client()
    admin_code = code_of("sysadmin")
    signed = post(admin, "/api/auth/login", {"username": "sysadmin", "password": PASSWORD, "totp_code": admin_code})
    assert signed.status_code == 200
    reset = post(admin, "/api/admin/users/handler/totp-reset")
    assert reset.status_code == 200 and reset.json() == {"username": "handler", "totp_enabled": False}
    assert AuditRecord.objects.filter(action="account.totp_reset", object_id="handler", username="sysadmin").exists()

    assert Client().get("/api/cases", headers=bearer(raw)).status_code == 401  # the token ended with the factor
    assert client.get("/api/cases").status_code == 401  # and so did the session
    again = web_password_only("handler")  # a password alone opens only enrolment now
    assert_confined(again.get("/api/cases"))
    assert again.get("/cases/")["Location"].endswith("/account/totp/")


def test_a_token_dies_with_the_epoch_it_was_issued_under(world: World) -> None:
    handler = User.objects.get(username="handler")
    raw = accounts.issue_token(handler, days=365)
    assert Client().get("/api/cases", headers=bearer(raw)).status_code == 200
    assert ApiToken.objects.get(user=handler).session_epoch == handler.session_epoch
    User.objects.filter(pk=handler.pk).update(session_epoch=handler.session_epoch + 1)  # anything moving the epoch
    response = Client().get("/api/cases", headers=bearer(raw))
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"


def test_administrators_second_factor_and_password_are_not_the_system_administrators_to_reset(world: World) -> None:
    sysadmin = User.objects.get(username="sysadmin")
    for target in ("secadmin", "auditadmin", "sysadmin"):
        for reset in (
            lambda t: accounts.reset_second_factor(sysadmin, t),
            lambda t: accounts.reset_password(sysadmin, t, "Temp#Word2049x"),
        ):
            with pytest.raises(Forbidden):
                reset(target)
    assert User.objects.get(username="auditadmin").totp_enabled
    with pytest.raises(Forbidden):  # and only the system administrator resets at all
        accounts.reset_second_factor(User.objects.get(username="secadmin"), "handler")


def test_an_enrolled_account_gives_its_code_even_without_a_staff_role(world: World) -> None:
    """An applicant who enrolled voluntarily enters the code too: a session of an enrolled account has always
    passed it, so a staff role granted later finds no session opened with a password alone."""
    from tests.cases.conftest import enrol

    enrol(User.objects.get(username="applicant"))
    response = Client().post("/login/", {"username": "applicant", "password": PASSWORD})
    assert response["Location"].startswith("/login/totp")
    api = Client()
    assert post(api, "/api/auth/login", {"username": "applicant", "password": PASSWORD}).status_code == 401
    ok = post(
        api, "/api/auth/login", {"username": "applicant", "password": PASSWORD, "totp_code": code_of("applicant")}
    )
    assert ok.status_code == 200


def test_accounts_without_a_staff_role_need_no_second_factor(world: World) -> None:
    client = web_password_only("applicant")
    assert client.get("/api/cases").status_code == 200
    assert client.get("/").status_code == 200
