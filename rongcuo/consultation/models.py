"""意见征集: a draft measure put to public consultation with a questionnaire, its responses, and adoptions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class Draft(models.Model):
    """A draft rule file (the whole policy file: existing versions plus the proposed one, or a new policy)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ADOPTED = "adopted"
    STATUSES = [(DRAFT, "草稿"), (OPEN, "征求意见中"), (CLOSED, "征集已结束"), (ADOPTED, "已采纳")]

    policy_id = models.CharField(max_length=64, db_index=True, help_text="政策编号（与规则文件 id 一致）")
    title = models.CharField(max_length=200)
    yaml_text = models.TextField(help_text="完整的规则文件（YAML）")
    explanation = models.TextField(help_text="起草说明")
    questionnaire = models.JSONField(default=list, help_text="调查问卷：题目列表")
    new_versions = models.JSONField(default=list, help_text="本稿新增的版本名")
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=STATUSES, default=DRAFT, db_index=True)
    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="drafts")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.title}"

    def state(self, now: dt.datetime) -> str:
        """The status as of `now`: an open window whose closing time has passed reads as closed."""
        if self.status == self.OPEN and self.closes_at is not None and now >= self.closes_at:
            return self.CLOSED
        return self.status

    def accepting(self, now: dt.datetime) -> bool:
        return (
            self.status == self.OPEN
            and self.opens_at is not None
            and self.closes_at is not None
            and self.opens_at <= now < self.closes_at
        )


class Response(models.Model):
    """One submitted questionnaire. The respondent's name and unit are optional (anonymous allowed); no IP is kept."""

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="responses")
    answers = models.JSONField(default=dict)
    respondent_name = models.CharField(max_length=64, blank=True)
    respondent_unit = models.CharField(max_length=128, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    @property
    def anonymous(self) -> bool:
        return not self.respondent_name


class AdoptedPolicy(models.Model):
    """A draft adopted as policy: its rule file joins (or replaces by id) the shipped files in the running system."""

    policy_id = models.CharField(max_length=64, db_index=True)
    yaml_text = models.TextField()
    draft = models.OneToOneField(Draft, on_delete=models.PROTECT, related_name="adoption")
    adopted_at = models.DateTimeField()
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=300, help_text="采纳依据：会议及文号等")

    class Meta:
        ordering = ["adopted_at", "id"]
