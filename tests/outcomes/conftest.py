"""Fixtures for the after-decision tests: the cases `world`, decisions made directly or through the verbs."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest

from rongcuo.cases import actions
from rongcuo.cases.models import Case, Decision
from rongcuo.outcomes.records import record_result_use
from tests.cases.conftest import World, world  # noqa: F401

TODAY = dt.date.today()
_numbers = itertools.count(1)

CLEAR = {
    "violates_discipline_or_law": False,
    "private_gain": False,
    "public_interest": True,
    "collective_decision": True,
    "exploratory_reform": True,
    "lacks_precedent": True,
    "intentional": False,
    "defied_explicit_ban": False,
    "major_incident": False,
    "superior_decision_illegal": False,
    "emergency_response": False,
}


@pytest.fixture
def decided(world: World) -> Callable[..., Decision]:  # noqa: F811
    """A closed case on the world's cadre with a decision, written straight to the database, and its
    result-use record made by the decision hook (what the decide verb runs)."""

    def make(
        disposition: str,
        decided_on: dt.date,
        months: int | None = None,
        *,
        policy: str = "jiangsu-2017",
        version: str = "2017",
        outcome: str | None = None,
        form: int | None = None,
        domain: str = "",
        title: str = "项目审批失误",
    ) -> Decision:
        n = next(_numbers)
        case = Case.objects.create(
            number=f"RC-T-{n:05d}",
            jurisdiction=world.unit.jurisdiction,
            start_type="proactive",
            subject_type="cadre",
            cadre=world.cadre,
            unit=world.unit,
            title=title,
            summary="—",
            domain=domain,
            stage="closed",
            status="closed",
            created_by=world.handler,
        )
        kinds = {"免除相关责任": "exempt", "免予问责": "exempt", "从轻处理": "mitigate", "减轻处理": "mitigate"}
        d = Decision.objects.create(
            case=case,
            outcome=outcome or kinds.get(disposition, "not_tolerated"),
            disposition=disposition,
            influence_months=months,
            decided_on=decided_on,
            organ="省纪委常委会",
            policy=policy,
            policy_version=version,
            basis="依据",
            document_number=f"苏纪发〔2024〕{n}号",
            form=form,
            decided_by=world.handler,
        )
        record_result_use(d)
        return d

    return make


def proactive_case(w: World, *, title: str = "项目审批失误问责", domain: str = "") -> Case:
    _matter, case = actions.open_matter(
        w.handler,
        {
            "unit_id": w.unit.pk,
            "cadre_id": w.cadre.pk,
            "title": title,
            "initiating_organ": "省纪委",
            "started_on": str(TODAY),
            "conduct_date": "2023-03-01",
            "domain": domain,
        },
    )
    assert case is not None
    return case


def decide_through_verbs(
    w: World, case: Case, disposition: str, *, months: int | None = None, form: int | None = None
) -> Case:
    """Drive a proactive case from investigation to a decision with the case verbs."""
    for k, v in CLEAR.items():
        actions.set_fact(w.investigator, case.pk, {"fact": k, "value": v})
    actions.transition(w.investigator, case.pk, "submit_report", {"report": "初步调查报告"})
    actions.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形"})
    actions.transition(w.applicant, case.pk, "submit_defence", {"statement": "申辩"})
    kinds = {"免除相关责任": "exempt", "从轻处理": "mitigate", "减轻处理": "mitigate", "问责处理": "not_tolerated"}
    rec = kinds[disposition]
    actions.transition(
        w.secretary,
        case.pk,
        "deliberate",
        {
            "met_on": str(TODAY),
            "participants": ["甲", "乙", "丙"],
            "opinions": "意见",
            "recommendation": rec,
            "disposition": disposition,
            "departure_reason": "" if rec == "exempt" else "综合考虑",
        },
    )
    data: dict = {"disposition": disposition, "decided_on": str(TODAY), "organ": "省纪委常委会", "form": form}
    if months is not None:
        data["influence_months"] = months
    return actions.transition(w.secretary, case.pk, "decide", {k: v for k, v in data.items() if v is not None})
