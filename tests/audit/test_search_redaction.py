"""The audit administrator reads no case content through searches: audited search and filter terms are a keyed
digest (audit/redact.py), equal for equal searches, and older records holding the text are shown the same way."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from rongcuo.audit import redact
from rongcuo.audit.chain import Actor, append
from rongcuo.audit.models import AuditRecord
from rongcuo.audit.verify import verify_chain
from rongcuo.core import crypto
from tests.cases.conftest import World

pytestmark = pytest.mark.django_db

TERM = "王小明 征地补偿"  # a cadre's name among the words: case content


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def details(action: str) -> list[dict]:
    return [json.loads(r.detail) for r in AuditRecord.objects.filter(action=action).order_by("seq")]


def test_a_search_is_audited_as_a_digest_of_its_terms(world: World) -> None:
    handler = signed_in(world.handler)
    for q in (TERM, "王小明  征地补偿", "ＷＡＮＧ", "wang", "张三"):
        assert handler.get("/api/search/cases", {"q": q}).status_code == 200
    records = AuditRecord.objects.filter(action="case.search").order_by("seq")
    assert not any("王小明" in r.detail or "张三" in r.detail or "wang" in r.detail.lower() for r in records)
    first, spaced, wide, narrow, other = details("case.search")
    assert set(first) == {"q_digest", "q_length", "total", "shown"}
    assert re.fullmatch(r"[0-9a-f]{32}", first["q_digest"]) and first["q_length"] == len(TERM)
    assert first["q_digest"] == spaced["q_digest"]  # the same search, however spaced, correlates
    assert wide["q_digest"] == narrow["q_digest"]  # full-width and case folded
    assert other["q_digest"] != first["q_digest"]
    # keyed, and apart from the ID-number blind index made with the same key
    assert first["q_digest"] not in crypto.blind_index(TERM)
    assert first["q_digest"] != crypto.keyed_digest("another purpose", redact.normalise(TERM))


def test_list_and_export_filters_keep_no_text(world: World) -> None:
    handler = signed_in(world.handler)
    assert handler.get("/api/cases", {"q": "王小明", "stage": "investigation"}).status_code == 200
    listed = details("case.list")[-1]["filters"]
    assert listed == {"stage": "investigation", **redact.search_terms("王小明")}
    response = handler.get("/api/exchange/exports/cases", {"q": "王小明"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    exported = details("exchange.export")[-1]["filters"]
    assert "王小明" not in json.dumps(exported, ensure_ascii=False) and exported["q_digest"] == listed["q_digest"]


def test_the_audit_log_shows_no_search_text_older_records_included(world: World) -> None:
    signed_in(world.handler).get("/api/search/cases", {"q": TERM})
    # a record written before digests existed (as the old code did): it stays as it was, chain intact
    legacy = append(Actor(world.handler.pk, "handler", "handler", "10.0.0.9"), "case.search", "case", "",
                    detail={"q": TERM, "total": 0, "shown": 0})  # fmt: skip
    legacy_list = append(Actor(world.handler.pk, "handler", "handler", "10.0.0.9"), "case.list", "case", "",
                         detail={"filters": {"q": "王小明"}, "total": 0, "shown": 0})  # fmt: skip
    assert TERM in AuditRecord.objects.get(pk=legacy.pk).detail
    assert verify_chain().ok

    api = signed_in(world.auditadmin).get("/api/audit", {"page_size": 100})
    assert api.status_code == 200
    assert "王小明" not in api.content.decode()
    shown = {r["seq"]: r["detail"] for r in api.json()["items"]}
    digest = redact.term_digest(TERM)
    assert shown[legacy.seq] == {"q_digest": digest, "q_length": len(TERM), "total": 0, "shown": 0}
    assert [d["q_digest"] for d in shown.values() if "q_digest" in d].count(digest) == 2  # old and new correlate
    assert shown[legacy_list.seq]["filters"] == redact.search_terms("王小明")

    from tests.web.test_console import signed_in as console_sign_in

    page = console_sign_in(world.auditadmin).get("/console/audit/", {"action": "case.search"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "王小明" not in body and digest in body
