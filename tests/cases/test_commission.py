"""Commissioning the evaluator and the hearing host from the case; 「等待……」 says who the case waits for."""

from __future__ import annotations

import pytest

from rongcuo.accounts import actions as accounts
from rongcuo.accounts.models import RoleAssignment
from rongcuo.audit.models import AuditRecord
from rongcuo.cases import access, actions, commission
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound

from .test_lifecycle import individual_case

pytestmark = pytest.mark.django_db


def at_third_party(w):
    case = individual_case(w)
    case = actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    case = actions.transition(w.handler, case.pk, "accept", {})
    case = actions.transition(w.investigator, case.pk, "submit_report", {"report": "报告"})
    case = actions.transition(
        w.handler,
        case.pk,
        "find_qualifying",
        {"finding": "重大事项", "major_matter": True, "public_interest_involved": True},
    )
    return actions.transition(w.applicant, case.pk, "submit_defence", {"statement": "申辩"})


def test_handler_commissions_from_the_register_and_the_evaluator_can_act(world) -> None:
    w = world
    other = individual_case(w)
    accounts.grant_role(None, "evaluator", "evaluator", case_id=other.pk)  # on the register since another case
    case = at_third_party(w)
    assert case.stage == "third_party"
    assert commission.awaiting(case) == "等待第三方评估人（尚未委托）提交第三方评估报告"
    assert commission.may_commission(w.handler, case) == ["evaluator"]
    assert commission.may_commission(w.applicant, case) == []
    assert [u.pk for u in commission.register("evaluator")] == [w.evaluator.pk]
    with pytest.raises(NotFound):  # the evaluator cannot see the case before the commission
        actions.read_case(w.evaluator, case.pk)

    data = {"role": "evaluator", "user_id": w.evaluator.pk, "note": "重大事项"}
    grant = commission.commission(w.handler, case.pk, data)
    assert grant.case_id == case.pk and grant.granted_by_id == w.handler.pk
    case.refresh_from_db()
    event = case.events.get(verb="commission")
    assert event.summary == f"委托第三方评估人：{w.evaluator}" and event.reason == "重大事项"
    assert AuditRecord.objects.filter(action="case.commission", object_id=case.number).exists()
    assert commission.awaiting(case) == f"等待第三方评估人（{w.evaluator}）提交第三方评估报告"
    access.forget_grants(w.evaluator)  # grants are cached per request; this is the evaluator's next request
    case = actions.transition(
        w.evaluator,
        case.pk,
        "submit_evaluation",
        {"evaluator_org": "某大学评估中心", "conclusion": "探索性", "report": "r"},
    )
    assert case.stage == "hearing"
    assert commission.may_commission(w.handler, case) == ["hearing_host"]


def test_refusals_change_nothing(world) -> None:
    w = world
    case = at_third_party(w)
    before = RoleAssignment.objects.count()
    with pytest.raises(Invalid) as exc:  # not on the register
        commission.commission(w.handler, case.pk, {"role": "evaluator", "user_id": w.evaluator.pk})
    assert exc.value.field == "user_id" and "名册" in exc.value.message
    with pytest.raises(Invalid) as exc:
        commission.commission(w.handler, case.pk, {"role": "auditor", "user_id": 1})
    assert exc.value.field == "role"
    with pytest.raises(Invalid):
        commission.commission(w.handler, case.pk, {"role": "evaluator", "user_id": 2**70})
    with pytest.raises(Forbidden):
        commission.commission(w.applicant, case.pk, {"role": "evaluator", "user_id": w.evaluator.pk})
    with pytest.raises(NotFound):
        commission.commission(w.outsider, case.pk, {"role": "evaluator", "user_id": w.evaluator.pk})
    other = individual_case(w)
    accounts.grant_role(None, "hearing_host", "hearing_host", case_id=other.pk)
    with pytest.raises(Conflict) as exc:  # not the hearing stage yet
        commission.commission(w.handler, case.pk, {"role": "hearing_host", "user_id": w.hearing_host.pk})
    assert "听证" in exc.value.message
    assert RoleAssignment.objects.count() == before + 1  # only the hearing host's first grant above
    assert not case.events.filter(verb="commission").exists()
    assert AuditRecord.objects.filter(action="case.commission", success=False).count() >= 4
