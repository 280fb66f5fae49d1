"""Whole flows in Chromium, switching between the people who act."""

from __future__ import annotations

import pyotp
import pytest

from rongcuo.accounts.models import User
from rongcuo.cases.models import Case
from rongcuo.core import crypto

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(s, username: str) -> None:  # type: ignore[no-untyped-def]
    s.go("/login/")
    s.page.fill("#username", username)
    s.page.fill("#password", PASSWORD)
    s.page.click("main form button[type=submit]")
    if "/account/totp/" in s.page.url:  # staff enrol a second factor on first sign-in
        user = User.objects.get(username=username)
        assert s.page.locator(".qr svg").count() == 1
        code = pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()
        s.page.fill("#code", code)
        s.page.click("main form button[type=submit]")
    elif "/login/totp/" in s.page.url:
        user = User.objects.get(username=username)
        User.objects.filter(pk=user.pk).update(totp_last_step=0)  # a later time window
        s.page.fill("#code", pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now())
        s.page.click("main form button[type=submit]")
    assert "/login" not in s.page.url and "/account/" not in s.page.url, s.page.inner_text("main")


def act(s, case: Case, verb: str, fields: dict[str, str], check: dict[str, bool] | None = None) -> None:  # type: ignore[no-untyped-def]
    s.go(f"/cases/{case.pk}/act/{verb}/")
    for name, value in fields.items():
        el = s.page.locator(f"[name={name}]")
        if el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(value)
        else:
            el.fill(value)
    for name, on in (check or {}).items():
        if on:
            s.page.check(f"[name={name}]")
    s.page.click("form.card button[type=submit]")
    assert f"/cases/{case.pk}/" in s.page.url and "/act/" not in s.page.url, s.page.content()[:500]


def set_fact(s, case: Case, fact: str, value: str) -> None:  # type: ignore[no-untyped-def]
    form = s.page.locator(f"form.inline:has(input[name=fact][value={fact}])")
    form.locator("select[name=value]").select_option(value)
    form.locator("input[name=comment]").fill("经调查核实")
    form.locator("button").click()


