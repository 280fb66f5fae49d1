"""The /api/outcomes/ endpoints: authenticated like the rest of the API, errors as JSON with a field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from rongcuo.accounts.actions import issue_token
from rongcuo.audit.models import AuditRecord

from .conftest import TODAY, decide_through_verbs, proactive_case

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user=None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {issue_token(user)}"} if user else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/outcomes" + path, params, headers=self.headers)

    def post(self, path: str, data: Any) -> Any:
        body = json.dumps(data, ensure_ascii=False, default=str)
        return self.client.post("/api/outcomes" + path, body, content_type="application/json", headers=self.headers)


def test_standing_json_text_scope_and_auth(world, decided) -> None:
    w = world
    d = decided("从轻处理", dt.date(2024, 1, 15), 6, form=2)
    api = Api(w.org_liaison)
    r = api.get("/standing", cadre=w.cadre.pk, purpose="提拔任用", on="2024-03-01")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["counts_against"] and body["purposes"][0]["id"] == "promotion"
    m = body["purposes"][0]["matters"][0]
    assert m["decision"]["case_number"] == d.case.number and m["decision"]["form_label"] == "第二种形态"
    assert m["decision"]["influence_ends_on"] == "2024-07-15"
    assert any(c["source"] == "policy" for c in m["citations"])
    r = api.get("/standing", cadre=w.cadre.pk, purpose="promotion", on="2024-03-01", format="text")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    text = r.content.decode("utf-8")
    assert "结果运用情况说明" in text and d.case.number in text and "实施意见·结果运用" in text
    assert len(api.get("/standing", cadre=w.cadre.pk).json()["purposes"]) >= 11
    r = api.get("/standing", cadre=w.cadre.pk, purpose="升官")
    assert r.status_code == 400 and r.json()["field"] == "purpose"
    for user in (w.outsider, w.secadmin):
        r = Api(user).get("/standing", cadre=w.cadre.pk, purpose="提拔任用")
        assert r.status_code == 404 and r.json() == {
            "error": "not_found",
            "message": r.json()["message"],
            "field": "cadre",
        }
    assert Api().get("/standing", cadre=w.cadre.pk).status_code == 401
    assert AuditRecord.objects.filter(action="standing.read", success=True).count() == 3


def test_correction_and_early_warning_endpoints(world) -> None:
    w = world
    case = decide_through_verbs(w, proactive_case(w), "从轻处理", months=6, form=1)
    handler = Api(w.handler)
    plan = {
        "responsible": "张三",
        "measures": "整改措施",
        "basis": "整改依据",
        "deadline_on": str(TODAY + dt.timedelta(days=30)),
        "milestones": [{"title": "第一阶段", "due_on": str(TODAY + dt.timedelta(days=10))}],
    }
    r = handler.post(f"/cases/{case.pk}/correction", plan | {"deadline_on": "昨天"})
    assert r.status_code == 400 and r.json()["field"] == "deadline_on"
    r = handler.post(f"/cases/{case.pk}/correction", plan)
    assert r.status_code == 201, r.content
    mid = r.json()["milestones"][0]["id"]
    r = Api(w.applicant).post(
        f"/cases/{case.pk}/correction/progress", {"text": "完成", "milestone_id": mid, "milestone_done": True}
    )
    assert r.status_code == 200 and r.json()["milestones"][0]["completed_on"] == str(TODAY)
    r = Api(w.applicant).post(f"/cases/{case.pk}/correction/verify", {"passed": True, "note": "自己核验"})
    assert r.status_code == 403
    r = Api(w.outsider).get(f"/cases/{case.pk}/correction")
    assert r.status_code == 404
    r = handler.post(f"/cases/{case.pk}/correction/refusal", {"kind": "refused", "reason": "拒不整改"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    r = handler.get(f"/cases/{case.pk}/early-warning")
    assert r.status_code == 200 and r.json()["case"] == case.number


def test_report_endpoints(world) -> None:
    w = world
    handler = Api(w.handler)
    r = handler.post(
        "/reports",
        {
            "cadre_id": w.cadre.pk,
            "received_on": "2024-02-01",
            "channel": "网络",
            "summary": "反映问题",
            "matters": [{"text": "违规审批项目"}],
        },
    )
    assert r.status_code == 201, r.content
    rid, mid = r.json()["id"], r.json()["matters"][0]["id"]
    r = handler.post(
        f"/reports/{rid}/conclusion",
        {
            "organ": "县纪委监委",
            "concluded_on": "2024-02-20",
            "conclusion": "不实",
            "findings": [{"matter_id": mid, "finding": "untrue"}],
        },
    )
    assert r.status_code == 200 and r.json()["status"] == "concluded"
    data = {"matter_ids": [mid], "methods": ["circular"], "scope": "全县", "held_on": "2024-02-25"}
    r = handler.post(f"/reports/{rid}/clarifications", data)
    assert r.status_code == 400 and r.json()["field"] == "methods"
    r = handler.post(
        f"/reports/{rid}/clarifications", data | {"methods": ["circular", "written"], "written_text": "澄清"}
    )
    assert r.status_code == 201 and r.json()["matters"][0]["cleared"]
    assert r.json()["clarifications"][0]["method_labels"] == ["通报澄清", "书面澄清"]
    assert [x["id"] for x in Api(w.secretary).get("/reports", cadre=w.cadre.pk).json()] == [rid]
    assert Api(w.outsider).get(f"/reports/{rid}").status_code == 404
