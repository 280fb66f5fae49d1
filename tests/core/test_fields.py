"""DocumentField: JSON written and read whole, stored as compact text on both databases."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from rongcuo.cases.models import Case, CaseEvent, Decision
from rongcuo.core.fields import DocumentField
from rongcuo.org.builders import make_unit
from rongcuo.org.models import Jurisdiction

pytestmark = pytest.mark.django_db

EVALUATION = [
    {"policy": "jiangsu-2017", "outcome": "tolerate", "explanation": "符合第六条：\"探索性\"改革", "n": [1, 2.5, None]},
    {"zeta": True, "alpha": {"b": 1, "a": []}},
]


@pytest.fixture
def case(django_user_model) -> Case:
    user = django_user_model.objects.create(username="maker")
    return Case.objects.create(
        number="RC-F-001",
        jurisdiction=Jurisdiction.objects.get(code="320000"),
        start_type="unit",
        subject_type="unit",
        unit=make_unit("320000", "江苏省某局"),
        title="文档字段",
        summary="",
        stage="investigation",
        created_by=user,
        evaluation=EVALUATION,
    )


def stored_text(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cur.fetchone()[0]


def test_round_trip_keeps_values_and_key_order(case: Case) -> None:
    got = Case.objects.get(pk=case.pk).evaluation
    assert got == EVALUATION
    assert list(got[1]) == ["zeta", "alpha"]  # written order (jsonb would sort the keys)
    assert list(got[1]["alpha"]) == ["b", "a"]
    assert Case.objects.filter(pk=case.pk).values_list("evaluation", flat=True).get() == EVALUATION


def test_stored_as_compact_utf8_text(case: Case) -> None:
    raw = stored_text("cases_case", "evaluation", case.pk)
    assert isinstance(raw, str)  # not a parsed jsonb value
    assert "符合第六条" in raw and "\\u" not in raw
    assert raw.startswith('[{"policy":"jiangsu-2017","outcome":"tolerate"')


def test_update_writes_the_new_document(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(evaluation=[{"outcome": "not_tolerate"}])
    assert stored_text("cases_case", "evaluation", case.pk) == '[{"outcome":"not_tolerate"}]'


def test_columns_are_text_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("column types differ only on PostgreSQL")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE (table_name, column_name) IN "
            "(('cases_case','evaluation'),('cases_case','policies'),('cases_caseevent','data'),"
            "('cases_decision','evaluation')) ORDER BY 1, 2"
        )
        assert {(t, c): d for t, c, d in cur.fetchall()} == {
            ("cases_case", "evaluation"): "text",
            ("cases_case", "policies"): "text",
            ("cases_caseevent", "data"): "text",
            ("cases_decision", "evaluation"): "text",
        }


def test_key_and_containment_lookups_are_refused(case: Case) -> None:
    with pytest.raises(FieldError):
        list(Case.objects.filter(evaluation__0__outcome="tolerate"))
    with pytest.raises(FieldError):
        list(Case.objects.filter(evaluation__contains=[{"outcome": "tolerate"}]))
    with pytest.raises(FieldError):
        list(CaseEvent.objects.filter(data__has_key="payload"))
    assert Case.objects.filter(pk=case.pk, evaluation__isnull=False).count() == 1


def test_the_documents_are_document_fields() -> None:
    for model, name in ((Case, "evaluation"), (Case, "policies"), (CaseEvent, "data"), (Decision, "evaluation")):
        assert isinstance(model._meta.get_field(name), DocumentField), (model, name)
