"""Writing the notices, after the act that causes them has committed (called from signals.py's on_commit).

Each reads the committed rows afresh: who holds a role now, and whether the case is still where the event
left it. A notice's text carries the case's number and title and what awaits, never the case's contents.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from rongcuo.accounts.models import User
from rongcuo.accounts.roles import Role
from rongcuo.cases.models import Case, CaseEvent
from rongcuo.documents import kinds
from rongcuo.documents.models import Document
from rongcuo.procedure import engine

from . import recipients
from .models import Notice

# Roles whose own act a document records (their application): theirs, so never served on them.
PARTY_ROLES = frozenset({"applicant", "unit_contact"})
_CASE = Case.objects.select_related("jurisdiction", "unit")


def _case_url(case: Case, anchor: str = "") -> str:
    return reverse("web:case_detail", args=[case.pk]) + anchor


def _named(case: Case) -> str:
    return f"案件{case.number}「{case.title}」"


def _write(case: Case, kind: str, url: str, texts: list[tuple[User, str]]) -> list[Notice]:
    rows = [Notice(user=user, case=case, kind=kind, text=text[:500], url=url) for user, text in texts]
    with transaction.atomic():
        return Notice.objects.bulk_create(rows)


def stage_entered(event_id: int) -> list[Notice]:
    """The case moved to a new stage: tell everyone it now waits for (not the one who moved it)."""
    event = CaseEvent.objects.filter(pk=event_id).only("case_id", "stage_to", "actor_id").first()
    case = _CASE.filter(pk=event.case_id).first() if event else None
    if case is None or case.status != "open" or case.stage != event.stage_to:
        return []  # closed, or already moved on again: nothing waits at that stage any more
    label = engine.Procedure(case.procedure).label(case.stage)
    texts = [
        (user, f"{_named(case)}已进入“{label}”环节，待您办理：{'、'.join(verbs)}。")
        for user, verbs in recipients.awaited(case, case.stage, exclude=event.actor_id)
    ]
    return _write(case, "awaiting", _case_url(case), texts)


def commissioned(event_id: int) -> list[Notice]:
    """An evaluator or hearing host was commissioned on the case: the stage now waits for them."""
    event = CaseEvent.objects.filter(pk=event_id).only("case_id", "data").first()
    case = _CASE.filter(pk=event.case_id).first() if event else None
    if case is None or case.status != "open":
        return []
    role, user_id = str(event.data.get("role", "")), event.data.get("user")
    texts = []
    for user, held in recipients.holders(case, {role}):
        verbs = recipients.verbs_awaiting(case, case.stage, held)
        if user.pk == user_id and verbs:
            texts.append((user, f"您已受委托担任{_named(case)}的{Role(role).label}，待您办理：{'、'.join(verbs)}。"))
    return _write(case, "awaiting", _case_url(case), texts)


def served(spec: kinds.Kind | None) -> bool:
    """A case document addressed to the party (not internal, not the party's own application)."""
    return spec is not None and spec.source == "case" and spec.readers is None and not (spec.roles & PARTY_ROLES)


def document_issued(document_id: int) -> list[Notice]:
    """A document of the case was issued to be served on the party: tell the party's accounts."""
    doc = Document.objects.filter(pk=document_id).only("kind", "number", "case_id", "created_by_id").first()
    spec = kinds.find(doc.kind) if doc else None
    case = _CASE.filter(pk=doc.case_id).first() if doc and doc.case_id and served(spec) else None
    if case is None or spec is None:
        return []
    number = f"（{doc.number}）" if doc.number else ""
    texts = [
        (user, f"{_named(case)}有送达您的文书《{spec.label}》{number}，请到案件页面查阅。")
        for user, role in recipients.party(case, exclude=doc.created_by_id)
        if spec.readable_by(role)
    ]
    return _write(case, "document", _case_url(case, "#docs-h"), texts)