def test_application_to_decision_with_role_switching(world, open_session) -> None:
    applicant = open_session("applicant")
    sign_in(applicant, "applicant")
    applicant.go("/apply/")
    applicant.shot("apply")
    applicant.page.fill("[name=title]", "")
    applicant.page.click("form.card button[type=submit]")
    assert applicant.page.locator(".error").first.is_visible()  # validation message shown, nothing created
    assert Case.objects.count() == 0
    applicant.page.fill("[name=title]", "先行先试土地流转试点出现失误")
    applicant.page.fill("[name=summary]", "推进农村土地流转试点，因缺乏经验造成损失")
    applicant.page.fill("[name=statement]", "本人申请容错免责")
    applicant.page.fill("[name=conduct_date]", "2024-03-01")
    applicant.page.click("form.card button[type=submit]")
    case = Case.objects.get()
    assert case.stage == "unit_review"
    applicant.shot("case-detail-applicant")

    reviewer = open_session("reviewer")
    sign_in(reviewer, "unit_reviewer")
    reviewer.shot("workbench-reviewer")
    assert case.number in reviewer.page.content()
    act(reviewer, case, "endorse", {"discussion": "党组会讨论同意", "opinion": "同意报送"})

    handler = open_session("handler")
    sign_in(handler, "handler")
    act(handler, case, "accept", {"note": "材料齐全"})

    investigator = open_session("investigator")
    sign_in(investigator, "investigator")
    investigator.go(f"/cases/{case.pk}/")
    for fact, value in (
        ("violates_discipline_or_law", "false"),
        ("private_gain", "false"),
        ("public_interest", "true"),
        ("collective_decision", "true"),
        ("exploratory_reform", "true"),
        ("lacks_precedent", "true"),
        ("intentional", "false"),
        ("defied_explicit_ban", "false"),
        ("major_incident", "false"),
        ("superior_decision_illegal", "false"),
    ):
        set_fact(investigator, case, fact, value)
    case.refresh_from_db()
    assert case.engine_outcome == "exempt"
    investigator.shot("case-detail-investigation")
    act(investigator, case, "submit_report", {"report": "初步调查报告：符合容错情形"})
    act(handler, case, "find_qualifying", {"finding": "初步认定符合容错情形"})
    act(applicant, case, "submit_defence", {"statement": "申辩：系探索性失误", "witnesses": "李四"})

    secretary = open_session("secretary")
    sign_in(secretary, "secretary")
    act(
        secretary,
        case,
        "deliberate",
        {
            "met_on": "2025-06-03",
            "participants": "甲\n乙\n丙",
            "opinions": "一致同意",
            "recommendation": "exempt",
            "disposition": "免除相关责任",
        },
    )
    act(secretary, case, "decide", {"disposition": "免除相关责任", "decided_on": "2025-06-05", "organ": "省纪委常委会"})
    case.refresh_from_db()
    assert case.stage == "feedback" and case.outcome == "exempt"
    secretary.shot("case-detail-decided")

    # 反馈、函告与报备, then the publisher's de-identified rendition, published to the public portal.
    act(handler, case, "give_feedback", {"text": "书面反馈：免除相关责任", "delivered_on": "2025-06-06"})
    act(handler, case, "notify_organisation", {"letter": "函告", "sent_on": "2025-06-06", "recipient": "省委组织部"})
    act(handler, case, "file_report", {"report": "备案报告", "filed_on": "2025-06-07", "filed_with": "省委"})
    case.refresh_from_db()
    assert case.stage == "publication"

    publisher = open_session("publisher")
    sign_in(publisher, "publisher")
    publisher.go("/publication/")
    assert case.number in publisher.page.content()
    publisher.shot("publication-queue")
    publisher.page.click(f"form[action='/publication/cases/{case.pk}/generate/'] button")
    assert "/publication/" in publisher.page.url and "generate" not in publisher.page.url
    body = publisher.page.inner_text("main")
    assert "张三" not in body and "320102198001011234" not in body and "13800001234" not in body
    publisher.shot("rendition-draft")
    publisher.page.click("form[action$='/approve/'] button")
    assert "已审核通过并公开" in publisher.page.inner_text("main"), publisher.page.inner_text("main")[:500]
    act(publisher, case, "publish", {"note": "在门户网站公开"})
    case.refresh_from_db()
    assert case.stage == "appeal_window"
    number = case.rendition.public_number

    public = open_session("public-after-decision")  # nobody signed in
    public.go("/public/decisions/")
    assert number in public.page.inner_text("main")
    public.page.click(f"a[href='/public/decisions/{number}/']")
    text = public.page.inner_text("body")
    assert "免除" in text and "土地流转" in text, text[:800]
    for secret in ("张三", "320102198001011234", "13800001234", "138****1234", world.unit.name, "【提示】"):
        assert secret not in text, secret
    public.shot("public-decision")


def test_proactive_case_opens_with_matter(world, open_session) -> None:
    handler = open_session("handler")
    sign_in(handler, "handler")
    handler.go("/matters/")
    handler.page.select_option("[name=unit_id]", str(world.unit.pk))
    handler.page.select_option("[name=cadre_id]", str(world.cadre.pk))
    handler.page.fill("[name=title]", "项目审批失误问责")
    handler.page.fill("[name=initiating_organ]", "省纪委")
    handler.page.fill("[name=started_on]", "2025-03-03")
    handler.page.click("form.card button[type=submit]")
    case = Case.objects.get()
    assert case.start_type == "proactive" and f"/cases/{case.pk}/" in handler.page.url
    handler.shot("case-detail-proactive")


def test_outside_scope_gets_the_same_page_as_missing(world, open_session) -> None:
    from rongcuo.cases import actions

    case = actions.submit_application(world.applicant, {"title": "t", "summary": "s", "statement": "申请"})
    outsider = open_session("outsider")
    sign_in(outsider, "outsider")
    hidden = outsider.go(f"/cases/{case.pk}/")
    hidden_text = outsider.page.inner_text("body")
    missing = outsider.go("/cases/99999999/")
    assert hidden.status == missing.status == 404
    assert hidden_text == outsider.page.inner_text("body")


def test_phone_layout_and_public_portal(world, open_session) -> None:
    phone = open_session("phone", {"width": 390, "height": 844})
    phone.go("/login/")
    assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.shot("login-phone")
    public = open_session("public")
    public.go("/public/")
    public.shot("public-index")
    assert "容错" in public.page.inner_text("body")
