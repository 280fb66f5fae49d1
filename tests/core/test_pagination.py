"""Lists paged ids first: the same rows in the same order as a plain slice, whichever way the ids are sorted."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models.functions import Lower

from rongcuo.cases.models import Case
from rongcuo.core import pagination
from rongcuo.core.pagination import IdsFirst, PageQuery, count_and_page_ids, paginate, rows_by_ids
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


def test_rows_by_ids_equals_a_plain_slice(cases) -> None:
    qs = Case.objects.filter(jurisdiction_id="320000").select_related("unit").order_by("-overdue", "-id")
    for start, stop in ((0, 5), (5, 10), (10, 40)):
        got = rows_by_ids(qs, start, stop)
        assert [c.pk for c in got] == [c.pk for c in qs[start:stop]]


def test_paginate_ids_first_and_paginator(cases) -> None:
    qs = Case.objects.filter(stage="investigation").order_by("-id")
    items, meta = paginate(qs, PageQuery(page=2, page_size=4), ids_first=True)
    assert meta["total"] == qs.count() and [c.pk for c in items] == [c.pk for c in qs[4:8]]
    assert paginate(qs, PageQuery(page=99, page_size=4), ids_first=True)[0] == []
    page = Paginator(IdsFirst(qs), 5).get_page(2)
    assert [c.pk for c in page] == [c.pk for c in qs[5:10]] and page.paginator.count == qs.count()


pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="one reading of the matches: PostgreSQL")


@pg_only
@pytest.mark.parametrize("ordering", [("-id",), ("id",), ("-overdue", "-id"), ("stage", "title"), ("-pk",)])
def test_count_and_page_ids_equal_a_count_and_a_slice(cases, ordering) -> None:
    qs = Case.objects.filter(jurisdiction_id="320000").order_by(*ordering)
    total = qs.count()
    for start, stop in ((0, 5), (5, 10), (10, 40), (total, total + 5)):
        assert count_and_page_ids(qs, start, stop) == (total, [c.pk for c in qs[start:stop]])


@pg_only
def test_count_and_page_ids_decline_what_they_cannot_sort_or_too_many(cases, monkeypatch) -> None:
    assert count_and_page_ids(Case.objects.order_by("unit__name"), 0, 5) is None  # a joined column
    assert count_and_page_ids(Case.objects.order_by(Lower("title")), 0, 5) is None  # an expression
    assert count_and_page_ids(Case.objects.none().order_by("-id"), 0, 5) == (0, [])  # an empty scope
    assert count_and_page_ids(Case.objects.filter(pk__in=[]).order_by("-id"), 0, 5) == (0, [])
    qs = Case.objects.order_by("-id")
    monkeypatch.setattr(pagination, "SORT_MATCHES_UP_TO", 5)
    assert count_and_page_ids(qs, 0, 5) is None
    items, meta = paginate(qs, PageQuery(page=3, page_size=4), ids_first=True)  # counted and walked instead
    assert meta["total"] == 23 and [c.pk for c in items] == [c.pk for c in qs[8:12]]


@pg_only
def test_paginate_and_paginator_read_the_matches_once(cases, django_assert_num_queries) -> None:
    qs = Case.objects.filter(stage="investigation").select_related("unit").order_by("-overdue", "-id")
    with django_assert_num_queries(2):  # count and ids, then the page's rows
        items, meta = paginate(qs, PageQuery(page=2, page_size=4), ids_first=True)
        assert [c.unit.name for c in items]
    assert meta["total"] == qs.count() and [c.pk for c in items] == [c.pk for c in qs[4:8]]
    for number in ("1", "3", None):  # the last page is cut at the count by the paginator
        with django_assert_num_queries(2):
            page = Paginator(IdsFirst(qs, number, 5), 5).get_page(number)
            got = [c.pk for c in page]
        start = (int(number or 1) - 1) * 5
        assert got == [c.pk for c in qs[start : start + 5]] and page.paginator.count == qs.count()
    page = Paginator(IdsFirst(qs, "99", 5), 5).get_page("99")  # beyond the end: the paginator's last page
    assert [c.pk for c in page] == [c.pk for c in qs[10:15]]
