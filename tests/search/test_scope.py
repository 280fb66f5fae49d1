"""Scope marks narrow a search inside the full-text index; visible_cases still decides. With and without
the marks every user gets the same results."""

from __future__ import annotations

import pytest

from rongcuo.accounts import actions as accounts
from rongcuo.cases import actions
from rongcuo.search import index, query
from rongcuo.search.models import CaseDoc
from rongcuo.search.scope import Reach, marks_for, reach

from .conftest import World, new_case

pytestmark = pytest.mark.django_db


def test_documents_carry_the_marks_of_every_grant_that_covers_them(world: World) -> None:
    theirs = new_case(world, "征地拆迁案件", "拆迁", by="outsider")
    b = theirs.pk >> 12
    assert CaseDoc.objects.get(pk=theirs.pk).scope.split() == [
        *("j000000", "j530000", "j530500", "j530524", f"u{world.other_unit.pk}", f"k{theirs.pk}", f"w{b}"),
        *(f"j530000w{b}", f"j530500w{b}", f"j530524w{b}"),
    ]
    own = actions.submit_application(world.applicant, {"title": "申请", "summary": "拆迁", "statement": "申请"})
    marks = CaseDoc.objects.get(pk=own.pk).scope.split()
    assert {"j320000", f"u{world.unit.pk}", f"c{world.cadre.pk}", f"k{own.pk}", f"j320000w{own.pk >> 12}"} <= set(marks)


def test_marks_of_each_kind_of_grant(world: World) -> None:
    assert marks_for(world.handler) == ["j320000"]
    assert marks_for(world.outsider) == ["j530524"]
    assert marks_for(world.unit_reviewer) == [f"u{world.unit.pk}"]
    assert marks_for(world.applicant) == [f"c{world.cadre.pk}"]
    assert marks_for(world.sysadmin) == []
    accounts.create_user(None, "national", "Rongcuo#2025pw", "national", must_change_password=False)
    accounts.grant_role(None, "national", "handler", jurisdiction="000000")
    national = type(world.handler).objects.get(username="national")
    assert marks_for(national) is None and reach(national).everything  # nothing to narrow
    assert not reach(world.handler).everything


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
    monkeypatch.setattr(query, "reach", lambda user: Reach(None))
    assert results() == narrowed
    assert narrowed["handler"][0] and narrowed["outsider"][0] and narrowed["applicant"][0]


def test_migration_0002_completes_the_marks_of_older_documents(world: World) -> None:
    import importlib

    from django.apps import apps

    from rongcuo.search.models import CORPUS_MARKS, TermStat

    migration = importlib.import_module("rongcuo.search.migrations.0002_scope_blocks")
    cases = [new_case(world, "征地拆迁案件", "拆迁"), new_case(world, "招商引资案件", "招商", by="outsider")]
    current = {c.pk: CaseDoc.objects.get(pk=c.pk).scope for c in cases}
    stats = sorted(TermStat.objects.filter(corpus=CORPUS_MARKS, df__gt=0).values_list("term", "df"))
    for c in cases:  # as written before 0002: no block marks, no mark counts
        old = " ".join(m for m in current[c.pk].split() if "w" not in m)
        CaseDoc.objects.filter(pk=c.pk).update(scope=old)
    TermStat.objects.filter(corpus=CORPUS_MARKS).delete()
    migration.complete_marks(apps, None)
    assert {c.pk: CaseDoc.objects.get(pk=c.pk).scope for c in cases} == current
    assert sorted(TermStat.objects.filter(corpus=CORPUS_MARKS).values_list("term", "df")) == stats
    assert [h.case.pk for h in index.search_cases(world.handler, "拆迁").items] == [cases[0].pk]
