"""The flows of tests/cases/test_lifecycle.py, through HTTP: each start type and outcome, including appeal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongcuo.accounts import actions as accounts
from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions
from rongcuo.cases.models import Case
from tests import samples

pytestmark = pytest.mark.django_db

TODAY = str(dt.date.today())
CLEAR = {
    "violates_discipline_or_law": False,
    "private_gain": False,
    "public_interest": True,
    "collective_decision": True,
    "exploratory_reform": True,
    "lacks_precedent": True,
    "intentional": False,
    "defied_explicit_ban": False,
    "major_incident": False,
    "superior_decision_illegal": False,
    "emergency_response": False,
}
APPLICATION = {
    "title": "先行先试土地流转试点出现失误",
    "summary": "推进改革试点中，因缺乏经验造成损失",
    "statement": "本人申请容错免责",
    "conduct_date": "2023-05-01",
    "domain": "征地拆迁",
}
PDF = samples.pdf()


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def act(api: Any, case_id: int, verb: str, data: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
    return ok(api.post(f"/cases/{case_id}/actions/{verb}", data or {}), status)


def set_facts(api: Any, case_id: int, values: dict[str, bool | None]) -> None:
    for fact, value in values.items():
        ok(api.post(f"/cases/{case_id}/facts", {"fact": fact, "value": value, "comment": "调查核实"}))


def apply(as_user: Any) -> dict[str, Any]:
    return ok(as_user("applicant").post("/applications", APPLICATION), 201)


def test_individual_application_to_exemption_and_closing(as_user) -> None:
    case = apply(as_user)
    cid = case["id"]
    assert case["stage"] == "unit_review" and case["start_type"] == "individual"
    assert [v["verb"] for v in case["available_verbs"]] == []  # the applicant waits for the unit committee
    state = act(as_user("unit_reviewer"), cid, "endorse", {"discussion": "党组会讨论", "opinion": "同意"})
    assert state["stage"] == "acceptance"
    state = act(as_user("handler"), cid, "accept", {"note": "材料齐全", "expected_version": state["version"]})
    assert state["stage"] == "investigation"
    set_facts(as_user("investigator"), cid, CLEAR)
    detail = ok(as_user("handler").get(f"/cases/{cid}"))
    assert detail["engine_outcome"] == "exempt"
    assert detail["policies"][0]["policy"] == "jiangsu-2017" and detail["policies"][0]["title"]
    fact = next(f for f in detail["facts"] if f["fact"] == "private_gain")
    assert fact["value"] is False and fact["set_by"] == "investigator" and fact["comment"] == "调查核实"
    act(as_user("investigator"), cid, "submit_report", {"report": "初步调查报告"})
    state = act(as_user("handler"), cid, "find_qualifying", {"finding": "符合容错情形"})
    assert state["stage"] == "defence"
    act(as_user("applicant"), cid, "submit_defence", {"statement": "申辩理由", "witnesses": ["李四"]})
    secretary = as_user("secretary")
    act(
        secretary,
        cid,
        "deliberate",
        {
            "met_on": TODAY,
            "participants": ["甲", "乙", "丙"],
            "opinions": "一致同意",
            "recommendation": "exempt",
            "disposition": "免除相关责任",
        },
    )
    state = act(secretary, cid, "decide", {"disposition": "免除相关责任", "decided_on": TODAY, "organ": "省纪委常委会"})
    assert state["stage"] == "feedback" and state["outcome"] == "exempt"
    handler = as_user("handler")
    act(handler, cid, "give_feedback", {"text": "书面反馈", "delivered_on": TODAY})
    act(
        as_user("org_liaison"),
        cid,
        "notify_organisation",
        {"letter": "函告", "sent_on": TODAY, "recipient": "省委组织部"},
    )
    state = act(handler, cid, "file_report", {"report": "备案报告", "filed_on": TODAY, "filed_with": "省委"})
    assert state["stage"] == "publication"
    act(as_user("publisher"), cid, "publish", {})
    err = act(handler, cid, "close", {}, status=400)
    assert err["field"] == "waived"
    state = act(handler, cid, "close", {"waived": True})
    assert state["status"] == "closed" and state["closing_reason"] == "decided" and state["available_verbs"] == []
    detail = ok(handler.get(f"/cases/{cid}"))
    assert detail["decision"]["outcome"] == "exempt" and detail["decision"]["policy"] == "jiangsu-2017"
    verbs = [e["verb"] for e in detail["timeline"]]
    assert verbs[0] == "apply" and verbs[-1] == "close" and verbs.count("set_fact") == len(CLEAR)
    assert detail["cadre"]["id_number_masked"] == "320***********1234"
    assert detail["cadre"]["phone_masked"] == "138****1234"
    assert "320102198001011234" not in str(detail) and "13800001234" not in str(detail)
    assert all(d["completed_at"] for d in detail["deadlines"])


def test_unit_application_refused(as_user, world) -> None:
    contact = as_user("unit_contact")
    body = {"unit_id": world.unit.pk, "title": "单位申请", "summary": "x", "statement": "申请"}
    err = ok(contact.post("/applications", body), 400)
    assert err["field"] == "self_check" and err["error"] == "invalid"
    case = ok(contact.post("/applications", {**body, "self_check": "对照免责清单自查"}), 201)
    assert case["stage"] == "acceptance" and case["start_type"] == "unit"
    state = act(as_user("handler"), case["id"], "refuse", {"reason": "不属于受理范围"})
    assert state["status"] == "closed" and state["closing_reason"] == "refused"


def test_proactive_not_qualifying_then_appeal(as_user, world) -> None:
    handler = as_user("handler")
    out = ok(
        handler.post(
            "/matters",
            {
                "unit_id": world.unit.pk,
                "cadre_id": world.cadre.pk,
                "title": "项目审批失误问责",
                "initiating_organ": "省纪委",
                "started_on": TODAY,
                "conduct_date": "2022-03-01",
            },
        ),
        201,
    )
    case = out["case"]  # 江苏: 问责调查与容错认定同步
    assert case is not None and case["stage"] == "investigation"
    matters = ok(handler.get("/matters"))
    assert [m["id"] for m in matters["items"]] == [out["matter"]["id"]]
    assert ok(handler.post(f"/matters/{out['matter']['id']}/proactive"), 409)["error"] == "conflict"
    cid = case["id"]
    set_facts(as_user("investigator"), cid, {"violates_discipline_or_law": True})
    act(as_user("investigator"), cid, "submit_report", {"report": "违反纪律"})
    state = act(handler, cid, "find_not_qualifying", {"finding": "违反党纪，不予容错"})
    assert state["stage"] == "feedback" and state["outcome"] == "not_tolerated"
    for verb, data in (
        ("give_feedback", {"text": "反馈", "delivered_on": TODAY}),
        ("notify_organisation", {"letter": "函", "sent_on": TODAY, "recipient": "组织部"}),
        ("file_report", {"report": "备案", "filed_on": TODAY, "filed_with": "省委"}),
    ):
        act(handler, cid, verb, data)
    act(
        as_user("publisher"),
        cid,
        "withhold_publication",
        {"reason": "涉及个人隐私", "legal_basis": "《个人信息保护法》"},
    )
    state = act(as_user("applicant"), cid, "submit_appeal", {"grounds": "事实认定有误"})
    assert state["stage"] == "appeal"
    state = act(as_user("secretary"), cid, "decide_appeal", {"result": "upheld", "reasoning": "维持"})
    assert state["status"] == "closed"
    detail = ok(as_user("applicant").get(f"/cases/{cid}"))
    assert [a["status"] for a in detail["appeals"]] == ["upheld"]
    assert detail["matter"]["status"] == "decided"


def test_mitigation_with_departure_reason_third_party_and_hearing(as_user, world) -> None:
    cid = apply(as_user)["id"]
    act(as_user("unit_reviewer"), cid, "endorse", {"discussion": "讨论", "opinion": "同意"})
    act(as_user("handler"), cid, "accept")
    set_facts(as_user("investigator"), cid, {"violates_discipline_or_law": False})
    act(as_user("investigator"), cid, "submit_report", {"report": "报告"})
    act(
        as_user("handler"),
        cid,
        "find_qualifying",
        {"finding": "重大事项", "major_matter": True, "public_interest_involved": True},
    )
    secadmin = as_user("secadmin")
    ok(secadmin.post("/admin/grants", {"username": "evaluator", "role": "evaluator", "case_id": cid}), 201)
    ok(secadmin.post("/admin/grants", {"username": "hearing_host", "role": "hearing_host", "case_id": cid}), 201)
    state = act(as_user("applicant"), cid, "submit_defence", {"statement": "申辩"})
    assert state["stage"] == "third_party"
    evaluation = {"evaluator_org": "某大学评估中心", "conclusion": "失误属探索性", "report": "评估报告"}
    assert act(as_user("handler"), cid, "submit_evaluation", evaluation, status=403)["error"] == "forbidden"
    evaluator = as_user("evaluator")
    assert [c["id"] for c in ok(evaluator.get("/cases"))["items"]] == [cid]
    assert [v["verb"] for v in ok(evaluator.get(f"/cases/{cid}"))["available_verbs"]] == ["submit_evaluation"]
    state = act(evaluator, cid, "submit_evaluation", evaluation)
    assert state["stage"] == "hearing"
    hearing = {"held_on": TODAY, "participants": ["群众代表"], "summary": "听证"}
    state = act(as_user("hearing_host"), cid, "record_hearing", hearing)
    assert state["stage"] == "deliberation" and state["engine_outcome"] == "undetermined"
    base = {
        "met_on": TODAY,
        "participants": ["甲", "乙", "丙"],
        "opinions": "意见",
        "recommendation": "mitigate",
        "disposition": "从轻处理",
    }
    secretary = as_user("secretary")
    err = act(secretary, cid, "deliberate", base, status=400)
    assert err["field"] == "departure_reason" and "理由" in err["message"]
    act(secretary, cid, "deliberate", {**base, "departure_reason": "综合考虑一贯表现"})
    decide = {"disposition": "从轻处理", "decided_on": TODAY, "organ": "省纪委"}
    assert act(secretary, cid, "decide", decide, status=400)["field"] == "influence_months"
    state = act(secretary, cid, "decide", {**decide, "influence_months": 6})
    assert state["outcome"] == "mitigate"
    assert ok(secretary.get(f"/cases/{cid}"))["decision"]["influence_months"] == 6


def test_facts_and_attachments(as_user, world) -> None:
    cid = apply(as_user)["id"]
    act(as_user("unit_reviewer"), cid, "endorse", {"discussion": "讨论", "opinion": "同意"})
    act(as_user("handler"), cid, "accept")
    investigator = as_user("investigator")
    bad = investigator.upload(f"/cases/{cid}/attachments", "report.pdf", b"MZ\x90\x00 this is not a pdf")
    assert ok(bad, 400)["field"] == "file"
    exe = investigator.upload(f"/cases/{cid}/attachments", "tool.exe", b"MZ\x90\x00\x03\x00\x00\x00")
    assert ok(exe, 400)["field"] == "file"
    att = ok(investigator.upload(f"/cases/{cid}/attachments", "调查报告.pdf", PDF), 201)
    assert att["content_type"] == "application/pdf" and att["filename"] == "调查报告.pdf"
    iv = ok(
        investigator.post(f"/cases/{cid}/interviews", {"interviewee": "李四", "held_on": TODAY, "content": "走访记录"}),
        201,
    )
    out = ok(
        investigator.post(
            f"/cases/{cid}/facts",
            {
                "fact": "private_gain",
                "value": False,
                "comment": "银行流水无异常",
                "attachment_ids": [att["id"]],
                "interview_ids": [iv["id"]],
            },
        )
    )
    assert out["value"] is False and out["case"]["version"] >= 1
    err = ok(investigator.post(f"/cases/{cid}/facts", {"fact": "no_such_fact", "value": True}), 400)
    assert err["field"] == "fact"
    detail = ok(as_user("handler").get(f"/cases/{cid}"))
    fact = next(f for f in detail["facts"] if f["fact"] == "private_gain")
    assert fact["attachment_ids"] == [att["id"]] and fact["interview_ids"] == [iv["id"]]
    assert detail["attachments"][0]["sha256"] == att["sha256"] and detail["interviews"][0]["interviewee"] == "李四"
    assert "调查报告.pdf" in [a["filename"] for a in detail["attachments"]]

    resp = as_user("handler").get(f"/cases/{cid}/attachments/{att['id']}")
    assert resp.status_code == 200 and resp.content == PDF
    assert resp["Content-Disposition"].startswith("attachment;") and "inline" not in resp["Content-Disposition"]
    assert resp["Content-Type"] == "application/octet-stream" and resp["X-Content-Type-Options"] == "nosniff"
    assert AuditRecord.objects.filter(action="case.download", success=True).count() == 1
    assert as_user("outsider").get(f"/cases/{cid}/attachments/{att['id']}").status_code == 404
    assert AuditRecord.objects.filter(action="case.download", success=False).count() == 1
    assert as_user("handler").get(f"/cases/{cid}/attachments/{att['id'] + 99}").status_code == 404

    full = ok(as_user("handler").get(f"/cases/{cid}/evaluation"))
    assert full["facts"]["private_gain"] is False
    assert full["results"][0]["trace"] and full["results"][0]["format"]


def test_prefiling_and_reminders(as_user, world) -> None:
    from rongcuo.procedure.sweep import sweep

    contact = as_user("unit_contact")
    pre = ok(
        contact.post(
            "/prefilings",
            {
                "unit_id": world.unit.pk,
                "title": "容缺审批改革",
                "measure": "容缺受理",
                "risks": "材料不全",
                "safeguards": "事后补正",
                "expected_effect": "提速",
            },
        ),
        201,
    )
    assert pre["status"] == "submitted"
    review = f"/prefilings/{pre['id']}/review"
    assert ok(as_user("outsider").post(review, {"acknowledge": True, "response": "受理"}), 404)
    assert ok(as_user("outsider").get("/prefilings"))["total"] == 0
    done = ok(as_user("handler").post(review, {"acknowledge": True, "response": "同意报备"}))
    assert done["status"] == "acknowledged"
    assert [p["id"] for p in ok(contact.get("/prefilings"))["items"]] == [pre["id"]]

    cid = apply(as_user)["id"]
    sweep(dt.date.today() + dt.timedelta(days=60))
    mine = ok(as_user("handler").get("/reminders"))
    assert mine["total"] >= 1 and any(r["case"] and r["case"]["id"] == cid for r in mine["items"])
    assert ok(as_user("outsider").get("/reminders"))["total"] == 0


def _make_cases(world, n: int) -> None:
    for i in range(n):
        actions.submit_application(world.applicant, {**APPLICATION, "title": f"案件{i}", "conduct_date": "2023-05-01"})


def _count(api: Any, path: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_data(as_user, world) -> None:
    handler = as_user("handler")
    _make_cases(world, 3)
    case = Case.objects.order_by("id").first()
    assert case is not None
    actions.transition(world.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    actions.transition(world.handler, case.pk, "accept", {})
    actions.set_fact(world.investigator, case.pk, {"fact": "private_gain", "value": False})
    list_params = {"page_size": 100}
    filtered = {"jurisdiction": "320000", "q": "案件", "status": "open", "page_size": 100}
    small = [_count(handler, "/cases", list_params), _count(handler, "/cases", filtered)]
    detail_small = _count(handler, f"/cases/{case.pk}")
    _make_cases(world, 27)
    for fact in ("intentional", "collective_decision", "lacks_precedent"):
        actions.set_fact(world.investigator, case.pk, {"fact": fact, "value": False})
    assert ok(handler.get("/cases", list_params))["total"] == 30
    assert len(ok(handler.get("/cases", filtered))["items"]) == 30
    assert [_count(handler, "/cases", list_params), _count(handler, "/cases", filtered)] == small
    assert _count(handler, f"/cases/{case.pk}") == detail_small


def test_list_filters_and_pagination(as_user, world) -> None:
    _make_cases(world, 5)
    handler = as_user("handler")
    first = ok(handler.get("/cases", {"page_size": 2}))
    assert first["total"] == 5 and len(first["items"]) == 2 and first["page"] == 1
    third = ok(handler.get("/cases", {"page_size": 2, "page": 3}))
    assert len(third["items"]) == 1
    assert ok(handler.get("/cases", {"page_size": 2, "page": 9}))["items"] == []
    assert ok(handler.get("/cases", {"q": "案件3"}))["total"] == 1
    assert ok(handler.get("/cases", {"stage": "unit_review", "start_type": "individual"}))["total"] == 5
    assert ok(handler.get("/cases", {"stage": "acceptance"}))["total"] == 0
    assert ok(handler.get("/cases", {"jurisdiction": "530000"}))["total"] == 0
    assert ok(handler.get("/cases", {"jurisdiction": "000000"}))["total"] == 5
    assert ok(handler.get("/cases", {"overdue": "true"}))["total"] == 0
    assert ok(handler.get("/cases", {"domain": "征地拆迁", "engine_outcome": "undetermined"}))["total"] == 5
    err = ok(handler.get("/cases", {"page_size": 101}), 400)
    assert err["field"] == "page_size" and "100" in err["message"]
    assert ok(handler.get("/cases", {"outcome": "bogus"}), 400)["field"] == "outcome"
    before = AuditRecord.objects.filter(action="case.list").count()
    handler.get("/cases")
    assert AuditRecord.objects.filter(action="case.list").count() == before + 1


def test_token_user_runs_a_verb(world) -> None:
    from django.test import Client

    from .conftest import Api

    raw = accounts.issue_token(world.unit_reviewer)
    api = Api(Client(enforce_csrf_checks=True), token=raw)
    case = actions.submit_application(world.applicant, APPLICATION)
    state = act(api, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    assert state["stage"] == "acceptance"
