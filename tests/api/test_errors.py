"""Errors are JSON {error, message, field} with a Chinese message and the right status: never HTML, never a
traceback."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from rongcuo.cases import actions

from .test_lifecycle_api import APPLICATION

pytestmark = pytest.mark.django_db
CHINESE = re.compile("[\u4e00-\u9fff]")


def error(response: Any, status: int, code: str, field: str | None = "__any__") -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message", "field"}, body
    assert body["error"] == code and CHINESE.search(body["message"]), body
    assert "Traceback" not in body["message"] and "<html" not in response.content.decode().lower()
    if field != "__any__":
        assert body["field"] == field, body
    return body


@pytest.fixture
def case(world):
    return actions.submit_application(world.applicant, APPLICATION)


def test_bad_json(as_user) -> None:
    api = as_user("applicant")
    response = api.client.post("/api/applications", "{not json", content_type="application/json")
    error(response, 400, "invalid", "body")


def test_missing_and_wrong_fields(as_user) -> None:
    api = as_user("applicant")
    body = error(api.post("/applications", {"summary": "s", "statement": "x"}), 400, "invalid", "title")
    assert "必填" in body["message"]
    error(api.post("/applications", {**APPLICATION, "conduct_date": "昨天"}), 400, "invalid", "conduct_date")
    error(api.post("/applications", {**APPLICATION, "extra": 1}), 400, "invalid", "extra")
    error(api.post("/applications", [1, 2]), 400, "invalid")
    error(api.post("/applications"), 400, "invalid")


def test_verb_errors(as_user, case) -> None:
    handler = as_user("handler")
    body = error(handler.post(f"/cases/{case.pk}/actions/fly", {}), 400, "invalid", "verb")
    assert "未知的办理操作" in body["message"]
    body = error(handler.post(f"/cases/{case.pk}/actions/accept", {}), 409, "conflict")
    assert "环节" in body["message"]  # the case waits for the unit committee
    error(handler.post(f"/cases/{case.pk}/actions/endorse", {"discussion": "x", "opinion": "y"}), 403, "forbidden")
    reviewer = as_user("unit_reviewer")
    error(reviewer.post(f"/cases/{case.pk}/actions/endorse", {"opinion": "y"}), 400, "invalid", "discussion")
    error(
        reviewer.post(f"/cases/{case.pk}/actions/endorse", {"discussion": "x", "opinion": "y", "expected_version": 99}),
        409,
        "conflict",
    )
    error(
        reviewer.post(
            f"/cases/{case.pk}/actions/endorse", {"discussion": "x", "opinion": "y", "expected_version": "1"}
        ),
        400,
        "invalid",
        "expected_version",
    )
    error(as_user("outsider").post(f"/cases/{case.pk}/actions/accept", {}), 404, "not_found")


def test_not_found_paths_and_methods(as_user, case) -> None:
    handler = as_user("handler")
    error(handler.get("/cases/999999"), 404, "not_found")
    for huge in ("99999999999999999999", str(2**63)):  # past any database id: refused by name, never a 500
        body = error(handler.get(f"/cases/{huge}"), 400, "invalid", "case_id")
        assert "不大于 9223372036854775807" in body["message"]
        error(handler.post(f"/cases/{huge}/actions/accept", {}), 400, "invalid", "case_id")
    error(handler.get("/cases/0"), 400, "invalid", "case_id")
    error(handler.get("/cases/not-a-number"), 400, "invalid", "case_id")
    error(handler.get("/no/such/endpoint"), 404, "not_found")
    error(Client().get("/api/no/such/endpoint"), 404, "not_found")
    response = handler.delete(f"/cases/{case.pk}")
    error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_query_parameters(as_user) -> None:
    handler = as_user("handler")
    error(handler.get("/cases", {"page": "x"}), 400, "invalid", "page")
    error(handler.get("/cases", {"page": 0}), 400, "invalid", "page")
    error(handler.get("/cases", {"overdue": "maybe"}), 400, "invalid", "overdue")


def test_upload_without_file(as_user, case) -> None:
    api = as_user("applicant")
    error(api.client.post(f"/api/cases/{case.pk}/attachments", {"kind": "evidence"}), 400, "invalid", "file")


def test_unauthenticated_and_policy_errors() -> None:
    client = Client()
    error(client.get("/api/cases"), 401, "unauthenticated")
    error(client.get("/api/policies/no-such-policy"), 404, "not_found")
    error(client.get("/api/policies/jiangsu-2017", {"on": "2001-01-01"}), 400, "invalid", "on")
    error(
        client.post("/api/policies/jiangsu-2017/evaluate", {"facts": {"private_gian": True}}, "application/json"),
        400,
        "invalid",
        "facts.private_gian",
    )
    error(
        client.post("/api/policies/jiangsu-2017/evaluate", {"facts": {"private_gain": "yes"}}, "application/json"),
        400,
        "invalid",
        "facts.private_gain",
    )


def test_unexpected_failure_is_json_without_traceback(as_user, case, monkeypatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(actions, "read_case", boom)
    response = as_user("handler").get(f"/cases/{case.pk}")
    body = error(response, 500, "server_error", None)
    assert "secret" not in response.content.decode()
    assert body["message"].startswith("服务器内部错误")
