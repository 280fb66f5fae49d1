"""Lists paged ids first: the same rows in the same order as a plain slice, whichever way the ids are sorted."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator

from rongcuo.cases.models import Case
from rongcuo.core.pagination import IdsFirst, PageQuery, paginate, rows_by_ids
from rongcuo.org.builders import make_unit
from rongcuo.org.models import Jurisdiction

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(django_user_model) -> list[int]:
    user = django_user_model.objects.create(username="maker")
    unit = make_unit("320000", "江苏省某局")
    county = make_unit("530524", "昌宁县某局")
    made = []
    for i in range(23):
        made.append(
            Case.objects.create(
                number=f"RC-T-{i:03d}",
                jurisdiction=Jurisdiction.objects.get(code="320000" if i % 3 else "530524"),
                start_type="unit",
                subject_type="unit",
                unit=unit if i % 3 else county,
                title=f"案件{i}",
                summary="",
                stage="investigation" if i % 2 else "closed",
                overdue=i % 5 == 0,
                created_by=user,
            ).pk
        )
    return made


@pytest.mark.parametrize("sort_matches", [False, True])
def test_rows_by_ids_equals_a_plain_slice(cases, sort_matches) -> None:
    qs = Case.objects.filter(jurisdiction_id="320000").select_related("unit").order_by("-overdue", "-id")
    for start, stop in ((0, 5), (5, 10), (10, 40)):
        got = rows_by_ids(qs, start, stop, sort_matches=sort_matches)
        assert [c.pk for c in got] == [c.pk for c in qs[start:stop]]


def test_paginate_ids_first_and_paginator(cases) -> None:
    qs = Case.objects.filter(stage="investigation").order_by("-id")
    items, meta = paginate(qs, PageQuery(page=2, page_size=4), ids_first=True)
    assert meta["total"] == qs.count() and [c.pk for c in items] == [c.pk for c in qs[4:8]]
    assert paginate(qs, PageQuery(page=99, page_size=4), ids_first=True)[0] == []
    page = Paginator(IdsFirst(qs), 5).get_page(2)
    assert [c.pk for c in page] == [c.pk for c in qs[5:10]] and page.paginator.count == qs.count()
