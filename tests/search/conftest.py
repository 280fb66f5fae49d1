"""Cases with chosen words and facts, carried through the real actions, for the search tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rongcuo.cases import actions
from rongcuo.cases.models import Case
from rongcuo.disclosure import actions as disclosure
from rongcuo.disclosure.models import Rendition
from tests.cases.conftest import World, world  # noqa: F401

TODAY = dt.date.today()
# Facts that make the Jiangsu policy exempt (tests/cases/test_lifecycle.py), minus the situations.
CLEAR = {
    "violates_discipline_or_law": False,
    "private_gain": False,
    "public_interest": True,
    "collective_decision": True,
    "intentional": False,
    "defied_explicit_ban": False,
    "major_incident": False,
    "superior_decision_illegal": False,
}


def new_case(w: World, title: str, summary: str, *, domain: str = "", by: str = "handler", unit: Any = None) -> Case:
    """A proactive case (the matter opens it at once under 江苏 and 昌宁 rules), in investigation."""
    user = w.users[by]
    unit = unit or (w.other_unit if by == "outsider" else w.unit)
    matter, case = actions.open_matter(
        user,
        {
            "unit_id": unit.pk,
            "title": title,
            "description": summary,
            "initiating_organ": "纪委监委",
            "started_on": str(TODAY),
            "conduct_date": "2023-03-01",
            "domain": domain,
        },
    )
    if case is None:
        case = actions.open_proactive(user, matter.pk)
    return case


def set_facts(
    w: World, case: Case, values: dict[str, bool | None], *, by: str = "investigator", note: str = ""
) -> None:
    for fact, value in values.items():
        actions.set_fact(w.users[by], case.pk, {"fact": fact, "value": value, "comment": note})


def decide(w: World, case: Case, *, basis: str = "") -> Case:
    """Carry a Jiangsu case in investigation to an exemption decision through the verbs."""
    set_facts(w, case, {**CLEAR, "exploratory_reform": True})
    actions.transition(w.investigator, case.pk, "submit_report", {"report": "初步调查报告"})
    actions.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形"})
    case.refresh_from_db()
    if case.stage == "defence":
        actions.transition(w.handler, case.pk, "submit_defence", {"statement": "无异议"})
    actions.transition(
        w.secretary,
        case.pk,
        "deliberate",
        {
            "met_on": str(TODAY),
            "participants": ["甲", "乙", "丙"],
            "opinions": "一致同意",
            "recommendation": "exempt",
            "disposition": "免除相关责任",
            "departure_reason": "经集体研判认定",  # the engine may still say 待定 on these few facts
        },
    )
    return actions.transition(
        w.secretary,
        case.pk,
        "decide",
        {"disposition": "免除相关责任", "decided_on": str(TODAY), "organ": "省纪委常委会", "basis": basis},
    )


def publish(w: World, case: Case) -> Rendition:
    r = disclosure.generate_rendition(w.publisher, case.pk)
    return disclosure.approve_rendition(w.publisher, r.pk)
