"""The public library index: only published renditions, only their de-identified text, never a live case."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rongcuo.disclosure import actions as disclosure
from rongcuo.disclosure.signals import rendition_published, rendition_withdrawn
from rongcuo.search import index
from rongcuo.search.models import PublicDoc

from .conftest import World, decide, new_case, publish

pytestmark = pytest.mark.django_db


def found(q: str) -> list[int]:
    return [h.rendition_id for h in index.search_public(q).items]


def test_only_published_renditions_are_found(world: World) -> None:
    case = decide(world, new_case(world, "征地拆迁补偿款发放失误", "在征地拆迁中先行先试，补偿款发放出现偏差"))
    draft = disclosure.generate_rendition(world.publisher, case.pk)
    assert found("征地拆迁") == []  # a draft is not public
    r = disclosure.approve_rendition(world.publisher, draft.pk)
    for q in ("征地拆迁", "拆迁", "补偿款", "免予问责", "问责"):
        assert found(q) == [r.pk], q
    hit = index.search_public("拆迁").items[0]
    assert hit.title == r.title and hit.excerpt == r.summary[:120] and hit.domain == r.domain
    disclosure.withdraw_rendition(world.publisher, r.pk, {"reason": "发现表述不当"})
    assert found("征地拆迁") == [] and not PublicDoc.objects.exists()


def test_live_cases_are_never_found_and_the_index_holds_only_public_text(world: World) -> None:
    secret = new_case(world, "防汛抗旱物资调配失误", "仅在案件中出现的内容")
    assert [h.case.pk for h in index.search_cases(world.handler, "防汛抗旱").items] == [secret.pk]
    assert found("防汛抗旱") == []
    case = decide(world, new_case(world, "招商引资项目审批失误", "审批中简化程序"))
    r = publish(world, case)
    assert found("招商引资") == [r.pk]
    doc = PublicDoc.objects.get(pk=r.pk)
    assert "张三" not in doc.tokens.replace(" ", "") and world.cadre.name not in doc.title  # de-identified text only
    assert found("初步调查报告") == []  # the live timeline is not in the rendition


def test_typical_case_significance_and_tags_are_indexed(world: World) -> None:
    r = publish(world, decide(world, new_case(world, "村级道路建设失误", "道路建设中出现偏差")))
    assert found("基层治理") == []
    disclosure.curate_typical(world.publisher, r.pk, {"significance": "体现担当作为", "tags": ["基层治理"]})
    assert found("基层治理") == [r.pk]
    assert found("担当作为") == [r.pk]
    disclosure.remove_typical(world.publisher, r.pk)
    assert found("基层治理") == []


def test_the_signals_index_any_object_with_public_fields(world: World) -> None:
    # The signal contract alone (sender and a rendition with public text fields), without disclosure's actions.
    r = SimpleNamespace(pk=987654, status="published", title="某县应急处置典型案例", summary="应急处置中临机决断")
    rendition_published.send(sender=SimpleNamespace, rendition=r)
    assert found("临机决断") == [987654]
    rendition_withdrawn.send(sender=SimpleNamespace, rendition=r)
    assert found("临机决断") == []
    r.status = "draft"
    assert index.index_public(r) is False and found("应急处置") == []
