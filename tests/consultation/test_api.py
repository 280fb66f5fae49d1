"""意见征集 through the API: staff drafting, the public answering without signing in, export and adoption."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from rongcuo.consultation.models import Draft
from tests.api.conftest import Api, signed_in

from .helpers import draft_payload

pytestmark = pytest.mark.django_db


def public() -> Api:
    return Api(Client())


def test_consultation_through_the_api(world) -> None:
    handler = signed_in(world.handler)
    r = handler.post("/consultation/drafts", draft_payload(yaml_text="format: 1\nid: [\n"))
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == "yaml_text" and body["line"] == 3 and "第3行" in body["message"]  # the parser's mark
    assert body["problems"][0]["line"] == 3

    r = handler.post("/consultation/drafts", draft_payload())
    assert r.status_code == 201, r.content
    draft = r.json()
    assert draft["status"] == "draft" and draft["new_versions"] == ["2026"] and draft["warnings"] == []
    pk = draft["id"]
    assert handler.get("/consultation/drafts").json()["total"] == 1
    assert signed_in(world.outsider).get(f"/consultation/drafts/{pk}").status_code == 404
    assert signed_in(world.outsider).get("/consultation/drafts").json()["total"] == 0
    assert public().get(f"/consultation/public/drafts/{pk}").status_code == 404  # not yet published

    r = handler.post(f"/consultation/drafts/{pk}/publish")  # no body: the draft has no closing time yet
    assert r.status_code == 400 and r.json()["field"] == "closes_at", r.content
    closes = (timezone.now() + dt.timedelta(days=20)).isoformat()
    r = handler.post(f"/consultation/drafts/{pk}/publish", {"closes_at": closes})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "open"

    listed = public().get("/consultation/public/drafts").json()
    assert [d["id"] for d in listed["items"]] == [pk] and "yaml_text" not in listed["items"][0]
    full = public().get(f"/consultation/public/drafts/{pk}").json()
    assert full["yaml_text"].startswith("format: 1") and full["jurisdiction_name"] == "江苏省"
    assert "created_by" not in full

    url = f"/consultation/public/drafts/{pk}/responses"
    r = public().post(url, {"answers": {"q1": "赞成", "q3": "好"}, "respondent_name": "王五"})
    assert r.status_code == 201 and r.json()["anonymous"] is False
    r = public().post(url, {"answers": {"q1": "不确定"}})
    assert r.status_code == 201 and r.json()["anonymous"] is True
    r = public().post(url, {"answers": {"q1": "也许"}})
    assert r.status_code == 400 and r.json()["field"] == "answers.q1"
    r = public().post(url, {"answers": {"q1": "赞成"}, "extra": 1})
    assert r.status_code == 400

    r = handler.get(f"/consultation/drafts/{pk}/export", {"format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf") and "王五" in r.content.decode("utf-8-sig")
    assert "filename*=UTF-8''" in r["Content-Disposition"]
    summary = json.loads(handler.get(f"/consultation/drafts/{pk}/export", {"format": "summary"}).content)
    assert summary["responses"] == 2 and summary["named"] == 1
    assert handler.get(f"/consultation/drafts/{pk}/export", {"format": "xlsx"}).status_code == 400
    assert signed_in(world.investigator).get(f"/consultation/drafts/{pk}/export").status_code == 403

    assert signed_in(world.secretary).post(f"/consultation/drafts/{pk}/adopt", {"decision": "通过"}).status_code == 409
    assert handler.post(f"/consultation/drafts/{pk}/close").json()["status"] == "closed"
    assert public().post(url, {"answers": {"q1": "赞成"}}).status_code == 403
    assert handler.post(f"/consultation/drafts/{pk}/adopt", {"decision": "通过"}).status_code == 403
    r = signed_in(world.secretary).post(f"/consultation/drafts/{pk}/adopt", {"decision": "省委常委会议通过"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "adopted" and r.json()["adoption"]["decision"] == "省委常委会议通过"
    assert Draft.objects.get(pk=pk).status == "adopted"


def test_staff_endpoints_need_sign_in_and_admins_see_nothing(world) -> None:
    assert public().get("/consultation/drafts").status_code == 401
    assert public().post("/consultation/drafts", draft_payload()).status_code == 401
    signed_in(world.handler).post("/consultation/drafts", draft_payload())
    for name in ("sysadmin", "secadmin", "auditadmin", "applicant"):
        assert signed_in(world.users[name]).get("/consultation/drafts").json()["total"] == 0
    r = public().post("/consultation/public/drafts/999/responses", {"answers": {"q1": "赞成"}})
    assert r.status_code == 404
