"""The 规则起草人 reads no case: its jurisdiction grant is for drafting rules only."""

from __future__ import annotations

import pytest

from rongcuo.accounts.roles import CASE_BLIND_ROLES, SCOPE, STAFF_ROLES, Role
from rongcuo.cases import access
from rongcuo.cases import actions as case_actions
from rongcuo.core.errors import NotFound

pytestmark = pytest.mark.django_db


def test_role_is_a_jurisdiction_scoped_staff_role() -> None:
    assert Role.DRAFTER.label == "规则起草人"
    assert SCOPE[Role.DRAFTER] == "jurisdiction" and Role.DRAFTER in STAFF_ROLES and Role.DRAFTER in CASE_BLIND_ROLES


def test_drafter_of_the_cases_place_reads_no_case(drafters) -> None:
    w = drafters
    case = case_actions.submit_application(w.applicant, {"title": "申请", "summary": "概述", "statement": "本人申请"})
    province = case.jurisdiction_id
    from .conftest import _user

    drafter = _user("drafter_js", "drafter", jurisdiction=province)
    assert not access.visible_cases(drafter).exists()
    with pytest.raises(NotFound):
        access.access_case(drafter, case.pk)
    assert access.roles_on_case(drafter, case) == []
    # while the drafting scope itself is the province's subtree
    from rongcuo.authoring.scope import drafting_scope

    assert {province, "320115"} <= drafting_scope(drafter).codes
