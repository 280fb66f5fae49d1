"""A rule draft 「规则草稿」: the document being written, its tests, and where it came from."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PolicyDraft(models.Model):
    """One measure being drafted. `document` is JSON with dates tagged (rongcuo.authoring.codec): for a blank
    draft or a revision the whole rule document; for a derived draft only {"head", "overlay"}, its changes
    against the parent version (materialised by rongcuo.authoring.source). `revision` counts saves: every
    edit names the revision it was made on, so a stale one is refused instead of overwriting."""

    BLANK, DERIVED, REVISION = "blank", "derived", "revision"
    ORIGINS = [(BLANK, "新制定"), (DERIVED, "参照上级或外地办法制定"), (REVISION, "修订本地办法")]
    EDITING, SENT, WITHDRAWN = "editing", "sent", "withdrawn"
    STATUSES = [(EDITING, "起草中"), (SENT, "已提交意见征集"), (WITHDRAWN, "已撤回")]

    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="policy_drafts")
    policy_id = models.CharField(max_length=64, db_index=True)
    title = models.CharField(max_length=300)
    origin = models.CharField(max_length=8, choices=ORIGINS)
    parent_policy_id = models.CharField(max_length=64, blank=True)
    parent_version = models.CharField(max_length=40, blank=True)
    # The parent version as it was when derived or last rebased: the review of a parent change compares with it.
    parent_snapshot = models.JSONField(null=True, blank=True)
    document = models.JSONField()
    tests = models.JSONField()
    revision = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=9, choices=STATUSES, default=EDITING, db_index=True)
    consultation_draft = models.ForeignKey(
        "consultation.Draft", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["jurisdiction", "-updated_at"], name="policydraft_scope")]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.title}"
