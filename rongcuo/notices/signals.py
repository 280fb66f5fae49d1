"""Notices follow committed acts without the acts knowing: post_save of a new timeline event or document
registers the work with transaction.on_commit, so a rolled-back act notifies no one, and the act's own
transaction does no extra query. robust=True: a failure to notify is logged, never turned into a failed act
that has already committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from rongcuo.cases.models import CaseEvent
from rongcuo.documents.models import Document

from . import notify


def on_event(sender: type, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    if instance.stage_to and instance.stage_to != instance.stage_from:
        transaction.on_commit(lambda: notify.stage_entered(instance.pk), robust=True)
    elif instance.verb == "commission":
        transaction.on_commit(lambda: notify.commissioned(instance.pk), robust=True)


def on_document(sender: type, instance: Document, created: bool, **kwargs: Any) -> None:
    if created and instance.case_id is not None:
        transaction.on_commit(lambda: notify.document_issued(instance.pk), robust=True)


def connect() -> None:
    post_save.connect(on_event, sender=CaseEvent, dispatch_uid="notices.case_event")
    post_save.connect(on_document, sender=Document, dispatch_uid="notices.document")
