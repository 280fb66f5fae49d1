"""Drafters for the 规则起草 tests: one of 江宁区 (320115, under 江苏), one of 昌宁县 (530524), beside the world."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongcuo.authoring import actions
from rongcuo.authoring.models import PolicyDraft
from rongcuo.org.models import Jurisdiction
from tests.cases.conftest import PASSWORD, _user, world  # noqa: F401

__all__ = ["PASSWORD", "derive_jiangning", "revision_of"]
PARENT = "jiangsu-2017"
NEW_ID = "jiangsu-nanjing-jiangning-2025"


@pytest.fixture
def drafters(world):  # noqa: F811
    for code, name, level, parent in (("320100", "南京市", "city", "320000"), ("320115", "江宁区", "county", "320100")):
        if not Jurisdiction.objects.filter(code=code).exists():
            Jurisdiction.objects.create(
                code=code,
                name=name,
                level=level,
                parent_id=parent,
                path=f"{Jurisdiction.objects.get(code=parent).path}{code}/",
            )
    world.users["drafter"] = _user("drafter", "drafter", jurisdiction="320115")
    world.users["drafter_cn"] = _user("drafter_cn", "drafter", jurisdiction="530524")
    return world


def derive_jiangning(user: Any, **extra: Any) -> PolicyDraft:
    data = {
        "parent_policy_id": PARENT,
        "jurisdiction": "320115",
        "policy_id": NEW_ID,
        "title": "南京市江宁区容错纠错实施办法",
        "version": "2025",
        "effective_from": "2025-06-01",
        **extra,
    }
    return actions.derive(user, data)


def revision_of(user: Any, policy_id: str, version: str = "2026", start: dt.date = dt.date(2026, 1, 1)) -> PolicyDraft:
    return actions.revise(user, {"policy_id": policy_id, "version": version, "effective_from": start.isoformat()})
