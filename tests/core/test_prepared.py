"""Prepared queries give what the plain queryset gives, compile once, and refuse shapes they cannot run."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch
from django.db.models.sql.compiler import SQLCompiler

from rongcuo.core.prepared import PreparedQuery, attach
from rongcuo.org.builders import make_unit
from rongcuo.org.models import Jurisdiction, Unit

pytestmark = pytest.mark.django_db


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def units() -> list[Unit]:
    return [make_unit("320000", "江苏省某局"), make_unit("530500", "保山市某局"), make_unit("530524", "昌宁县某局")]


def test_model_rows_with_select_related_equal_the_queryset(units) -> None:
    def build(code: str):
        return Unit.objects.select_related("jurisdiction").filter(jurisdiction__parent_id=code).order_by("id")

    prepared = PreparedQuery(build, str)
    for code in ("320000", "530500", "000000", "999999"):
        plain = list(build(code))
        got = prepared(code)
        assert [fields(u) for u in got] == [fields(u) for u in plain]
        assert [fields(u.jurisdiction) for u in got] == [fields(u.jurisdiction) for u in plain]
    assert [u.name for u in prepared("530500")] == ["昌宁县某局"]


def test_values_list_shapes_and_first(units) -> None:
    flat = PreparedQuery(lambda code: Jurisdiction.objects.filter(parent_id=code).values_list("code", flat=True), str)
    rows = PreparedQuery(lambda code: Jurisdiction.objects.filter(code=code).values_list("code", "name"), str)
    assert set(flat("530500")) == set(Jurisdiction.objects.filter(parent_id="530500").values_list("code", flat=True))
    assert "530524" in flat("530500")
    assert rows("320000") == [("320000", Jurisdiction.objects.get(code="320000").name)]
    one = PreparedQuery(lambda pk: Unit.objects.filter(pk=pk), int)
    assert one.first(units[1].pk).name == "保山市某局" and one.first(10**9) is None


def test_compiled_once_per_connection(units, monkeypatch) -> None:
    calls = []
    real = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    prepared = PreparedQuery(lambda pk: Unit.objects.filter(pk=pk), int)
    names = [prepared.first(u.pk).name for u in units]
    assert names == [u.name for u in units] and len(calls) == 1


def test_placeholders_bound_everywhere_they_occur(units) -> None:
    prepared = PreparedQuery(
        lambda code, pk: Unit.objects.filter(jurisdiction_id=code, pk__gte=pk).exclude(jurisdiction_id=code + "x"),
        str,
        int,
    )
    with pytest.raises(ImproperlyConfigured, match="改写"):
        prepared("320000", 0)  # code + "x" would be frozen into the compiled parameters
    both = PreparedQuery(lambda pk: Unit.objects.filter(pk__gte=pk, pk__lte=pk), int)
    assert [u.pk for u in both(units[2].pk)] == [units[2].pk]


def test_refused_shapes() -> None:
    with pytest.raises(ImproperlyConfigured, match="prefetch_related"):
        PreparedQuery(lambda pk: Unit.objects.filter(pk=pk).prefetch_related(Prefetch("cadres")), int)(1)
    with pytest.raises(ImproperlyConfigured, match="ValuesIterable"):
        PreparedQuery(lambda pk: Unit.objects.filter(pk=pk).values("name"), int)(1)
    with pytest.raises(ImproperlyConfigured, match="未出现"):
        PreparedQuery(lambda pk: Unit.objects.all(), int)(1)
    with pytest.raises(ImproperlyConfigured, match="改写"):  # LIKE binds a pattern made from the value
        PreparedQuery(lambda path: Unit.objects.filter(path__startswith=path), str)("x")
    with pytest.raises(ImproperlyConfigured, match="写进了 SQL"):
        PreparedQuery(lambda code: Unit.objects.extra(where=[f"name = '{code}'"]), str)("x")
    with pytest.raises(TypeError):
        PreparedQuery(lambda pk: Unit.objects.filter(pk=pk), int)()


def test_attach_serves_children_without_queries(units, django_assert_num_queries) -> None:
    parent = Jurisdiction.objects.get(code="320000")
    children = list(Unit.objects.filter(jurisdiction=parent).order_by("id"))
    attach(parent, "units", children)
    with django_assert_num_queries(0):
        assert list(parent.units.all()) == children
        assert all(u.jurisdiction is parent for u in parent.units.all())


def test_prepare_threshold_setting() -> None:
    from rongcuo.settings import prepare_threshold

    assert prepare_threshold("2") == 2 and prepare_threshold(0) == 0 and prepare_threshold("off") is None
    with pytest.raises(ImproperlyConfigured, match="prepare_threshold"):
        prepare_threshold("often")


def test_postgresql_keeps_the_statement_prepared(units) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's (SQLite's driver caches statements itself)")
    prepared = PreparedQuery(lambda pk: Unit.objects.filter(pk=pk).order_by("id"), int)
    assert prepared.first(units[0].pk).name == units[0].name  # once: prepared at once, not after 5 runs
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ['%"org_unit"%'])
        statements = [row[0] for row in cur.fetchall()]
    assert any('"org_unit"."id" = $1' in s for s in statements), statements
