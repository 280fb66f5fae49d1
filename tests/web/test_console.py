"""The three administrators' consoles 「三员分立」: each only for its administrator (404 for everyone else),
none showing case contents; accounts, grants and the audit log driven through the pages."""

from __future__ import annotations

import datetime as dt
import json
import re

import pyotp
import pytest
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.accounts import totp
from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.accounts.roles import Role
from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions
from rongcuo.core import crypto

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

CONSOLES = {"sysadmin": "/console/accounts/", "secadmin": "/console/grants/", "auditadmin": "/console/audit/"}


def signed_in(user, enrol: bool = True) -> Client:
    c = Client()
    if enrol and totp.needs_second_factor(user):
        totp.start_enrolment(user)
        user.totp_enabled = True
        user.save()
    r = c.post("/login/", {"username": user.username, "password": PASSWORD})
    if r.status_code == 302 and r["Location"].startswith("/login/totp"):
        code = pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()
        r = c.post("/login/totp/", {"code": code})
    assert r.status_code == 302, r.content[:300]
    return c


def make_case(w):
    return actions.submit_application(
        w.applicant,
        {
            "title": "土地流转试点失误",
            "summary": "推进改革试点中出现失误",
            "statement": "申请容错",
            "conduct_date": "2023-05-01",
        },
    )


def test_each_console_only_for_its_administrator_and_without_case_contents(world) -> None:
    case = make_case(world)
    actions.read_case(world.handler, case.pk)  # a case read in the audit log
    for admin, own in CONSOLES.items():
        c = signed_in(getattr(world, admin))
        page = c.get(own)
        assert page.status_code == 200, admin
        body = page.content.decode()
        assert case.title not in body and "推进改革试点中出现失误" not in body
        assert f'href="{own}"' in body  # its own console is in the navigation, the others are not
        for other in set(CONSOLES.values()) - {own}:
            assert c.get(other).status_code == 404, (admin, other)
            assert f'href="{other}"' not in body
        assert c.get(f"/cases/{case.pk}/").status_code == 404
    staff = signed_in(world.handler)
    for url in [*CONSOLES.values(), "/console/audit/verify/", "/console/audit/checkpoints.json"]:
        assert staff.get(url).status_code == 404, url
    assert staff.post("/console/accounts/", {"username": "x"}).status_code == 404
    assert staff.post("/console/grants/", {"username": "x"}).status_code == 404


