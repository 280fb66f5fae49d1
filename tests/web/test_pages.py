"""Server-side checks of the workbench pages (the browser tests drive the same pages in Chromium)."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.test import Client

from rongcuo.accounts import totp
from rongcuo.accounts.models import User
from rongcuo.cases import actions
from rongcuo.core import crypto

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


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


def test_login_lockout_and_messages(world) -> None:
    c = Client()
    for _ in range(5):
        r = c.post("/login/", {"username": "handler", "password": "wrong"})
        assert r.status_code == 401 and "用户名或密码错误" in r.content.decode()
    r = c.post("/login/", {"username": "handler", "password": PASSWORD})
    # locked: the right password is answered like a wrong one (an anonymous caller cannot tell)
    assert r.status_code == 401 and r.context["error"] == "用户名或密码错误（连续错误 5 次，账号将锁定 10 分钟）"


def test_staff_must_enrol_totp_with_local_qr(world) -> None:
    User.objects.filter(username="handler").update(totp_enabled=False)  # not enrolled yet
    c = Client()
    r = c.post("/login/", {"username": "handler", "password": PASSWORD})
    assert r.status_code == 302
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].endswith("/account/totp/")
    page = c.get("/account/totp/").content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    world.handler.refresh_from_db()
    code = pyotp.TOTP(crypto.decrypt(world.handler.totp_secret_enc)).now()
    r = c.post("/account/totp/", {"code": "000000" if code != "000000" else "111111"})
    assert r.status_code == 400
    r = c.post("/account/totp/", {"code": code})
    assert r.status_code == 302
    assert c.get("/").status_code == 200


def test_second_factor_required_at_login(world) -> None:
    user = world.handler
    totp.start_enrolment(user)
    user.totp_enabled = True
    user.save()
    c = Client()
    r = c.post("/login/", {"username": "handler", "password": PASSWORD})
    assert r["Location"].startswith("/login/totp")
    assert c.get("/").status_code == 302  # not signed in until the code is given
    r = c.post(
        "/login/totp/",
        {"code": "123456" if pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now() != "123456" else "654321"},
    )
    assert r.status_code == 401


def test_forced_password_change(world) -> None:
    u = world.applicant
    u.must_change_password = True
    u.save()
    c = signed_in(u)
    r = c.get("/")
    assert r["Location"].endswith("/account/password/")
    r = c.post("/account/password/", {"old_password": PASSWORD, "new_password": "short", "new_password2": "short"})
    assert r.status_code == 400 and "密码" in r.content.decode()
    assert c.get("/")["Location"].endswith("/account/password/")  # still forced
    r = c.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password": "Another#Pass2026", "new_password2": "Another#Pass2026"},
    )
    assert r.status_code == 302
    assert c.get("/").status_code == 200


def test_workbench_case_list_detail_and_action_form(world) -> None:
    w = world
    case = make_case(w)
    c = signed_in(w.unit_reviewer)
    page = c.get("/").content.decode()
    assert case.number in page and "同意并报送" in page
    assert case.number in c.get("/cases/").content.decode()
    detail = c.get(f"/cases/{case.pk}/").content.decode()
    assert "规则评估" in detail and "下一步需要查明" in detail and "时间线" in detail
    form = c.get(f"/cases/{case.pk}/act/endorse/").content.decode()
    assert "党委（党组）讨论记录" in form
    r = c.post(f"/cases/{case.pk}/act/endorse/", {"discussion": "", "opinion": "同意", "version": case.version})
    assert r.status_code == 400 and "不能为空" in r.content.decode()
    r = c.post(
        f"/cases/{case.pk}/act/endorse/", {"discussion": "党组会讨论", "opinion": "同意", "version": case.version}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.stage == "acceptance"


def test_outside_scope_looks_missing(world) -> None:
    w = world
    case = make_case(w)
    c = signed_in(w.outsider)
    assert c.get(f"/cases/{case.pk}/").status_code == 404
    assert c.get("/cases/999999/").status_code == 404
    assert case.number not in c.get("/cases/").content.decode()


def test_facts_checklist_sets_fact(world) -> None:
    w = world
    case = make_case(w)
    actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "d", "opinion": "o"})
    actions.transition(w.handler, case.pk, "accept", {})
    c = signed_in(w.investigator)
    r = c.post(
        f"/cases/{case.pk}/facts/", {"fact": "violates_discipline_or_law", "value": "false", "comment": "经核查未违反"}
    )
    assert r.status_code == 302
    assert case.facts.get(fact="violates_discipline_or_law").value is False
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert "经核查未违反" in page
    assert re.search(r"期限", page)


def test_apply_page_individual_and_validation(world) -> None:
    c = signed_in(world.applicant)
    assert "个人申请容错" in c.get("/apply/").content.decode()
    r = c.post("/apply/", {"title": "", "summary": "s", "statement": "申请"})
    assert r.status_code == 400 and "不能为空" in r.content.decode()
    # Every wrong field is marked beside its input; the top line names each once, in Chinese.
    r = c.post("/apply/", {"title": "", "summary": "", "statement": "申请", "conduct_date": "2024-13-01"})
    page = r.content.decode()
    top = re.search(r'<p class="error" role="alert">([^<]*)</p>', page).group(1)
    assert top.startswith("请修改标出的 3 处：") and "标题" in top and "情况摘要" in top, top
    assert "title" not in top and "summary" not in top and top.count("标题") == 1
    assert page.count("不能为空") == 2 and "应为日期" in page  # beside each field, not repeated at the top
    assert "title:" not in page and "summary:" not in page
    r = c.post(
        "/apply/",
        {"title": "试点失误", "summary": "推进改革中出现失误", "statement": "本人申请", "conduct_date": "2024-03-01"},
    )
    assert r.status_code == 302 and "/cases/" in r["Location"]


def test_matters_page_opens_proactive_review(world) -> None:
    c = signed_in(world.handler)
    assert "登记问责事项" in c.get("/matters/").content.decode()
    r = c.post(
        "/matters/",
        {
            "unit_id": world.unit.pk,
            "cadre_id": world.cadre.pk,
            "title": "审批失误问责",
            "initiating_organ": "省纪委",
            "started_on": "2025-01-06",
        },
    )
    assert r.status_code == 302 and "/cases/" in r["Location"]  # 江苏: review opens with the matter


def test_prefiling_pages(world) -> None:
    c = signed_in(world.unit_contact)
    r = c.post(
        "/prefilings/",
        {
            "unit_id": world.unit.pk,
            "title": "容缺受理",
            "measure": "容缺受理改革",
            "risks": "材料不全",
            "safeguards": "事后补正",
            "expected_effect": "提速",
        },
    )
    assert r.status_code == 302
    h = signed_in(world.handler)
    page = h.get("/prefilings/").content.decode()
    assert "容缺受理" in page and "受理" in page
    from rongcuo.cases.models import PreFiling

    pre = PreFiling.objects.get()
    r = h.post(f"/prefilings/{pre.pk}/review/", {"decision": "acknowledge", "response": "同意"})
    pre.refresh_from_db()
    assert pre.status == "acknowledged"
    assert (
        signed_in(world.outsider)
        .post(f"/prefilings/{pre.pk}/review/", {"decision": "return", "response": "x"})
        .status_code
        == 404
    )


def test_wrong_codes_lock_the_account_even_with_the_right_password(world) -> None:
    user = world.handler
    totp.start_enrolment(user)
    user.totp_enabled = True
    user.save()
    right = pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        c = Client()
        assert c.post("/login/", {"username": "handler", "password": PASSWORD})["Location"].startswith("/login/totp")
        c.post("/login/totp/", {"code": wrong})
    r = Client().post("/login/", {"username": "handler", "password": PASSWORD})
    assert r.status_code == 401 and r.context["error"].startswith("用户名或密码错误")
    assert User.objects.get(username="handler").locked_until is not None


def test_totp_code_cannot_be_replayed(world) -> None:
    user = world.handler
    totp.start_enrolment(user)
    user.totp_enabled = True
    user.save()
    code = pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()
    c = Client()
    c.post("/login/", {"username": "handler", "password": PASSWORD})
    assert c.post("/login/totp/", {"code": code}).status_code == 302
    c2 = Client()
    c2.post("/login/", {"username": "handler", "password": PASSWORD})
    assert c2.post("/login/totp/", {"code": code}).status_code == 401
