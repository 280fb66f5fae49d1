"""Keeping the indexes current: case changes from cases.actions, renditions from the disclosure signals.

Case documents are refreshed by `cases.actions.CASE_HOOKS`, which `record_event` runs after every change
to a case (each action writes its change and then its timeline event), inside the action's transaction.
Public documents follow the rendition: indexed when published, removed when withdrawn, refreshed when a
published rendition joins or leaves the typical-case library (its significance and tags are indexed).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from rongcuo.cases.models import Case

from . import index


def on_case_changed(case: Case) -> None:
    """Registered in cases.actions.CASE_HOOKS."""
    index.index_case(case)


def on_case_deleted(sender: type, instance: Case, **kwargs: Any) -> None:
    # Before the cascade removes the document, so the statistics are adjusted with it.
    index.remove_case(instance)


def on_published(sender: Any, rendition: Any, **kwargs: Any) -> None:
    index.index_public(rendition)


def on_withdrawn(sender: Any, rendition: Any, **kwargs: Any) -> None:
    index.remove_public(rendition)


def on_typical_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("action", "post_").startswith("post_"):
        return  # m2m_changed also fires before the change
    rendition_id = getattr(instance, "rendition_id", None)  # None when a Tag is the instance (reverse side)
    if rendition_id is None:
        return
    model: Any = apps.get_model("disclosure", "Rendition")
    rendition = model.objects.filter(pk=rendition_id).first()  # fresh: no cached `typical` after a removal
    if rendition is not None:
        index.index_public(rendition)


def connect() -> None:
    from rongcuo.cases import actions
    from rongcuo.disclosure.signals import rendition_published, rendition_withdrawn

    if on_case_changed not in actions.CASE_HOOKS:
        actions.CASE_HOOKS.append(on_case_changed)
    pre_delete.connect(on_case_deleted, sender=Case, dispatch_uid="search.case_deleted")
    rendition_published.connect(on_published, dispatch_uid="search.rendition_published")
    rendition_withdrawn.connect(on_withdrawn, dispatch_uid="search.rendition_withdrawn")
    try:
        typical: Any = apps.get_model("disclosure", "TypicalCase")
    except LookupError:
        return
    post_save.connect(on_typical_changed, sender=typical, dispatch_uid="search.typical_saved")
    post_delete.connect(on_typical_changed, sender=typical, dispatch_uid="search.typical_deleted")
    m2m_changed.connect(on_typical_changed, sender=typical.tags.through, dispatch_uid="search.typical_tags")
