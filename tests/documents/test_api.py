"""The documents API: issue, list, download (audited, through access), sign, verify, templates."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.audit.models import AuditRecord
from rongcuo.documents import render

from .conftest import decided

pytestmark = pytest.mark.django_db


def client(user) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {accounts.issue_token(user)}"}


def test_issue_list_download_sign_verify(world, body) -> None:
    case = decided(world)
    c, h = client(world.secretary)
    r = c.post(f"/api/documents/cases/{case.pk}", {"kind": "decision"}, content_type="application/json", headers=h)
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["number"].startswith("苏纪发〔") and doc["kind_label"] == "容错认定决定"
    listed = c.get(f"/api/documents/cases/{case.pk}", headers=h).json()
    assert [d["id"] for d in listed] == [doc["id"]]
    r = c.get(f"/api/documents/{doc['id']}/docx", headers=h)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    content = r.content
    assert AuditRecord.objects.filter(action="document.download", object_id=doc["number"]).exists()
    r = c.post(f"/api/documents/{doc['id']}/signature", headers=h)
    assert r.status_code == 200 and r.json()["signature"]["algorithm"] == "SM2-with-SM3"
    sig = c.get(f"/api/documents/{doc['id']}/signature", headers=h).content
    files = {"file": SimpleUploadedFile("d.docx", content), "signature": SimpleUploadedFile("d.sig.json", sig)}
    assert c.post("/api/documents/verify", files, headers=h).json()["valid"] is True
    files = {"file": SimpleUploadedFile("d.docx", content + b"x"), "signature": SimpleUploadedFile("s.json", sig)}
    assert c.post("/api/documents/verify", files, headers=h).json()["valid"] is False
    # outsiders see nothing, and the refusal is audited
    o, oh = client(world.outsider)
    assert o.get(f"/api/documents/{doc['id']}/docx", headers=oh).status_code == 404
    assert o.get(f"/api/documents/cases/{case.pk}", headers=oh).status_code == 404
    assert AuditRecord.objects.filter(action="document.download", success=False).exists()


def test_template_upload_refuses_unknown_field(world) -> None:
    from .test_templates import docx_with

    c, h = client(world.handler)
    bad = SimpleUploadedFile("t.docx", docx_with("{{ title }}{{ 身份证号 }}"))
    r = c.post("/api/documents/templates", {"file": bad, "kind": "acceptance", "jurisdiction": "320000"}, headers=h)
    assert r.status_code == 400 and "身份证号" in r.json()["message"] and r.json()["field"] == "file"
    good = SimpleUploadedFile("t.docx", render.default_template())
    r = c.post("/api/documents/templates", {"file": good, "kind": "acceptance", "jurisdiction": "320000"}, headers=h)
    assert r.status_code == 201 and "doc_number" in r.json()["fields"]
    assert c.get("/api/documents/templates/default", headers=h).content.startswith(b"PK")
    kinds = c.get("/api/documents/kinds", headers=h).json()
    assert {k["kind"] for k in kinds} >= {"decision", "public_notice", "prefiling_ack", "clarification"}
