"""The statistics API: staff only, scoped to the user; the public endpoint needs no sign-in."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import signed_in

from . import dataset

pytestmark = pytest.mark.django_db


def test_staff_endpoints_are_scoped(world) -> None:
    dataset.build(world)
    handler = signed_in(world.handler)
    r = handler.get("/stats/summary")
    assert r.status_code == 200, r.content
    assert r.json()["total"] == 5 and r.json()["outcomes"]["decided"] == 2
    r = handler.get("/stats/by/start_type")
    assert {i["key"]: i["count"] for i in r.json()["items"]} == {"individual": 3, "unit": 1, "proactive": 1}
    r = handler.get("/stats/by/period", {"period": "year"})
    assert r.json()["period"] == "year" and {i["key"] for i in r.json()["items"]} == {"2024", "2025", "2026"}
    r = handler.get("/stats/by/period", {"period": "year", "since": "2025-01-01"})
    assert {i["key"]: i["count"] for i in r.json()["items"]} == {"2025": 1, "2026": 1}
    assert handler.get("/stats/processing-times").json()["unit"] == "working_days"
    assert handler.get("/stats/overdue").json()["open_overdue"] == 0
    outsider = signed_in(world.outsider).get("/stats/by/jurisdiction").json()
    assert [(i["key"], i["count"]) for i in outsider["items"]] == [("530524", 1)]
    # A jurisdiction outside the user's scope narrows to nothing; it never widens the scope.
    r = signed_in(world.outsider).get("/stats/summary", {"jurisdiction": "320000"})
    assert r.json()["total"] == 0


def test_refusals(world) -> None:
    for name in ("sysadmin", "secadmin", "auditadmin", "applicant", "unit_contact"):
        r = signed_in(world.users[name]).get("/stats/summary")
        assert r.status_code == 403, (name, r.content)
        assert r.json()["error"] == "forbidden"
    assert Client().get("/api/stats/summary").status_code == 401
    handler = signed_in(world.handler)
    assert handler.get("/stats/by/cadre").status_code == 400
    r = handler.get("/stats/by/period", {"period": "week"})
    assert r.status_code == 400
    r = handler.get("/stats/summary", {"since": "2025-02-01", "until": "2025-01-01"})
    assert r.status_code == 400 and r.json()["field"] == "until"


def test_public_endpoint_without_sign_in(world) -> None:
    r = Client().get("/api/stats/public")
    assert r.status_code == 200
    body = r.json()
    assert body["format"] == "rongcuo.stats.public/1" and body["threshold"] == 5
