"""The audit endpoints (audit administrator only, no case contents) and the public policy endpoints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions

from .test_lifecycle_api import APPLICATION, CLEAR

pytestmark = pytest.mark.django_db


def test_audit_log_for_the_audit_administrator(as_user, world) -> None:
    case = actions.submit_application(world.applicant, APPLICATION)
    as_user("handler").get(f"/cases/{case.pk}")
    auditor = as_user("auditadmin")
    reads = auditor.get("/audit", {"action": "case.read", "success": "true"}).json()
    assert reads["total"] == 1 and reads["items"][0]["object_id"] == case.number
    assert reads["items"][0]["username"] == "handler" and reads["items"][0]["role"] == "handler"
    timeline = auditor.get("/audit", {"action": "case.", "kind": "timeline"}).json()["items"]
    assert timeline and all(r["detail"]["summary"].startswith("（案件内容") for r in timeline)
    assert APPLICATION["title"] not in str(auditor.get("/audit", {"page_size": 100}).json())
    today = dt.date.today()
    day = auditor.get("/audit", {"date_from": str(today), "date_to": str(today), "user": "applicant"}).json()
    assert day["total"] >= 1 and {r["username"] for r in day["items"]} == {"applicant"}
    assert auditor.get("/audit", {"date_to": str(today - dt.timedelta(days=2))}).json()["total"] == 0
    assert auditor.get("/audit", {"object": f"case:{case.number}"}).json()["total"] >= 2
    verify = auditor.get("/audit/verify").json()
    assert verify["ok"] is True and verify["broken"] is None and verify["count"] == verify["head_seq"]
    assert auditor.get("/audit/checkpoints").json()["total"] == 0
    assert AuditRecord.objects.filter(action__in=["audit.read", "audit.verify", "audit.checkpoints"]).count() == 8
    for role in ("handler", "sysadmin", "secadmin", "outsider"):
        assert as_user(role).get("/audit").status_code == 404


def test_policies_are_public() -> None:
    client = Client()
    listed = client.get("/api/policies").json()
    assert any(p["id"] == "jiangsu-2017" for p in listed)
    shown = client.get("/api/policies/jiangsu-2017", {"on": "2024-06-01"}).json()
    assert shown["policy"] == "jiangsu-2017" and shown["rules"]
    result = client.post(
        "/api/policies/jiangsu-2017/evaluate", {"facts": CLEAR, "on": "2024-06-01"}, "application/json"
    ).json()
    assert result["outcome"] == "exempt" and result["trace"] and result["citations"]
    unknown = client.post("/api/policies/jiangsu-2017/evaluate", {"facts": {}}, "application/json").json()
    assert unknown["outcome"] == "undetermined" and unknown["questions"]
    compared = client.post(
        "/api/policies/compare",
        {"facts": CLEAR, "on": "2024-06-01", "policies": ["jiangsu-2017", "cn-accountability-2019"]},
        "application/json",
    ).json()
    assert [r["policy"] for r in compared["results"]] == ["jiangsu-2017", "cn-accountability-2019"]
    assert all("trace" not in r for r in compared["results"]) and set(compared["by_outcome"])
    everything = client.post("/api/policies/compare", {"facts": {"private_gain": False}}, "application/json").json()
    assert len(everything["results"]) + len(everything["skipped"]) == len(listed)


def test_jurisdictions_and_cadres(as_user, world) -> None:
    tree = as_user("applicant").get("/jurisdictions").json()
    assert tree[0]["code"] == "000000" and any(c["code"] == "320000" for c in tree[0]["children"])
    yunnan = as_user("applicant").get("/jurisdictions", {"root": "530000"}).json()
    assert yunnan[0]["name"] == "云南省" and yunnan[0]["children"]
    cadres = as_user("handler").get("/cadres", {"q": "张"}).json()["items"]
    assert cadres == [
        {
            "id": world.cadre.pk,
            "name": "张三",
            "unit": {"id": world.unit.pk, "name": world.unit.name},
            "position": "副局长",
            "rank": "副处级",
            "party_member": True,
            "id_number_masked": "320***********1234",
            "phone_masked": "138****1234",
        }
    ]
    assert as_user("handler").get("/cadres", {"jurisdiction": "530000"}).json()["total"] == 0
    units = as_user("unit_contact").get("/units").json()["items"]
    assert [u["id"] for u in units] == [world.unit.pk]
