"""After-decision pages driven through the web: correction plans, reports and clarifications, publication
review, the result-use standing query and its printable statement, consultation drafts; the case panels;
404 for users outside the case's scope on every case-bound page."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from rongcuo.accounts import totp
from rongcuo.cases.models import FactValue
from rongcuo.consultation.models import Draft
from rongcuo.core import crypto
from rongcuo.disclosure.models import Rendition
from rongcuo.org.builders import make_cadre
from rongcuo.outcomes import actions as outcomes
from rongcuo.outcomes import clearing
from rongcuo.outcomes.models import CorrectionPlan, Report
from tests.consultation.helpers import QUESTIONNAIRE, new_version_text
from tests.outcomes.conftest import decide_through_verbs, proactive_case

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


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


def decided(w, disposition: str = "从轻处理", **kw):
    return decide_through_verbs(w, proactive_case(w, **kw), disposition, months=6, form=1)


def day(n: int) -> str:
    return str(TODAY + dt.timedelta(days=n))


def plan_post(**extra) -> dict:
    return {
        "responsible": "张三",
        "measures": "补办审批手续，修订制度",
        "basis": "容错认定决定书",
        "deadline_on": day(60),
        "rows": "3",
        "m-0-title": "补办审批手续",
        "m-0-due_on": day(10),
    } | extra


def test_correction_plan_milestone_progress_assessment_verification(world) -> None:
    w = world
    case = decided(w)
    h = signed_in(w.handler)
    page = h.get(f"/cases/{case.pk}/correction/").content.decode()
    assert "尚未制定纠错整改方案" in page and f"/cases/{case.pk}/correction/new/" in page
    form = h.get(f"/cases/{case.pk}/correction/new/").content.decode()
    assert "整改责任人" in form and "节点1名称" in form
    more = h.post(f"/cases/{case.pk}/correction/new/", plan_post(more="1"))
    assert more.status_code == 200 and "节点4名称" in more.content.decode()  # a row added without script
    bad = h.post(f"/cases/{case.pk}/correction/new/", plan_post(**{"m-1-title": "晚于期限", "m-1-due_on": day(90)}))
    text = bad.content.decode()
    assert bad.status_code == 400 and 'id="e-m-1-due_on"' in text and "阶段节点期限应在今天至整改完成期限之间" in text
    bad = h.post(f"/cases/{case.pk}/correction/new/", plan_post(responsible=""))
    assert bad.status_code == 400 and 'id="e-f-responsible"' in bad.content.decode()
    assert not CorrectionPlan.objects.filter(case=case).exists()
    r = h.post(f"/cases/{case.pk}/correction/new/", plan_post())
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/correction/"
    plan = CorrectionPlan.objects.get(case=case)
    milestone = plan.milestones.get()
    assert milestone.title == "补办审批手续"

    a = signed_in(w.applicant)
    assert "报告纠偏进度" in a.get(f"/cases/{case.pk}/correction/").content.decode()
    assert a.get(f"/cases/{case.pk}/correction/verify/").status_code == 302  # not the applicant's verb
    r = a.post(f"/cases/{case.pk}/correction/progress/", {"text": "", "percent": "50"})
    assert r.status_code == 400 and "不能为空" in r.content.decode()
    r = a.post(
        f"/cases/{case.pk}/correction/progress/",
        {"text": "已补办审批手续", "percent": "60", "milestone_id": str(milestone.pk), "milestone_done": "on"},
    )
    assert r.status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == TODAY
    r = h.post(f"/cases/{case.pk}/correction/assess/", {"rating": "good", "comment": "整改积极"})
    assert r.status_code == 302
    r = a.post(f"/cases/{case.pk}/correction/complete/", {"evidence": "整改已全部完成"})
    assert r.status_code == 302
    r = h.post(f"/cases/{case.pk}/correction/verify/", {"note": "核验属实"})
    assert r.status_code == 400 and "请选择核验结论" in r.content.decode()
    r = h.post(f"/cases/{case.pk}/correction/verify/", {"passed": "true", "note": "核验属实"})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "verified"
    page = h.get(f"/cases/{case.pk}/correction/").content.decode()
    assert "已核验完成" in page and "已补办审批手续" in page and "整改积极" in page


def test_refusal_sets_refuses_correction_on_the_case(world) -> None:
    w = world
    case = decided(w)
    outcomes.create_plan(
        w.handler, case.pk, {"responsible": "张三", "measures": "m", "basis": "b", "deadline_on": day(30)}
    )
    h = signed_in(w.handler)
    r = h.post(f"/cases/{case.pk}/correction/refuse/", {"kind": "", "reason": "拒不整改"})
    assert r.status_code == 400 and 'id="e-f-kind"' in r.content.decode()
    r = h.post(f"/cases/{case.pk}/correction/refuse/", {"kind": "refused", "reason": "经多次督促仍拒不整改"})
    assert r.status_code == 302
    assert FactValue.objects.get(case=case, fact="refuses_correction").value is True
    page = h.get(f"/cases/{case.pk}/correction/").content.decode()
    assert "拒不纠错" in page and "经多次督促仍拒不整改" in page
    assert h.get(f"/cases/{case.pk}/correction/progress/").status_code == 302  # the plan has ended


def test_case_panels_show_correction_and_early_warning(world) -> None:
    w = world
    first = decided(w, title="招商引资项目审批失误")
    second = proactive_case(w, title="招商引资项目审批失误")
    request = RequestFactory().get(f"/cases/{second.pk}/")
    request.user = w.handler
    html = render_to_string("web/after/_case_panels.html", {"case": second}, request=request)
    assert "预警提示" in html and first.number in html and "重复犯错" in html
    request.user = w.handler
    html = render_to_string("web/after/_case_panels.html", {"case": first}, request=request)
    assert "制定纠错整改方案" in html
    request.user = w.applicant  # neither staff on the warning nor the handler of the plan
    html = render_to_string("web/after/_case_panels.html", {"case": first}, request=request)
    assert "预警提示" not in html and "纠错整改" not in html


def test_report_two_matters_one_cleared_with_written_and_meeting(world) -> None:
    w = world
    h = signed_in(w.handler)
    page = h.get("/reports/").content.decode()
    assert "登记检举控告" in page and "张三" in page
    r = h.post("/reports/", {"received_on": str(TODAY), "channel": "来信", "summary": "反映两项问题", "rows": "2"})
    assert r.status_code == 400 and "请选择被反映干部" in r.content.decode()
    r = h.post(
        "/reports/",
        {
            "cadre_id": str(w.cadre.pk),
            "received_on": str(TODAY),
            "channel": "来信",
            "summary": "反映两项问题",
            "informant": "某群众",
            "rows": "2",
            "r-0-text": "违规收受礼金",
            "r-1-text": "项目审批把关不严",
        },
    )
    assert r.status_code == 302
    report = Report.objects.get()
    m1, m2 = report.matters.all()
    detail = h.get(r["Location"]).content.decode()
    assert report.number in detail and "违规收受礼金" in detail and "某群众" not in detail
    r = h.post(
        f"/reports/{report.pk}/conclude/",
        {"organ": "县纪委监委", "concluded_on": str(TODAY), "conclusion": "经核实", f"finding-{m1.pk}": "untrue"},
    )
    assert r.status_code == 400 and "第2项事项尚无核实结论" in r.content.decode()
    r = h.post(
        f"/reports/{report.pk}/conclude/",
        {
            "organ": "县纪委监委",
            "concluded_on": str(TODAY),
            "conclusion": "第1项不属实，第2项属实",
            f"finding-{m1.pk}": "untrue",
            f"finding-{m2.pk}": "true",
        },
    )
    assert r.status_code == 302
    clarify = {
        "matter_ids": [str(m1.pk)],
        "scope": "所在单位班子成员",
        "written_text": "经核实，反映张三违规收受礼金问题不属实，予以澄清。",
        "held_on": str(TODAY),
    }
    r = h.post(f"/reports/{report.pk}/clarify/", clarify | {"methods": ["meeting"]})
    text = r.content.decode()
    assert r.status_code == 400 and 'id="e-methods"' in text and "须同时进行书面澄清" in text
    m1.refresh_from_db()
    assert m1.cleared_by_id is None
    r = h.post(
        f"/reports/{report.pk}/clarify/", clarify | {"methods": ["written", "meeting"], "matter_ids": [str(m2.pk)]}
    )
    assert r.status_code == 400 and "只能澄清经核实不实的具体事项" in r.content.decode()
    r = h.post(f"/reports/{report.pk}/clarify/", clarify | {"methods": ["written", "meeting"]})
    assert r.status_code == 302
    m1.refresh_from_db()
    m2.refresh_from_db()
    assert m1.cleared_by is not None and m1.cleared_by.methods == ["written", "meeting"] and m2.cleared_by_id is None
    page = h.get(f"/reports/{report.pk}/").content.decode()
    assert "书面澄清、会议澄清" in page and "已澄清" in page


def test_referral_of_false_accusation(world) -> None:
    w = world
    report = clearing.register_report(
        w.handler,
        {
            "cadre_id": w.cadre.pk,
            "received_on": str(TODAY),
            "channel": "网络",
            "summary": "s",
            "matters": [{"text": "a"}],
        },
    )
    m = report.matters.get()
    clearing.conclude(
        w.handler,
        report.pk,
        {
            "organ": "县纪委",
            "concluded_on": str(TODAY),
            "conclusion": "c",
            "findings": [{"matter_id": m.pk, "finding": "false_accusation"}],
        },
    )
    h = signed_in(w.handler)
    page = h.get(f"/reports/{report.pk}/").content.decode()
    assert "移送诬告陷害线索" in page
    r = h.post(f"/reports/{report.pk}/refer/", {"referred_to": "", "note": "n", "referred_on": str(TODAY)})
    assert r.status_code == 400 and 'id="e-rf-referred_to"' in r.content.decode()
    r = h.post(
        f"/reports/{report.pk}/refer/", {"referred_to": "县公安局", "note": "捏造事实", "referred_on": str(TODAY)}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.false_accusation_referred and report.referred_to == "县公安局"


def test_publication_generate_approve_public_and_withdraw(world) -> None:
    w = world
    case = decided(w, "免除相关责任", title="张三招商引资项目审批失误")
    p = signed_in(w.publisher)
    index = p.get("/publication/").content.decode()
    assert case.number in index and "生成公开文本" in index
    r = p.post(f"/publication/cases/{case.pk}/generate/")
    assert r.status_code == 302
    rendition = Rendition.objects.get(case=case)
    assert r["Location"] == f"/publication/{rendition.pk}/"
    page = p.get(r["Location"]).content.decode()
    assert "去标识化检查" in page and "审核通过并公开" in page and "化名对照表" in page
    r = p.post(f"/publication/{rendition.pk}/edit/", {"title": "", "version": rendition.version})
    assert r.status_code == 400 and 'id="e-r-title"' in r.content.decode()
    r = p.post(
        f"/publication/{rendition.pk}/edit/",
        {"summary": rendition.summary + "张三对此负有责任。", "version": rendition.version},
    )
    assert r.status_code == 302
    rendition.refresh_from_db()
    r = p.post(f"/publication/{rendition.pk}/approve/", {"version": rendition.version})
    assert r.status_code == 400 and "不能审核通过" in r.content.decode()  # the name is found again and refused
    r = p.post(f"/publication/{rendition.pk}/edit/", {"summary": rendition.summary.replace("张三对此负有责任。", "")})
    assert r.status_code == 302
    rendition.refresh_from_db()
    r = p.post(f"/publication/{rendition.pk}/approve/", {"version": rendition.version})
    assert r.status_code == 302
    rendition.refresh_from_db()
    assert rendition.status == "published"
    public = Client()
    portal = public.get("/public/").content.decode()
    assert rendition.public_number in portal and "张三" not in portal
    detail = public.get(f"/public/decisions/{rendition.public_number}/").content.decode()
    assert rendition.title in detail and "张三" not in detail
    r = p.post(
        f"/publication/{rendition.pk}/typical/",
        {"significance": "敢于担当的典型", "tags": "招商引资、审批", "order": "10"},
    )
    assert r.status_code == 302
    assert sorted(t.name for t in rendition.typical.tags.all()) == ["审批", "招商引资"]
    r = p.post(f"/publication/{rendition.pk}/withdraw/", {"reason": ""})
    assert r.status_code == 400 and 'id="e-wd-reason"' in r.content.decode()
    r = p.post(f"/publication/{rendition.pk}/withdraw/", {"reason": "表述需要调整"})
    assert r.status_code == 302
    assert rendition.public_number not in public.get("/public/").content.decode()
    assert public.get(f"/public/decisions/{rendition.public_number}/").status_code == 404


def test_standing_query_answers_and_prints(world) -> None:
    w = world
    case = decided(w)
    o = signed_in(w.org_liaison)
    page = o.get("/standing/").content.decode()
    assert "结果运用查询" in page and "张三" in page and "提拔任用" in page
    r = o.get(f"/standing/?cadre={w.cadre.pk}&purpose=promotion&on={TODAY}")
    text = r.content.decode()
    assert r.status_code == 200 and case.number in text and "产生影响" in text and "影响期" in text
    assert "打印《结果运用情况说明》" in text
    r = o.get(f"/standing/?cadre={w.cadre.pk}&purpose=nonsense")
    assert r.status_code == 400 and 'id="e-purpose"' in r.content.decode()
    r = o.get(f"/standing/?cadre={w.cadre.pk}&on=2025-02-30")
    assert r.status_code == 400 and "应为日期" in r.content.decode()
    later = TODAY + dt.timedelta(days=400)
    r = o.get(f"/standing/print/?cadre={w.cadre.pk}&purpose=promotion&on={later}")
    text = r.content.decode()
    assert r.status_code == 200 and "结果运用情况说明" in text and "after.css" in text and "不受影响" in text
    assert "查询人" in text and case.number in text
    other = make_cadre(w.other_unit, "李四")
    assert o.get(f"/standing/?cadre={other.pk}").status_code == 404
    assert o.get(f"/standing/print/?cadre={other.pk}").status_code == 404


def test_consultation_draft_invalid_yaml_publish_close_adopt_export(world) -> None:
    w = world
    h = signed_in(w.handler)
    assert "起草征求意见稿" in h.get("/consultation/").content.decode()
    assert "江苏" in h.get("/consultation/new/?base=jiangsu-2017").content.decode()
    q = QUESTIONNAIRE
    post = {
        "title": "江苏省容错纠错实施意见（修订征求意见稿）",
        "explanation": "修订说明",
        "rows": "3",
        "q-0-id": q[0]["id"],
        "q-0-text": q[0]["text"],
        "q-0-kind": "single",
        "q-0-options": "\n".join(q[0]["options"]),
        "q-0-required": "on",
        "q-1-text": q[2]["text"],
        "q-1-kind": "text",
    }
    bad = h.post("/consultation/new/", post | {"yaml_text": "id: x\ntitle: [unclosed\n"})
    text = bad.content.decode()
    assert bad.status_code == 400 and 'id="e-yaml_text"' in text and "行" in text and "规则文件" in text
    bad = h.post("/consultation/new/", post | {"yaml_text": new_version_text(), "q-0-options": "只有一项"})
    assert bad.status_code == 400 and 'id="e-q-0"' in bad.content.decode()
    r = h.post("/consultation/new/", post | {"yaml_text": new_version_text()})
    assert r.status_code == 302
    draft = Draft.objects.get()
    assert [x["id"] for x in draft.questionnaire] == ["q1", "q2"]
    assert h.get(f"/consultation/{draft.pk}/edit/").status_code == 200
    closes = (dt.datetime.now() + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    r = h.post(f"/consultation/{draft.pk}/publish/", {"closes_at": "2000-01-01T00:00"})
    assert r.status_code == 400 and "截止时间应晚于现在" in r.content.decode()
    r = h.post(f"/consultation/{draft.pk}/publish/", {"closes_at": closes})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Draft.OPEN
    r = h.post(f"/consultation/{draft.pk}/close/")
    assert r.status_code == 302
    csv = h.get(f"/consultation/{draft.pk}/export/csv/")
    assert csv.status_code == 200 and "attachment" in csv["Content-Disposition"]
    assert csv.content.startswith("\ufeff".encode())
    assert h.get(f"/consultation/{draft.pk}/export/summary/").status_code == 200
    r = h.post(f"/consultation/{draft.pk}/adopt/", {"decision": "x"})  # adoption is the secretary's
    assert r.status_code == 403 and "没有执行该操作的角色" in r.content.decode()
    s = signed_in(w.secretary)
    assert "采纳（决策秘书）" in s.get(f"/consultation/{draft.pk}/").content.decode()
    r = s.post(f"/consultation/{draft.pk}/adopt/", {"decision": ""})
    assert r.status_code == 400 and 'id="e-a-decision"' in r.content.decode()
    r = s.post(f"/consultation/{draft.pk}/adopt/", {"decision": "省委常委会2026年第1次会议"})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Draft.ADOPTED


def test_out_of_scope_users_get_404_on_every_case_bound_page(world) -> None:
    w = world
    case = decided(w, "免除相关责任")
    outcomes.create_plan(
        w.handler, case.pk, {"responsible": "张三", "measures": "m", "basis": "b", "deadline_on": day(30)}
    )
    report = clearing.register_report(
        w.handler,
        {
            "cadre_id": w.cadre.pk,
            "received_on": str(TODAY),
            "channel": "来信",
            "summary": "s",
            "matters": [{"text": "a"}],
        },
    )
    from rongcuo.disclosure import actions as disclosure

    rendition = disclosure.generate_rendition(w.publisher, case.pk)
    from rongcuo.consultation import actions as consultation

    draft, _ = consultation.create_draft(
        w.handler, {"title": "t", "yaml_text": new_version_text(), "explanation": "e", "questionnaire": QUESTIONNAIRE}
    )
    gets = [
        f"/cases/{case.pk}/correction/",
        *(f"/cases/{case.pk}/correction/{v}/" for v in ("new", "progress", "assess", "complete", "verify", "refuse")),
        f"/reports/{report.pk}/",
        f"/publication/{rendition.pk}/",
        f"/consultation/{draft.pk}/",
        f"/consultation/{draft.pk}/edit/",
        f"/consultation/{draft.pk}/export/csv/",
        f"/standing/print/?cadre={w.cadre.pk}",
        f"/standing/?cadre={w.cadre.pk}",
        "/cases/999999/correction/",
    ]
    posts = [
        (f"/cases/{case.pk}/correction/progress/", {"text": "x"}),
        (f"/cases/{case.pk}/correction/refuse/", {"kind": "refused", "reason": "x"}),
        (f"/reports/{report.pk}/conclude/", {"organ": "x"}),
        (f"/reports/{report.pk}/clarify/", {"scope": "x"}),
        (f"/reports/{report.pk}/refer/", {"referred_to": "x"}),
        (f"/publication/cases/{case.pk}/generate/", {}),
        (f"/publication/{rendition.pk}/approve/", {}),
        (f"/publication/{rendition.pk}/edit/", {"title": "x"}),
        (f"/publication/{rendition.pk}/withdraw/", {"reason": "x"}),
        (f"/consultation/{draft.pk}/publish/", {}),
        (f"/consultation/{draft.pk}/adopt/", {"decision": "x"}),
    ]
    c = signed_in(w.outsider)  # a handler of 530524
    for url in gets:
        assert c.get(url).status_code == 404, url
    for url, data in posts:
        assert c.post(url, data).status_code == 404, url
    plan = CorrectionPlan.objects.get(case=case)
    assert plan.status == "active" and Rendition.objects.get(pk=rendition.pk).status == "draft"
    a = signed_in(w.applicant)  # in scope of the case, but no publisher, reports or standing role
    for url in (f"/publication/{rendition.pk}/", "/publication/", "/reports/", f"/reports/{report.pk}/", "/standing/"):
        assert a.get(url).status_code == 404, url
    assert a.get(f"/cases/{case.pk}/correction/").status_code == 200