def test_sysadmin_creates_an_account_and_disables_it(world) -> None:
    c = signed_in(world.sysadmin)
    r = c.post("/console/accounts/", {"username": "zhaoliu", "password": "Abc#12345678", "password2": "other"})
    assert r.status_code == 400 and "两次输入的密码不一致" in r.content.decode()
    r = c.post("/console/accounts/", {"username": "zhaoliu", "password": "short", "password2": "short"})
    assert r.status_code == 400 and 'id="e-f-password"' in r.content.decode()
    r = c.post("/console/accounts/", {"username": "handler", "password": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 400 and "用户名已存在" in r.content.decode()
    r = c.post(
        "/console/accounts/",
        {"username": "zhaoliu", "display_name": "赵六", "password": PASSWORD, "password2": PASSWORD},
    )
    assert r.status_code == 302
    user = User.objects.get(username="zhaoliu")
    assert user.is_active and user.display_name == "赵六" and not user.must_change_password
    listing = c.get("/console/accounts/?q=zhaoliu").content.decode()
    assert "赵六" in listing and "停用" in listing
    r = c.post("/console/accounts/zhaoliu/active/", {"active": "0", "back": "/console/accounts/?q=zhaoliu"})
    assert r.status_code == 302 and r["Location"] == "/console/accounts/?q=zhaoliu"
    user.refresh_from_db()
    assert not user.is_active
    r = Client().post("/login/", {"username": "zhaoliu", "password": PASSWORD})
    assert r.status_code == 401  # the disabled account can no longer sign in
    assert (
        c.post("/console/accounts/zhaoliu/active/", {"active": "1", "back": "https://evil.example/"})["Location"]
        == "/console/accounts/"
    )
    user.refresh_from_db()
    assert user.is_active


def test_secadmin_grants_handler_and_the_user_then_sees_the_cases(world) -> None:
    case = make_case(world)
    accounts.create_user(None, "newhandler", PASSWORD, "新承办人", must_change_password=False)
    c = signed_in(world.secadmin)
    page = c.get("/console/grants/?within=320000").content.decode()
    assert "江苏省（320000）" in page and "江苏省某县发展和改革局" in page and "张三" in page
    r = c.post("/console/grants/", {"username": "newhandler", "role": "handler", "jurisdiction": ""})
    assert r.status_code == 400 and "须指定有效的管辖区划代码" in r.content.decode()
    r = c.post("/console/grants/", {"username": "newhandler", "role": "evaluator", "case": "RC-NO-SUCH"})
    assert r.status_code == 400 and 'id="e-case"' in r.content.decode()
    r = c.post("/console/grants/", {"username": "nobody", "role": "handler", "jurisdiction": "320000"})
    assert r.status_code == 400 and "账号不存在" in r.content.decode()
    r = c.post("/console/grants/", {"username": "newhandler", "role": "handler", "jurisdiction": "320000"})
    assert r.status_code == 302
    ra = RoleAssignment.objects.get(user__username="newhandler", revoked_at__isnull=True)
    assert ra.role == "handler" and ra.jurisdiction_id == "320000"
    assert "承办人：江苏省（320000）" in c.get("/console/grants/?q=newhandler").content.decode()
    r = c.post("/console/grants/", {"username": "sysadmin", "role": "handler", "jurisdiction": "320000"})
    assert r.status_code == 400 and "管理员账号" in r.content.decode()
    r = c.post("/console/grants/", {"username": "newhandler", "role": "evaluator", "case": case.number})
    assert r.status_code == 302
    new = signed_in(User.objects.get(username="newhandler"))
    assert case.number in new.get("/cases/").content.decode()
    assert new.get(f"/cases/{case.pk}/").status_code == 200
    evaluator = RoleAssignment.objects.get(user__username="newhandler", role="evaluator")
    r = c.post(f"/console/grants/{evaluator.pk}/revoke/", {"back": "/console/grants/?q=newhandler"})
    assert r.status_code == 302
    evaluator.refresh_from_db()
    assert evaluator.revoked_at is not None


def test_auditadmin_reads_filters_verifies_and_exports(world) -> None:
    Client().post("/login/", {"username": "handler", "password": "wrong"})  # a failure in the log
    c = signed_in(world.auditadmin)
    page = c.get("/console/audit/").content.decode()
    assert "登录<br><code class=\"hint\">auth.login</code>" in page and "创建账号<br>" in page and "失败" in page
    # Roles in Chinese, never their codes.
    role_cells = re.findall(r"<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td>[0-9a-f.:]*</td>", page)
    assert role_cells and not {r.value for r in Role} & set(role_cells)
    assert "系统（自动执行）" in role_cells
    only = c.get("/console/audit/?action=auth.login&user=handler&success=0").content.decode()
    assert "bad_password" in only and "<code class=\"hint\">account.create</code>" not in only and "共 1 条" in only
    prefix = c.get("/console/audit/?action=account.").content.decode()
    assert '<code class="hint">account.create</code>' in prefix
    assert '<code class="hint">auth.login</code>' not in prefix
    r = c.get("/console/audit/?date_from=2025-13-01")
    assert r.status_code == 400 and "应为日期" in r.content.decode()
    today = c.get("/console/audit/?date_from=2000-01-01&date_to=2999-12-31")
    assert today.status_code == 200 and "<code class=\"hint\">auth.login</code>" in today.content.decode()
    verify = c.get("/console/audit/verify/")
    body = verify.content.decode()
    assert verify.status_code == 200 and "审计链完好" in body and "第一条异常记录" in body and "已校验记录" in body
    export = c.get("/console/audit/checkpoints.json")
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    assert json.loads(export.content)["format"] == "rongcuo-audit-checkpoints"
    actions_logged = set(AuditRecord.objects.filter(username="auditadmin").values_list("action", flat=True))
    assert {"audit.read", "audit.verify", "audit.export"} <= actions_logged


def test_administrators_land_on_their_console(world) -> None:
    for admin, own in CONSOLES.items():
        r = signed_in(getattr(world, admin)).get("/")
        assert r.status_code == 302 and r["Location"] == own, admin
    assert signed_in(world.handler).get("/").status_code == 200  # staff keep their workbench


def test_sysadmin_lifts_a_lockout_and_it_is_audited(world) -> None:
    from django.utils import timezone

    target = world.handler
    User.objects.filter(pk=target.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=20), failed_logins=5)
    c = signed_in(world.sysadmin)
    page = c.get("/console/accounts/").content.decode()
    assert "登录锁定至" in page and f'aria-label="解除账号 {target.username} 的登录锁定"' in page
    assert signed_in(world.secadmin).post(f"/console/accounts/{target.username}/unlock/").status_code == 404
    r = c.post(f"/console/accounts/{target.username}/unlock/", follow=True)
    assert "已解除登录锁定" in r.content.decode()
    target.refresh_from_db()
    assert target.locked_until is None and target.failed_logins == 0
    rec = AuditRecord.objects.filter(action="account.unlock").get()
    assert rec.object_id == target.username and rec.username == world.sysadmin.username
    r = c.post(f"/console/accounts/{target.username}/unlock/", follow=True)  # not locked any more
    assert "当前未被锁定" in r.content.decode()
    assert AuditRecord.objects.filter(action="account.unlock").count() == 1


def test_a_role_held_several_times_is_named_once(world) -> None:
    from rongcuo.web.views.console import role_summary

    class A:
        def __init__(self, role: str) -> None:
            self.role = role

        def get_role_display(self) -> str:
            return Role(self.role).label

    names = role_summary([A("evaluator"), A("evaluator"), A("handler")])
    assert names == ["第三方评估人（2 个案件）", "承办人"]
