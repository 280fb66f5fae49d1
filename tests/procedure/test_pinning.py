"""Pinned procedures are stored once and shared by the cases that pin them."""

from __future__ import annotations

import pytest

from rongcuo.cases import actions
from rongcuo.cases.models import Case
from rongcuo.procedure import pinning
from rongcuo.procedure.models import PinnedProcedure
from tests.cases.conftest import world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_cases_of_one_procedure_share_one_stored_copy(world) -> None:  # noqa: F811
    apply = {"title": "试点失误", "summary": "x", "statement": "申请容错"}
    a = actions.submit_application(world.applicant, apply)
    b = actions.submit_application(world.applicant, apply)
    assert a.procedure_pin_id == b.procedure_pin_id and PinnedProcedure.objects.count() == 1
    stored = PinnedProcedure.objects.get()
    assert stored.digest == pinning.digest_of(stored.body) and stored.body["stages"]
    fresh = Case.objects.get(pk=a.pk)  # read back: the procedure comes from the shared row
    assert fresh.procedure == stored.body and fresh.procedure["stages"][0]["id"]
    changed = {**stored.body, "id": "other"}
    assert pinning.pin(changed) != stored.digest and PinnedProcedure.objects.count() == 2


def test_digest_is_independent_of_key_order() -> None:
    assert pinning.digest_of({"a": 1, "b": [1, 2]}) == pinning.digest_of({"b": [1, 2], "a": 1})
    assert pinning.digest_of({"a": 1}) != pinning.digest_of({"a": 2})
    assert pinning.body(None) == {} and pinning.body("") == {}
