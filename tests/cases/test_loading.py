"""Over the demo's cases (every stage, start type and outcome): the prepared detail loader gives exactly what
the ORM's select_related/prefetch_related gives, and the single-case access check answers exactly as the
scoped queryset does, for every demo account."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model, Prefetch

from rongcuo.accounts.models import User
from rongcuo.cases import access, loading
from rongcuo.cases.models import Appeal, Attachment, Case, CaseEvent, FactValue, Interview
from rongcuo.procedure.models import Deadline
from tests.demo.test_demo import built  # noqa: F401 (the demo, built once for this module)

pytestmark = pytest.mark.django_db

CHILDREN = {
    "facts": ("set_by",),
    "events": (),
    "deadlines": (),
    "attachments": ("uploaded_by",),
    "interviews": ("recorded_by",),
    "appeals": ("submitted_by",),
}


def fields(obj: Model | None) -> dict[str, Any] | None:
    return None if obj is None else {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def related(obj: Model, path: str) -> Any:
    for name in path.split("__"):
        try:
            obj = getattr(obj, name)
        except Exception:  # a missing reverse one-to-one raises its own DoesNotExist
            return "missing"
        if obj is None:
            return None
    return fields(obj)


def orm_detail(pk: int) -> Case:
    return (
        Case.objects.select_related(*loading.DETAIL_JOINS)
        .prefetch_related(
            Prefetch("facts", queryset=FactValue.objects.select_related("set_by")),
            Prefetch("events", queryset=CaseEvent.objects.order_by("at", "id")),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("started_on", "id")),
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
            Prefetch("interviews", queryset=Interview.objects.select_related("recorded_by")),
            Prefetch("appeals", queryset=Appeal.objects.select_related("submitted_by").order_by("id")),
        )
        .get(pk=pk)
    )


def test_detail_loader_equals_the_orm(built, django_assert_num_queries) -> None:  # noqa: F811
    cases = list(Case.objects.order_by("id").values_list("pk", flat=True))
    assert len(cases) > 20
    fv = FactValue.objects.order_by("id").first()  # the demo uploads no files: give one fact an attachment
    att = Attachment.objects.create(
        case_id=fv.case_id,
        filename="调查报告.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        storage_name="test-loading-1",
        uploaded_by=fv.set_by,
    )
    fv.attachments.add(att)
    kinds_seen = set()
    for pk in cases:
        want = orm_detail(pk)
        got = loading.DETAIL.row(pk)
        assert got is not None
        loading.DETAIL.complete(got)
        assert fields(got) == fields(want)
        for path in loading.DETAIL_JOINS:
            assert related(got, path) == related(want, path), (pk, path)
        with django_assert_num_queries(0):
            for name, users in CHILDREN.items():
                mine, theirs = list(getattr(got, name).all()), list(getattr(want, name).all())
                assert [fields(c) for c in mine] == [fields(c) for c in theirs], (pk, name)
                for user in users:
                    assert [fields(getattr(c, user)) for c in mine] == [fields(getattr(c, user)) for c in theirs]
                assert all(c.case is got for c in mine)
                kinds_seen |= {name} if mine else set()
        assert loading.fact_links(got) == (
            _links(FactValue.attachments.through, "attachment_id", pk),
            _links(FactValue.interviews.through, "interview_id", pk),
        )
    assert kinds_seen == set(CHILDREN)  # the demo exercises every kind of child
    assert loading.DETAIL.row(max(cases) + 1000) is None


def _links(through: type[Model], column: str, pk: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    rows = through.objects.filter(factvalue__case_id=pk).order_by("id").values_list("factvalue_id", column)
    for fv_id, other in rows:
        out.setdefault(fv_id, []).append(other)
    return out


def test_single_case_check_answers_as_the_scoped_queryset(built) -> None:  # noqa: F811
    cases = list(Case.objects.order_by("id"))
    users = list(User.objects.order_by("id"))
    assert len(users) > 10
    seen_some = 0
    for user in users:
        visible = set(access.visible_cases(user).values_list("pk", flat=True))
        access.forget_grants(user)  # path checks, without the subtree codes the queryset resolved
        for case in cases:
            loaded = access.ROW_ONLY.row(case.pk)
            assert access.may_see(user, loaded) == (case.pk in visible), (user.username, case.number)
            assert access.may_see(user, case) == (case.pk in visible)  # bare row: codes and ids
        seen_some += bool(visible)
    assert seen_some >= 5


def test_locking_read_checks_scope(built) -> None:  # noqa: F811
    from django.db import transaction

    from rongcuo.core.errors import NotFound

    user = next(u for u in User.objects.order_by("id") if access.visible_cases(u).exists())
    mine = access.visible_cases(user).order_by("id").first()
    other = Case.objects.exclude(pk__in=access.visible_cases(user).values("pk")).order_by("id").first()
    assert mine is not None and other is not None
    with transaction.atomic():
        assert access.access_case(user, mine.pk, for_update=True).pk == mine.pk
        with pytest.raises(NotFound):
            access.access_case(user, other.pk, for_update=True)
        for bad in ("not-a-number", 10**20, 0, -5, "99999999999999999999"):
            with pytest.raises(NotFound):
                access.access_case(user, bad, for_update=True)
            with pytest.raises(NotFound):
                access.access_case(user, bad)


def test_search_source_of_one_case_equals_the_batch(built) -> None:  # noqa: F811
    from rongcuo.search.documents import case_source, case_sources

    cases = list(Case.objects.order_by("id"))
    batch = case_sources(cases)
    assert [case_source(c) for c in cases] == batch  # one case goes through the prepared queries
    assert any(s.notes for s in batch) and any(s.true_facts for s in batch)
