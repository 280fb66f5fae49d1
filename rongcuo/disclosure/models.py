"""Public renditions 「公开文本」 of decided cases and the typical-case library 「典型案例库」.

A rendition is generated from a case into its own text fields and de-identified; the public portal reads
only these tables (never the case). `pseudonyms` (real name → pseudonym) is private: never rendered publicly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rongcuo.policy.catalog import OUTCOME_LABELS

START_LABELS = {"individual": "依申请（个人）", "unit": "依申请（单位）", "proactive": "主动容错"}
FORM_LABELS = {1: "第一种形态", 2: "第二种形态", 3: "第三种形态", 4: "第四种形态"}


class RenditionStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    PUBLISHED = "published", "已公开"
    WITHDRAWN = "withdrawn", "已撤回"


class Rendition(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="rendition")
    public_number = models.CharField(max_length=32, unique=True, help_text="公开编号，代替案件编号")
    status = models.CharField(max_length=16, choices=RenditionStatus.choices, default=RenditionStatus.DRAFT)

    # where and what (public)
    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    region = models.CharField(max_length=64, help_text="区划名称")
    domain = models.CharField(max_length=32, blank=True)
    start_type = models.CharField(max_length=16)
    outcome = models.CharField(max_length=16)
    disposition = models.CharField(max_length=16)
    influence_months = models.IntegerField(null=True, blank=True)
    form = models.IntegerField(null=True, blank=True)
    decided_on = models.DateField()
    policy = models.CharField(max_length=64, blank=True)
    policy_version = models.CharField(max_length=32, blank=True)
    policy_title = models.CharField(max_length=300, blank=True)
    cited_articles = models.JSONField(default=list, help_text="引用条款 [{ref, text, verified}]")

    # the de-identified text (editable by the publisher before approval)
    title = models.CharField(max_length=200)
    subject = models.CharField(max_length=300, help_text="当事人或当事单位（去标识化）")
    summary = models.TextField()
    organ = models.CharField(max_length=200)
    basis = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    result = models.TextField(blank=True)

    # private to the publisher
    pseudonyms = models.JSONField(default=dict, help_text="姓名 → 化名（不公开）")
    unit_level = models.CharField(max_length=24)
    last_scan = models.JSONField(default=dict, help_text="最近一次去标识化检查结果")

    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField(blank=True)
    version = models.IntegerField(default=0)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["status", "outcome"]),
        ]

    def __str__(self) -> str:
        return f"{self.public_number} {self.title}"

    @property
    def is_public(self) -> bool:
        return self.status == RenditionStatus.PUBLISHED

    @property
    def body(self) -> str:
        """The public text after the summary, in reading order (what the public search indexes)."""
        parts = [self.subject, self.basis, self.explanation, self.result]
        parts += [f"{a.get('ref', '')} {a.get('text', '')}" for a in self.cited_articles or []]
        return "\n".join(p for p in parts if p)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def start_label(self) -> str:
        return START_LABELS.get(self.start_type, self.start_type)

    @property
    def form_label(self) -> str:
        return FORM_LABELS.get(self.form or 0, "")


class PublicCounter(models.Model):
    """The last public number issued per year (locked while issuing)."""

    year = models.IntegerField(primary_key=True)
    last = models.IntegerField(default=0)


class Tag(models.Model):
    """A typical-case tag: 征地拆迁, 招商引资, 应急处置, 历史遗留问题, 基层治理 …"""

    name = models.CharField(max_length=16, unique=True)
    order = models.IntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class TypicalCase(models.Model):
    """A published rendition curated into the typical-case library, with its significance and tags."""

    rendition = models.OneToOneField(Rendition, on_delete=models.CASCADE, related_name="typical")
    significance = models.TextField(help_text="典型意义")
    tags = models.ManyToManyField(Tag, related_name="typical_cases", blank=True)
    order = models.IntegerField(default=100, help_text="排序（小者在前）")
    curated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    curated_at = models.DateTimeField()

    class Meta:
        ordering = ["order", "-id"]

    def __str__(self) -> str:
        return f"典型案例 {self.rendition_id}"
