"""「类案推送」: alike cases in the user's scope and in the public library, ranked with reasons; the order
is computed in Python from the same statistics on both databases, so SQLite and PostgreSQL agree (this
module runs on both and pins the order and the scores)."""

from __future__ import annotations

import pytest

from rongcuo.core.errors import NotFound
from rongcuo.search import index

from .conftest import World, decide, new_case, publish, set_facts

pytestmark = pytest.mark.django_db

SOURCE = ("征地拆迁补偿款发放失误", "在征地拆迁安置补偿中先行先试，为加快进度简化审批，补偿款发放出现失误，造成损失。")
BOTH = {"exploratory_reform": True, "simplified_approval": True}


@pytest.fixture
def cases(world: World) -> dict[str, object]:
    w = world
    out = {
        "source": new_case(w, *SOURCE, domain="征地拆迁"),
        # the same story with both situation facts: first
        "alike": new_case(
            w, "征地拆迁安置补偿失误", "征地拆迁安置补偿中先行先试，简化审批，补偿款发放失误。", domain="征地拆迁"
        ),
        # the same story, no facts found: second
        "words": new_case(
            w, "征地拆迁补偿款失误", "征地拆迁安置补偿中先行先试，简化审批，补偿款发放失误。", domain="征地拆迁"
        ),
        # a word and one situation fact in common
        "loose": new_case(w, "拆迁安置房分配不规范", "安置房分配程序不规范，群众有意见。", domain="基层治理"),
        # nothing in common
        "other": new_case(w, "疫情防控物资采购", "应急物资调配中临机决断。", domain="应急处置"),
        # alike, but outside the handler's scope
        "outside": new_case(w, *SOURCE, domain="征地拆迁", by="outsider"),
    }
    set_facts(w, out["source"], BOTH)
    set_facts(w, out["alike"], BOTH)
    set_facts(w, out["loose"], {"simplified_approval": True})
    set_facts(w, out["outside"], BOTH, by="outsider")
    return out


def test_alike_cases_ranked_with_reasons(world: World, cases: dict) -> None:
    rec = index.similar_cases(world.handler, cases["source"], limit=10)
    got = [(s.case.title, round(s.match.score, 3)) for s in rec.cases]
    # Pinned: the same titles, order and scores on SQLite and on PostgreSQL.
    assert got == [("征地拆迁安置补偿失误", 0.819), ("征地拆迁补偿款失误", 0.505), ("拆迁安置房分配不规范", 0.241)]
    first, second, third = rec.cases
    assert first.match.shared_facts == ("exploratory_reform", "simplified_approval")
    assert first.match.reasons[1] == "相同容错情形：先行先试、简化审批"
    assert first.match.same_domain and first.match.reasons[-1] == "同属“征地拆迁”领域"
    assert second.match.shared_facts == () and "征地拆迁" in second.match.shared_terms
    assert second.match.reasons[0].startswith("共同关键词：")
    assert third.match.shared_facts == ("simplified_approval",) and "拆迁" in third.match.shared_terms
    assert not third.match.same_domain
    assert not set(rec.terms) & {"江苏", "江苏省", "某县"}  # where the case is, is no reason for likeness
    assert "征地拆迁" in rec.terms
    ids = {s.case.pk for s in rec.cases}
    assert cases["source"].pk not in ids and cases["other"].pk not in ids and cases["outside"].pk not in ids


def test_scope_of_the_recommendation(world: World, cases: dict) -> None:
    theirs = index.similar_cases(world.outsider, cases["outside"])
    assert theirs.cases == []  # nothing alike within 530524 but the case itself
    for user in (world.outsider, world.sysadmin, world.auditadmin):
        with pytest.raises(NotFound):
            index.similar_cases(user, cases["source"])
    with pytest.raises(NotFound):
        index.similar_cases(world.handler, cases["outside"].pk)


def test_library_recommendations(world: World, cases: dict) -> None:
    r = publish(world, decide(world, cases["words"]))
    rec = index.similar_cases(world.handler, cases["source"])
    assert [s.rendition_id for s in rec.library] == [r.pk]
    item = rec.library[0]
    assert item.title == r.title and 0 < item.match.score <= 1
    assert "征地拆迁" in item.match.shared_terms and item.match.same_domain
    # a published case is not recommended to itself from the library
    assert index.similar_cases(world.handler, cases["words"]).library == []
