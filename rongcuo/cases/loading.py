"""Loading a whole case for its detail view: one prepared query per table, compiled once per process.

The shapes are those the API detail shows (the case with its joined jurisdiction, unit, cadre, matter,
pre-filing, creator and decision; then facts, timeline, deadlines, attachments, interviews and appeals
with the users they name; then the evidence links of the facts). The number of queries is fixed, whatever
the case holds, and none of them is compiled again per request (see rongcuo.core.prepared).
"""

from __future__ import annotations

from typing import Any

from rongcuo.core.prepared import PreparedQuery, attach
from rongcuo.procedure.models import Deadline

from .models import Appeal, Attachment, Case, CaseEvent, FactValue, Interview

DETAIL_JOINS = ("jurisdiction", "unit", "cadre", "matter", "pre_filing", "created_by", "decision__decided_by")


_CASE = PreparedQuery(lambda pk: Case.objects.filter(pk=pk).select_related(*DETAIL_JOINS), int)
# Each child table of the detail, by the case's reverse relation name, in display order.
_CHILDREN: dict[str, PreparedQuery[Any]] = {
    name: PreparedQuery(build, int)
    for name, build in {
        "facts": lambda pk: FactValue.objects.filter(case_id=pk).select_related("set_by").order_by("id"),
        "events": lambda pk: CaseEvent.objects.filter(case_id=pk).order_by("at", "id"),
        "deadlines": lambda pk: Deadline.objects.filter(case_id=pk).order_by("started_on", "id"),
        "attachments": lambda pk: Attachment.objects.filter(case_id=pk).select_related("uploaded_by").order_by("id"),
        "interviews": lambda pk: Interview.objects.filter(case_id=pk).select_related("recorded_by").order_by("id"),
        "appeals": lambda pk: Appeal.objects.filter(case_id=pk).select_related("submitted_by").order_by("id"),
    }.items()
}


def _links(through: type[Any], column: str) -> PreparedQuery[Any]:
    """(fact value id, linked id) of a case's facts through one evidence table, in link order."""
    return PreparedQuery(
        lambda pk: through.objects.filter(factvalue__case_id=pk).order_by("id").values_list("factvalue_id", column),
        int,
    )


_EVIDENCE = _links(FactValue.attachments.through, "attachment_id")
_HEARD = _links(FactValue.interviews.through, "interview_id")


class DetailLoader:
    """access.CaseLoader for the case detail."""

    def row(self, pk: int) -> Case | None:
        return _CASE.first(pk)

    def complete(self, case: Case) -> None:
        for name, query in _CHILDREN.items():
            attach(case, name, query(case.pk))


DETAIL = DetailLoader()


def fact_links(case: Case) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """For each fact value of the case, the attachments and the interviews it rests on (ids, in order)."""
    # A case loaded by DETAIL knows whether it has attachments or interviews at all (most have neither).
    evidence = _grouped(_EVIDENCE(case.pk)) if _may_have(case, "attachments") else {}
    heard = _grouped(_HEARD(case.pk)) if _may_have(case, "interviews") else {}
    return evidence, heard


def _grouped(pairs: list[tuple[int, int]]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def _may_have(case: Case, name: str) -> bool:
    loaded = getattr(case, "_prefetched_objects_cache", {}).get(name)
    return loaded is None or bool(loaded)
