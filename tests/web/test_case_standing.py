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
