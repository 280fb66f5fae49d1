"""Cases 「容错案件」, their facts and evidence, stage records, decisions, appeals and pre-filings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from rongcuo.core.fields import DocumentField


class StartType(models.TextChoices):
    INDIVIDUAL = "individual", "依申请（个人）"
    UNIT = "unit", "依申请（单位）"
    PROACTIVE = "proactive", "主动容错"


class Outcome(models.TextChoices):
    EXEMPT = "exempt", "免予问责"
    MITIGATE = "mitigate", "从轻或减轻处理"
    NOT_TOLERATED = "not_tolerated", "不予容错"
    UNDETERMINED = "undetermined", "待定"


class PreFiling(models.Model):
    """事前报备: a unit files a risky innovative measure before carrying it out."""

    STATUSES = [("submitted", "已报备待受理"), ("acknowledged", "已受理"), ("returned", "已退回")]

    number = models.CharField(max_length=40, unique=True)
    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="pre_filings")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="pre_filings")
    title = models.CharField(max_length=200)
    measure = models.TextField()
    risks = models.TextField()
    safeguards = models.TextField()
    expected_effect = models.TextField()
    status = models.CharField(max_length=16, choices=STATUSES, default="submitted")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    due_on = models.DateField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]


class Case(models.Model):
    number = models.CharField(max_length=40, unique=True)
    # Indexed by the (jurisdiction, stage) and (jurisdiction, -id) indexes below.
    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="cases", db_index=False)
    start_type = models.CharField(max_length=16, choices=StartType.choices)
    matter = models.ForeignKey(
        "org.AccountabilityMatter", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    subject_type = models.CharField(max_length=8, choices=[("cadre", "干部"), ("unit", "单位")])
    cadre = models.ForeignKey("org.Cadre", null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="cases")
    pre_filing = models.ForeignKey(PreFiling, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    domain = models.CharField(max_length=32, blank=True)
    conduct_date = models.DateField(null=True, blank=True)

    stage = models.CharField(max_length=32)
    status = models.CharField(max_length=8, choices=[("open", "办理中"), ("closed", "已办结")], default="open")
    closing_reason = models.CharField(max_length=32, blank=True)
    major_matter = models.BooleanField(default=False, help_text="重大过错事项：须第三方评估")
    public_interest_involved = models.BooleanField(default=False, help_text="涉及重大社会公共利益：须听证")

    evaluated_at = models.DateTimeField(null=True, blank=True)
    engine_outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    disposition = models.CharField(max_length=16, blank=True)

    stage_due_on = models.DateField(null=True, blank=True, db_index=True)
    overdue = models.BooleanField(default=False)
    version = models.IntegerField(default=0)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    procedure_pin = models.ForeignKey(
        "procedure.PinnedProcedure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="procedure_digest",
        db_index=False,  # a pinned procedure is never deleted, nor are its cases looked up by it
        help_text="办案程序（立案时固定；同一程序只存一份）",
    )
    # Large documents last: on SQLite they spill to overflow pages, and the columns before them stay in
    # the row's first page for lists and filters (migration 0003).
    policies = DocumentField(default=list, help_text="适用政策及版本（立案时固定，最基层在前）")
    evaluation = DocumentField(default=list, help_text="最新一次规则评估（每项适用政策一条）")

    class Meta:
        ordering = ["-id"]
        indexes = [
            # A scope's cases of one stage, newest first, from the index alone.
            models.Index(fields=["jurisdiction", "stage", "-id"], name="case_scope_stage"),
            # A scope's cases newest first, carrying the list filters and the title, so that a filtered
            # list over a province (tens of thousands of cases) never reads the table (PostgreSQL
            # INCLUDE; SQLite builds the same index without the included columns).
            models.Index(
                fields=["jurisdiction", "-id"],
                name="case_scope_recent",
                include=[
                    "stage",
                    "status",
                    "outcome",
                    "engine_outcome",
                    "start_type",
                    "overdue",
                    "domain",
                    "number",
                    "title",
                ],
            ),
            models.Index(fields=["status", "overdue"]),
            # Plain indexes for whole-country queries (statistics); declared here rather than with
            # db_index=True, which on PostgreSQL adds a second, LIKE-only index to every text column.
            models.Index(fields=["stage"], name="case_stage"),
            models.Index(fields=["outcome"], name="case_outcome"),
            models.Index(fields=["engine_outcome"], name="case_engine_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def procedure(self) -> dict[str, Any]:
        """The procedure pinned when the case started (stored once per distinct procedure)."""
        from rongcuo.procedure.pinning import body

        return body(self.procedure_pin_id)

    @procedure.setter
    def procedure(self, value: dict[str, Any]) -> None:
        from rongcuo.procedure.pinning import pin

        self.procedure_pin_id = pin(value) if value else None


class CaseCounter(models.Model):
    """Per jurisdiction and year, the last case number issued (locked while issuing)."""

    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT)
    kind = models.CharField(max_length=8, default="case")
    year = models.IntegerField()
    last = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "kind", "year"], name="counter_unique")]


class Attachment(models.Model):
    KINDS = [
        ("evidence", "证据材料"),
        ("interview", "走访记录附件"),
        ("application", "申请材料"),
        ("report", "报告"),
        ("other", "其他"),
    ]

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=16, choices=KINDS, default="evidence")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Interview(models.Model):
    """走访记录: an interview during the investigation."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interviews")
    interviewee = models.CharField(max_length=100)
    held_on = models.DateField()
    content = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class FactValue(models.Model):
    # No index of its own: the unique (case, fact) constraint leads with the case.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="facts", db_index=False)
    fact = models.CharField(max_length=64)
    value = models.BooleanField(null=True)
    comment = models.TextField(blank=True)
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="facts")
    interviews = models.ManyToManyField(Interview, blank=True, related_name="facts")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    set_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "fact"], name="fact_unique_per_case")]
        ordering = ["id"]


# The user foreign keys of a case's rows (created_by, set_by, actor, …) carry no index: rows are only ever
# found by their case, and users are deactivated, never deleted (migration 0008).


class CaseEvent(models.Model):
    """The per-case timeline for users (who did what, when, why); each event also enters the audit chain."""

    # Indexed by case alone: every events query names one case (a few dozen rows, read whole or filtered
    # by verb), and a bigint key deduplicates to a quarter of the (case, verb) index's size (0010).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    verb = models.CharField(max_length=40)
    stage_from = models.CharField(max_length=32, blank=True)
    stage_to = models.CharField(max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor_name = models.CharField(max_length=64)
    role = models.CharField(max_length=20, blank=True)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    data = DocumentField(default=dict)
    audit_seq = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["at", "id"]


class Decision(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    disposition = models.CharField(max_length=16)
    influence_months = models.IntegerField(null=True, blank=True)
    decided_on = models.DateField()
    organ = models.CharField(max_length=128)
    policy = models.CharField(max_length=64)
    policy_version = models.CharField(max_length=32)
    basis = models.TextField(help_text="依据条款与理由")
    evaluation = DocumentField(default=dict, help_text="作出决定时的规则评估（存档）")
    document_number = models.CharField(max_length=64, blank=True)
    form = models.IntegerField(
        null=True,
        blank=True,
        choices=[(1, "第一种形态"), (2, "第二种形态"), (3, "第三种形态"), (4, "第四种形态")],
        help_text="处理所属“四种形态”",
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)


class Appeal(models.Model):
    STATUSES = [("pending", "审查中"), ("upheld", "维持原决定"), ("changed", "变更原决定")]

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appeals")
    grounds = models.TextField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    submitted_at = models.DateTimeField()
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=STATUSES, default="pending")
    result = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
