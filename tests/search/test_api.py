"""The search endpoints: scope, the public library without sign-in, 「类案推送」 with reasons, audit records."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rongcuo.accounts.models import User
from rongcuo.audit import redact
from rongcuo.audit.models import AuditRecord

from .conftest import World, decide, new_case, publish, set_facts

pytestmark = pytest.mark.django_db


def get(user: User | None, path: str, params: dict[str, Any] | None = None) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get("/api/search" + path, params or {})


def test_case_search_endpoint_is_scoped_audited_and_paged(world: World) -> None:
    mine = new_case(world, "征地拆迁补偿失误", "容错纠错")
    new_case(world, "征地拆迁补偿失误（昌宁）", "容错纠错", by="outsider")
    r = get(world.handler, "/cases", {"q": "容错"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [i["id"] for i in body["items"]] == [mine.pk]
    item = body["items"][0]
    assert item["number"] == mine.number and item["jurisdiction"] == {"code": "320000", "name": "江苏省"}
    assert "score" not in item  # raw BM25 would reveal term counts of the whole national corpus
    assert body["total"] == 1 and body["terms"] == ["容错"] and body["truncated"] is False
    rec = AuditRecord.objects.filter(action="case.search").latest("seq")
    detail = json.loads(rec.detail)
    assert rec.username == "handler" and "容错" not in rec.detail  # the terms as a keyed digest (audit/redact.py)
    assert detail == {"q_digest": redact.term_digest("容错"), "q_length": 2, "total": 1, "shown": 1}
    assert get(world.sysadmin, "/cases", {"q": "容错"}).json()["items"] == []
    assert get(world.handler, "/cases", {"q": "容错", "page": 2}).json()["items"] == []


def test_case_search_needs_sign_in_and_a_query(world: World) -> None:
    assert get(None, "/cases", {"q": "容错"}).status_code == 401
    r = get(world.handler, "/cases")
    assert r.status_code == 400 and r.json()["field"] == "q"
    assert get(world.handler, "/cases", {"q": "x" * 101}).status_code == 400


def test_public_search_needs_no_sign_in_and_finds_only_published(world: World) -> None:
    case = decide(world, new_case(world, "征地拆迁补偿失误", "先行先试"))
    assert get(None, "/public", {"q": "征地拆迁"}).json()["items"] == []
    r = publish(world, case)
    body = get(None, "/public", {"q": "征地拆迁"}).json()
    assert [i["id"] for i in body["items"]] == [r.pk]
    assert body["items"][0]["title"] == r.title and body["items"][0]["score"] > 0


def test_similar_endpoint(world: World) -> None:
    source = new_case(world, "征地拆迁补偿款发放失误", "征地拆迁安置补偿中先行先试，补偿款发放失误", domain="征地拆迁")
    alike = new_case(world, "征地拆迁安置补偿失误", "征地拆迁安置补偿中先行先试，补偿款发放失误", domain="征地拆迁")
    set_facts(world, source, {"exploratory_reform": True})
    set_facts(world, alike, {"exploratory_reform": True})
    r = get(world.handler, f"/similar/{source.pk}", {"limit": 3})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["case"]["id"] == source.pk
    assert [c["id"] for c in body["cases"]] == [alike.pk]
    first = body["cases"][0]
    assert 0 < first["score"] <= 1 and first["shared_facts"] == ["exploratory_reform"]
    assert any(reason.startswith("相同容错情形：先行先试") for reason in first["reasons"])
    assert body["library"] == []
    assert AuditRecord.objects.filter(action="case.similar", object_id=source.number, success=True).exists()
    # missing and forbidden alike, and the refusal is audited
    for case_id in (source.pk, 999999):
        r = get(world.outsider, f"/similar/{case_id}")
        assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert AuditRecord.objects.filter(action="case.similar", success=False, username="outsider").count() == 2
