"""The password rules (accounts/passwords.py) on every path that sets a password, with Chinese messages."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.accounts.models import PasswordHistory, User
from rongcuo.audit.models import AuditRecord
from rongcuo.core.errors import Invalid
from tests.cases.conftest import PASSWORD, World

pytestmark = pytest.mark.django_db

# What the outside review saw accepted, and what each must now be told.
WEAK = {
    "Password@2025": "过于常见",
    "Admin12345!": "过于常见",
    "2025@Welcome": "过于常见",
    "P@ssw0rd#2026": "过于常见",
    "Qwer1234!xyz": "过于常见",
    "Yangchunlin1": "用户名或姓名",
    "Chunlin#2049x": "用户名或姓名",  # the given name's pinyin
    "YANG@chun1in77": "用户名或姓名",  # any case, look-alike digits
    " " * 9 + "Aa1": "空白字符",
    "Aa1" + " " * 9 + "x": "空白字符",
    "Ab#1cd": "密码长度至少为 10 个字符",
    "abcdefghijkl": "至少三类",
}
GOOD = "Xk9#Lq2!mZ"


def yang() -> User:
    return accounts.create_user(None, "yangchunlin", PASSWORD, "杨春林", must_change_password=False)


def post(client: Client, path: str, data: Any) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json")


def assert_chinese(message: str) -> None:
    """No English sentence: Latin letters only in the examples the message gives."""
    words = set(re.findall(r"[A-Za-z]{3,}", message)) - {"Password", "Admin", "TOTP"}
    assert not words, message


@pytest.mark.parametrize(("password", "told"), WEAK.items())
def test_weak_passwords_are_refused_in_chinese(world: World, password: str, told: str) -> None:
    user = yang()
    with pytest.raises(Invalid) as refused:
        accounts.change_password(user, PASSWORD, password)
    assert told in refused.value.message and refused.value.field == "password"
    assert_chinese(refused.value.message)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_good_password_is_accepted(world: World) -> None:
    user = yang()
    accounts.change_password(user, PASSWORD, GOOD)
    assert User.objects.get(pk=user.pk).check_password(GOOD)


def test_none_of_the_last_five_passwords_again(world: World) -> None:
    user = yang()
    chain = [PASSWORD, "Kp7#Wq2!vN", "Tz4$Rm8@bQ", "Hc6%Jd3^sL", "Mf9&Gv5*yE"]  # the current one and four more
    for old, new in itertools.pairwise(chain):
        accounts.change_password(user, old, new)
    for earlier in chain[:-1]:  # each of the last five, the current one included, is refused
        with pytest.raises(Invalid) as refused:
            accounts.change_password(user, chain[-1], earlier)
        assert "最近 5 次" in refused.value.message
    accounts.change_password(user, chain[-1], "Bw3!Ux7#kD")  # a sixth; now the first has dropped out
    accounts.change_password(user, "Bw3!Ux7#kD", PASSWORD)
    kept = PasswordHistory.objects.filter(user=user)
    assert kept.count() == settings.RONGCUO_PASSWORD_HISTORY == 5
    assert all(h.password.startswith("md5$") and PASSWORD not in h.password for h in kept)  # hashes, never text


def test_the_history_length_is_a_setting(world: World, settings) -> None:
    settings.RONGCUO_PASSWORD_HISTORY = 2
    user = yang()
    accounts.change_password(user, PASSWORD, "Kp7#Wq2!vN")
    accounts.change_password(user, "Kp7#Wq2!vN", "Tz4$Rm8@bQ")
    accounts.change_password(user, "Tz4$Rm8@bQ", PASSWORD)  # two back: allowed with N = 2


def test_every_path_that_sets_a_password_applies_the_rules(world: World) -> None:
    sysadmin = Client()
    sysadmin.force_login(world.sysadmin)
    # account creation by the system administrator
    made = post(
        sysadmin, "/api/admin/users", {"username": "yangchunlin", "password": "Yangchunlin1", "display_name": "杨春林"}
    )
    assert made.status_code == 400 and made.json()["field"] == "password" and "用户名或姓名" in made.json()["message"]
    made = post(sysadmin, "/api/admin/users", {"username": "yangchunlin", "password": GOOD, "display_name": "杨春林"})
    assert made.status_code == 201
    # the system administrator's reset
    reset = post(sysadmin, "/api/admin/users/yangchunlin/password", {"password": "Password@2025"})
    assert reset.status_code == 400 and "过于常见" in reset.json()["message"]
    reset = post(sysadmin, "/api/admin/users/yangchunlin/password", {"password": GOOD})  # the current one again
    assert reset.status_code == 400 and "最近 5 次" in reset.json()["message"]
    reset = post(sysadmin, "/api/admin/users/yangchunlin/password", {"password": "Kp7#Wq2!vN"})
    assert reset.status_code == 200 and reset.json()["password_change_required"] is True
    assert AuditRecord.objects.filter(action="account.password_reset", object_id="yangchunlin").count() == 1
    # the forced change at the first sign-in, on the API and on the web
    api = Client()
    assert post(api, "/api/auth/login", {"username": "yangchunlin", "password": "Kp7#Wq2!vN"}).status_code == 200
    assert api.get("/api/cases").json()["error"] == "password_change_required"
    again = post(api, "/api/auth/password", {"old_password": "Kp7#Wq2!vN", "new_password": " " * 9 + "Aa1"})
    assert again.status_code == 400 and "空白字符" in again.json()["message"]
    web = Client()
    assert web.post("/login/", {"username": "yangchunlin", "password": "Kp7#Wq2!vN"})["Location"] == "/"
    assert web.get("/")["Location"].endswith("/account/password/")
    form = {"old_password": "Kp7#Wq2!vN", "new_password": "Ab#1cd", "new_password2": "Ab#1cd"}
    page = web.post("/account/password/", form)
    assert page.status_code == 400 and "密码长度至少为 10 个字符" in page.content.decode()  # shown by its field
    form = {"old_password": "Kp7#Wq2!vN", "new_password": "Tz4$Rm8@bQ", "new_password2": "Tz4$Rm8@bQ"}
    assert web.post("/account/password/", form).status_code == 302


def test_the_console_reset_applies_the_rules(world: World) -> None:
    yang()
    from tests.web.test_console import signed_in

    console = signed_in(world.sysadmin)
    page = console.post(
        "/console/accounts/yangchunlin/reset/",
        {"what": "password", "password": "Yangchunlin1", "password2": "Yangchunlin1"},
    )
    assert page.status_code == 400 and "用户名或姓名" in page.content.decode()
    page = console.post(
        "/console/accounts/yangchunlin/reset/", {"what": "password", "password": GOOD, "password2": GOOD}
    )
    assert page.status_code == 302
    user = User.objects.get(username="yangchunlin")
    assert user.check_password(GOOD) and user.must_change_password
    refused = console.post("/console/accounts/auditadmin/reset/", {"what": "totp"})
    assert refused.status_code == 400 and "三员分立" in refused.content.decode()


def test_chinese_is_the_language() -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert all(v["NAME"].startswith("rongcuo.") for v in settings.AUTH_PASSWORD_VALIDATORS)
