"""Input the outside review sent that the API answered with a 500, an English message, HTML or a wrong
status: every answer here is the JSON error {error, message, field} with a Chinese message."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from django.test import Client, RequestFactory
from pydantic_core.core_schema import ErrorType

from rongcuo.api import api
from rongcuo.cases import actions, files
from rongcuo.cases.models import Case
from rongcuo.core.errors import Invalid
from rongcuo.core.validation import PYDANTIC_MESSAGES
from tests import samples

from .test_errors import CHINESE, error
from .test_lifecycle_api import APPLICATION, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world) -> Case:
    return actions.submit_application(world.applicant, APPLICATION)


@pytest.fixture
def investigating(world, case) -> Case:
    actions.transition(world.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    actions.transition(world.handler, case.pk, "accept", {})
    return case


# --- multipart without a boundary ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/cases/{case}/attachments",
        "/api/documents/templates",
        "/api/documents/templates/validate",
        "/api/documents/verify",
        "/api/exchange/import",
    ],
)
@pytest.mark.parametrize("how", ["session", "browser", "token"])
def test_multipart_without_boundary_is_a_400(as_user, world, case, path: str, how: str) -> None:
    from rongcuo.accounts import actions as accounts

    from .test_auth import sign_in

    url = path.format(case=case.pk)
    if how == "token":
        client, headers = Client(), {"Authorization": f"Bearer {accounts.issue_token(world.handler)}"}
    elif how == "browser":  # CSRF enforced: the token check reads the form before the view does
        client, csrf = sign_in("handler")
        headers = {"X-CSRFToken": csrf}
    else:
        client, headers = as_user("handler").client, {}
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; charset=utf-8"):
        response = client.post(url, b"--x\r\nnot a part\r\n", content_type=content_type, headers=headers)
        body = error(response, 400, "invalid", "body")
        assert "multipart" in body["message"]


# --- ids past the database's range --------------------------------------------------------------------------


def test_huge_ids_in_payloads_are_refused_by_name(as_user, investigating) -> None:
    api_ = as_user("investigator")
    for key in ("attachment_ids", "interview_ids"):
        for huge in (2**63, 2**64 + 1, 10**30):
            body = {"fact": "private_gain", "value": False, key: [huge]}
            got = error(api_.post(f"/cases/{investigating.pk}/facts", body), 400, "invalid", f"{key}.0")
            assert "不大于 9223372036854775807" in got["message"]
        zero = {"fact": "private_gain", "value": False, key: [0]}
        error(api_.post(f"/cases/{investigating.pk}/facts", zero), 400, "invalid", f"{key}.0")
    applicant = as_user("applicant")
    for key in ("unit_id", "cadre_id", "matter_id", "pre_filing_id"):
        error(applicant.post("/applications", {**APPLICATION, key: 2**63}), 400, "invalid", key)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/cases/{huge}", "case_id"),
        ("/cases/{case}/attachments/{huge}", "attachment_id"),
        ("/documents/{huge}", "document_id"),
        ("/documents/cases/{huge}", "case_id"),
        ("/disclosure/renditions/{huge}", "rendition_id"),
        ("/outcomes/reports/{huge}", "report_id"),
        ("/outcomes/cases/{huge}/correction", "case_id"),
        ("/consultation/drafts/{huge}", "draft_id"),
        ("/search/similar/{huge}", "case_id"),
    ],
)
def test_huge_path_ids_are_refused_by_name(as_user, case, path: str, field: str) -> None:
    url = path.format(huge=2**63, case=case.pk)
    body = error(as_user("handler").get(url), 400, "invalid", field)
    assert "不大于 9223372036854775807" in body["message"]


def test_query_ids_are_bounded(as_user) -> None:
    error(as_user("handler").get("/cadres", {"unit": 2**63}), 400, "invalid", "unit")
    error(as_user("org_liaison").get("/outcomes/standing", {"cadre": 2**64}), 400, "invalid", "cadre")


def _request() -> Any:
    return RequestFactory().get("/api/cases")


def test_values_the_orm_refuses_are_a_400_and_other_value_errors_stay_500() -> None:
    try:
        Case.objects.filter(pk="not-a-number").exists()
    except ValueError as exc:
        raised = exc
    response = api.on_exception(_request(), raised)
    assert response.status_code == 400 and CHINESE.search(json.loads(response.content)["message"])
    try:
        Case.objects.filter(pk=2**64).exists()  # SQLite: OverflowError in the driver; PostgreSQL compares numerics
    except OverflowError as exc:
        assert api.on_exception(_request(), exc).status_code == 400
    mine = ValueError("a bug of our own")  # raised outside the ORM: still a server error, logged
    try:
        raise mine
    except ValueError as exc:
        assert api.on_exception(_request(), exc).status_code == 500


# --- dates: YYYY-MM-DD only ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "path", "params", "field"),
    [
        ("handler", "/stats/summary", {"until": "0"}, "until"),
        ("handler", "/stats/summary", {"since": "1700000000"}, "since"),
        ("handler", "/exchange/exports/stats", {"until": "0"}, "until"),
        ("org_liaison", "/exchange/exports/standing", {"on": "0"}, "on"),
        ("auditadmin", "/audit", {"date_from": "0"}, "date_from"),
        ("auditadmin", "/audit", {"date_to": "2024-01-01T00:00:00"}, "date_to"),
        ("org_liaison", "/outcomes/standing", {"cadre": "1", "on": "0"}, "on"),
        (None, "/policies/jiangsu-2017", {"on": "0"}, "on"),
        (None, "/policies/compare/matrix", {"on": "20240101"}, "on"),
        (None, "/policies/compare/exact", {"a": "jiangsu-2017", "b": "jiangsu-2017", "on": "0"}, "on"),
    ],
)
def test_date_parameters_are_strict(as_user, user: str | None, path: str, params: dict[str, str], field: str) -> None:
    client = as_user(user).client if user else Client()
    body = error(client.get("/api" + path, params), 400, "invalid", field)
    assert "YYYY-MM-DD" in body["message"]


def test_date_fields_in_bodies_are_strict(as_user, investigating) -> None:
    api_ = as_user("investigator")
    for held_on in (0, "0", 1700000000, "2024-01-01T00:00:00"):
        body = {"interviewee": "李四", "held_on": held_on, "content": "走访记录"}
        error(api_.post(f"/cases/{investigating.pk}/interviews", body), 400, "invalid", "held_on")
    ok = api_.post(f"/cases/{investigating.pk}/interviews", {"interviewee": "李四", "held_on": TODAY, "content": "记"})
    assert ok.status_code == 201


# --- text: NUL, bidirectional controls, lone surrogates -----------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"])
def test_nul_and_bidi_controls_are_refused_by_field(as_user, bad: str) -> None:
    applicant = as_user("applicant")
    body = error(applicant.post("/applications", {**APPLICATION, "title": f"试点{bad}失误"}), 400, "invalid", "title")
    assert body["message"].startswith("title: 含有不允许的")
    error(applicant.post("/applications", {**APPLICATION, "statement": f"本人{bad}申请"}), 400, "invalid", "statement")
    assert not Case.objects.exists()


def test_control_characters_in_verbs_lists_and_nested_objects(as_user, world, case) -> None:
    from rongcuo.cases.payloads import Hearing, parse_payload
    from rongcuo.outcomes.payloads import PlanIn

    actions.transition(world.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    response = as_user("handler").post(f"/cases/{case.pk}/actions/accept", {"note": "材料\u202e齐全"})
    error(response, 400, "invalid", "note")
    with pytest.raises(Invalid) as refused:
        parse_payload(Hearing, {"held_on": TODAY, "participants": ["张三", "李四\u2067"], "summary": "听证"})
    assert refused.value.field == "participants" and "U+2067" in refused.value.message
    plan = {"responsible": "张三", "measures": "m", "basis": "b", "deadline_on": TODAY}
    with pytest.raises(Invalid) as refused:
        parse_payload(PlanIn, {**plan, "milestones": [{"title": "节点\x00", "due_on": TODAY}]})
    assert refused.value.field == "milestones.0.title" and "NUL" in refused.value.message
    payload = {"acknowledge": True, "response": "同意\u2066"}
    error(as_user("handler").post("/prefilings/1/review", payload), 400, "invalid", "response")


def test_plain_text_stays_accepted(as_user) -> None:
    title = "试点（第二批）：A/B 方案—“先行先试” 😀 \u200d\t结束"
    response = as_user("applicant").post("/applications", {**APPLICATION, "title": title})
    assert response.status_code == 201 and Case.objects.get().title == title.strip()


def test_lone_surrogate_has_a_chinese_message(as_user) -> None:
    applicant = as_user("applicant")
    raw = json.dumps({**APPLICATION, "title": "\ud800"})  # "\\ud800" on the wire: valid JSON, invalid text
    response = applicant.client.post("/api/applications", raw, content_type="application/json")
    body = error(response, 400, "invalid", "title")
    assert "Unicode" in body["message"] and "Input should" not in body["message"]
    raw = json.dumps({"facts": {"\udfff": True}})
    response = Client().post("/api/policies/jiangsu-2017/evaluate", raw, content_type="application/json")
    error(response, 400, "invalid")


def test_every_pydantic_error_type_has_a_chinese_message() -> None:
    types = set(typing.get_args(ErrorType))
    assert types <= set(PYDANTIC_MESSAGES), sorted(types - set(PYDANTIC_MESSAGES))
    assert all(CHINESE.search(message) for message in PYDANTIC_MESSAGES.values())


# --- long request lines ---------------------------------------------------------------------------------------


def test_long_request_line_is_a_json_414_for_the_api(as_user) -> None:
    handler = as_user("handler")
    response = handler.client.get("/api/cases", {"q": "x" * 5000})
    body = error(response, 414, "uri_too_long", None)
    assert "4094" in body["message"]
    error(Client().get("/api/policies", {"on": "2024-01-01", "x": "y" * 5000}), 414, "uri_too_long")
    assert handler.client.get("/api/cases", {"q": "x" * 60}).status_code == 200
    assert Client().get("/public/", {"q": "x" * 5000}).status_code != 414  # the HTML pages have no such limit


# --- uploads: the inner structure decides -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("evil.docx", samples.package({"word/evil.exe": b"MZ\x90\x00"}), "缺少"),
        (
            "macro.docx",
            samples.package({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>", "word/a.exe": "x"}),
            "可执行",
        ),
        (
            "hidden.docx",
            samples.package({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>", "word/x.png": b"MZ\x90"}),
            "可执行",
        ),
        (
            "vba.docx",
            samples.package({"[Content_Types].xml": "<T/>", "word/document.xml": "<w/>", "word/vbaProject.bin": "x"}),
            "宏",
        ),
        ("sheet.docx", samples.xlsx(), "缺少"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 100, "损坏"),
        ("html.pdf", b"%PDF-1.4<html><script>alert(1)</script></html>", "PDF"),
        ("empty.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "PDF"),
    ],
)
def test_uploads_with_a_wrong_inside_are_refused(as_user, investigating, name: str, content: bytes, why: str) -> None:
    response = as_user("investigator").upload(f"/cases/{investigating.pk}/attachments", name, content)
    body = error(response, 400, "invalid", "file")
    assert why in body["message"] and name in body["message"]
    assert not investigating.attachments.exists()


def test_real_documents_are_accepted(as_user, investigating) -> None:
    investigator = as_user("investigator")
    for name, content in (("报告.docx", samples.docx()), ("表.xlsx", samples.xlsx()), ("扫描件.pdf", samples.pdf(3))):
        response = investigator.upload(f"/cases/{investigating.pk}/attachments", name, content)
        assert response.status_code == 201, response.content.decode()
    assert investigating.attachments.count() == 3


def test_pdf_parsing_is_bounded_in_time(monkeypatch) -> None:
    import time

    monkeypatch.setattr(files, "_pdf_pages", lambda content: time.sleep(30) or 1)
    started = time.monotonic()
    with pytest.raises(Invalid) as refused:
        files.check_pdf(samples.pdf(), "慢.pdf")
    assert time.monotonic() - started < files.PDF_PARSE_SECONDS + 5
    assert "秒内" in refused.value.message


# --- cookies ------------------------------------------------------------------------------------------------


def test_session_and_csrf_cookies_are_secure_httponly_samesite(world) -> None:
    from .test_auth import credentials

    client = Client(enforce_csrf_checks=True)
    token = client.get("/api/auth/csrf").json()["csrf_token"]
    response = client.post(
        "/api/auth/login", json.dumps(credentials("handler")), "application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    for name in ("sessionid", "csrftoken"):
        morsel = response.cookies[name]
        assert morsel["httponly"] and morsel["secure"] and morsel["samesite"] == "Lax", (name, morsel.output())


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, True),
        ({"RONGCUO_DEBUG": "1"}, False),
        ({"RONGCUO_HTTPS": "0"}, False),
        ({"RONGCUO_DEBUG": "1", "RONGCUO_HTTPS": "1"}, True),
    ],
)
def test_secure_cookies_follow_the_production_switch(tmp_path, env: dict[str, str], secure: bool) -> None:
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if k not in ("RONGCUO_DEBUG", "RONGCUO_HTTPS")}
    code = (
        "import rongcuo.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env, "RONGCUO_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [str(secure), str(secure), "True", "Lax", "Lax"]
