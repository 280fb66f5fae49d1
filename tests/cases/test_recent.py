"""The workbench's recent activity: the newest events of visible cases only, the same under both plans."""

from __future__ import annotations

import pytest

from rongcuo.cases import actions, recent
from rongcuo.cases.models import CaseEvent

pytestmark = pytest.mark.django_db


def _apply(w, n: int) -> list[int]:
    ids = []
    for i in range(n):
        case = actions.submit_application(
            w.applicant, {"title": f"申请{i}", "summary": "试点失误", "statement": "申请容错"}
        )
        ids.append(case.pk)
    return ids


@pytest.mark.parametrize("plan", ["small scope", "windows"])
def test_recent_events_are_the_newest_of_visible_cases(world, monkeypatch, plan) -> None:
    w = world
    mine = _apply(w, 4)
    for pk in mine[:2]:
        actions.transition(w.unit_reviewer, pk, "endorse", {"discussion": "党组会", "opinion": "同意"})
    # a case in another county (昌宁县), with events newer than mine
    matter, _ = actions.open_matter(
        w.outsider,
        {"unit_id": w.other_unit.pk, "title": "外县问责", "initiating_organ": "县纪委", "started_on": "2025-03-03"},
    )
    theirs = actions.open_proactive(w.outsider, matter.pk)
    if plan == "windows":
        monkeypatch.setattr(recent, "SMALL_SCOPE", -1)
        monkeypatch.setattr(recent, "FIRST_WINDOW", 2)  # several windows before enough are found
    got = recent.recent_events(w.handler, 5)
    expected = list(CaseEvent.objects.filter(case_id__in=mine).order_by("-id")[:5])
    assert [e.pk for e in got] == [e.pk for e in expected] and len(got) == 5
    assert all(e.case.number for e in got)
    assert theirs.pk not in {e.case_id for e in got}
    assert {e.case_id for e in recent.recent_events(w.outsider, 5)} == {theirs.pk}
