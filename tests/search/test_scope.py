"""Scope marks narrow a search inside the full-text index; visible_cases still decides. With and without
the marks every user gets the same results."""

from __future__ import annotations

import pytest

from rongcuo.accounts import actions as accounts
from rongcuo.cases import actions
from rongcuo.search import index, query
from rongcuo.search.models import CaseDoc
from rongcuo.search.scope import marks_for

from .conftest import World, new_case

pytestmark = pytest.mark.django_db


def test_documents_carry_the_marks_of_every_grant_that_covers_them(world: World) -> None:
    theirs = new_case(world, "征地拆迁案件", "拆迁", by="outsider")
    assert CaseDoc.objects.get(pk=theirs.pk).scope == (
        f"j000000 j530000 j530500 j530524 u{world.other_unit.pk} k{theirs.pk}"
    )
    own = actions.submit_application(world.applicant, {"title": "申请", "summary": "拆迁", "statement": "申请"})
    assert CaseDoc.objects.get(pk=own.pk).scope.endswith(f"u{world.unit.pk} c{world.cadre.pk} k{own.pk}")


def test_marks_of_each_kind_of_grant(world: World) -> None:
    assert marks_for(world.handler) == ["j320000"]
    assert marks_for(world.outsider) == ["j530524"]
    assert marks_for(world.unit_reviewer) == [f"u{world.unit.pk}"]
    assert marks_for(world.applicant) == [f"c{world.cadre.pk}"]
    assert marks_for(world.sysadmin) == []
    accounts.create_user(None, "national", "Rongcuo#2025pw", "national", must_change_password=False)
    accounts.grant_role(None, "national", "handler", jurisdiction="000000")
    national = type(world.handler).objects.get(username="national")
    assert marks_for(national) is None  # sees every case: nothing to narrow


def test_results_are_the_same_with_and_without_the_marks(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    new_case(world, "征地拆迁容错甲", "问责条例")
    new_case(world, "征地拆迁容错乙", "问责条例", by="outsider")
    actions.submit_application(world.applicant, {"title": "征地拆迁容错申请", "summary": "问责", "statement": "申请"})
    users = ["handler", "outsider", "applicant", "unit_reviewer", "investigator", "sysadmin", "evaluator"]

    def results() -> dict[str, list[list[int]]]:
        return {
            u: [[h.case.pk for h in index.search_cases(world.users[u], q).items] for q in ("容错", "问责", "拆迁")]
            for u in users
        }

    narrowed = results()
    monkeypatch.setattr(query, "marks_for", lambda user: None)
    assert results() == narrowed
    assert narrowed["handler"][0] and narrowed["outsider"][0] and narrowed["applicant"][0]
