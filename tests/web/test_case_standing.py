"""The case page says which measure governs the case and why, and shows the others as reference."""

from __future__ import annotations

import re

import pytest

from .test_pages import make_case, signed_in

pytestmark = pytest.mark.django_db


def test_the_nearest_measure_governs_and_the_rest_are_reference(world) -> None:
    case = make_case(world)
    assert len(case.evaluation) >= 2, "the case's place has a measure of its own and higher ones"
    page = signed_in(world.unit_reviewer).get(f"/cases/{case.pk}/").content.decode()
    section = page[page.index('id="eval-h"') :]
    standings = re.findall(r'<span class="tag standing">(适用|参照)</span>', section)
    assert standings == ["适用"] + ["参照"] * (len(case.evaluation) - 1)
    first = case.evaluation[0]
    assert section.index(first["title"]) < section.index("参照")
    assert f"本案发生在{case.jurisdiction.name}" in section and "与发生地最近的一级" in section
    assert "按行为发生时有效的版本" in section and f"为{first['version']}版" in section
    assert "上级规定，一并参照" in section


def test_deadlines_say_where_their_limit_comes_from_and_which_years_the_calendar_covers(world) -> None:
    from rongcuo.procedure.workdays import known_years

    case = make_case(world)
    page = signed_in(world.unit_reviewer).get(f"/cases/{case.pk}/").content.decode()
    years = known_years()
    assert f"已收录 {years.start}—{years.stop - 1}年" in page
    assert "系统默认值" not in page
    basis = [d.basis for d in case.deadlines.all()]
    assert basis and all(b for b in basis)
    assert any("可配置的默认期限" in b for b in basis)  # the measures here are silent on the first stage's limit


def test_handler_commissions_the_evaluator_on_the_case_page(world) -> None:
    from rongcuo.accounts import actions as accounts
    from tests.cases.test_commission import at_third_party
    from tests.cases.test_lifecycle import individual_case

    accounts.grant_role(None, "evaluator", "evaluator", case_id=individual_case(world).pk)
    case = at_third_party(world)
    c = signed_in(world.handler)
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert "等待第三方评估人（尚未委托）提交第三方评估报告" in page
    assert "委托第三方评估人" in page and f'<option value="{world.evaluator.pk}">' in page
    r = c.post(f"/cases/{case.pk}/commission/", {"role": "evaluator", "user_id": str(world.evaluator.pk), "note": ""})
    assert r.status_code == 302
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert f"已委托{world.evaluator}为本案第三方评估人" in page
    assert f"等待第三方评估人（{world.evaluator}）提交第三方评估报告" in page
    # the applicant sees who is awaited, but no form
    applicant_page = signed_in(world.applicant).get(f"/cases/{case.pk}/").content.decode()
    assert "等待第三方评估人" in applicant_page and "从第三方评估人名册中选择" not in applicant_page
