"""Commissioning through the API: the register and the current commission, then the commission itself."""

from __future__ import annotations

import pytest

from rongcuo.accounts import actions as accounts
from rongcuo.audit.models import AuditRecord
from tests.cases.test_commission import at_third_party
from tests.cases.test_lifecycle import individual_case

pytestmark = pytest.mark.django_db


def test_handler_reads_the_register_and_commissions(world, as_user) -> None:
    w = world
    accounts.grant_role(None, "evaluator", "evaluator", case_id=individual_case(w).pk)  # on the register
    case = at_third_party(w)
    r = as_user("handler").get(f"/cases/{case.pk}/commission")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["awaiting"] == "等待第三方评估人（尚未委托）提交第三方评估报告"
    [option] = body["may_commission"]
    assert option["role"] == "evaluator" and option["label"] == "第三方评估人" and option["commissioned"] == []
    assert [p["id"] for p in option["register"]] == [w.evaluator.pk]

    bad = as_user("handler").post(f"/cases/{case.pk}/commission", {"role": "evaluator", "user_id": w.handler.pk})
    assert bad.status_code == 400 and "名册" in bad.json()["message"]
    r = as_user("handler").post(f"/cases/{case.pk}/commission", {"role": "evaluator", "user_id": w.evaluator.pk})
    assert r.status_code == 201, r.content
    assert r.json()["user"]["id"] == w.evaluator.pk and r.json()["case"]["stage"] == "third_party"
    assert AuditRecord.objects.filter(action="case.commission", object_id=case.number, success=True).count() == 1
    again = as_user("handler").post(f"/cases/{case.pk}/commission", {"role": "evaluator", "user_id": w.evaluator.pk})
    assert again.status_code == 409
    after = as_user("handler").get(f"/cases/{case.pk}/commission").json()
    assert [p["id"] for p in after["may_commission"][0]["commissioned"]] == [w.evaluator.pk]


def test_others_cannot_commission(world, as_user) -> None:
    w = world
    case = at_third_party(w)
    r = as_user("applicant").get(f"/cases/{case.pk}/commission")
    assert r.status_code == 200 and r.json()["may_commission"] == []  # the cadre sees whom the case waits for
    r = as_user("applicant").post(f"/cases/{case.pk}/commission", {"role": "evaluator", "user_id": w.evaluator.pk})
    assert r.status_code == 403
    assert as_user("evaluator").get(f"/cases/{case.pk}/commission").status_code == 404  # not yet on the case
    r = as_user("handler").post(f"/cases/{case.pk}/commission", {"role": "judge", "user_id": w.evaluator.pk})
    assert r.status_code == 400
