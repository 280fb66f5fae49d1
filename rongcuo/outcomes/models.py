"""After the decision: result use 「结果运用」, correction 「纠错整改」 and clearing names 「澄清正名」.

- `ResultUse`: one standing record per decision on a cadre, written by a decision hook (and rewritten when
  an appeal changes the decision); it keeps the policy's result-use rules as they were cited, so a later
  policy edit never changes what a past decision meant.
- `CorrectionPlan` with `Milestone`s (each with a procedure `Deadline` the sweeper watches), progress
  reports 「纠偏进度」 and process assessments 「过程考核」.
- `Report` 「检举控告」 with its specific `ReportedMatter`s, and `Clarification`s of the matters found untrue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

FORM_LABELS = {1: "第一种形态", 2: "第二种形态", 3: "第三种形态", 4: "第四种形态"}


class ResultUse(models.Model):
    KINDS = [("exempt", "容错免责"), ("mitigate", "从轻、减轻处理"), ("not_tolerated", "不予容错（问责处理）")]

    decision = models.OneToOneField("cases.Decision", on_delete=models.PROTECT, related_name="result_use")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="result_uses")
    matter = models.ForeignKey(
        "org.AccountabilityMatter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_number = models.CharField(max_length=40)
    kind = models.CharField(max_length=16, choices=KINDS, help_text="按处理方式适用的结果运用规则")
    outcome = models.CharField(max_length=16)
    disposition = models.CharField(max_length=16)
    form = models.IntegerField(null=True, blank=True)
    decided_on = models.DateField()
    organ = models.CharField(max_length=128)
    document_number = models.CharField(max_length=64, blank=True)
    influence_months = models.IntegerField(null=True, blank=True)
    influence_source = models.CharField(max_length=16, blank=True, help_text="decision / policy / 空：未载明")
    influence_ends_on = models.DateField(null=True, blank=True, help_text="影响期最后一日（含）")
    policy = models.CharField(max_length=64, blank=True)
    policy_version = models.CharField(max_length=32, blank=True)
    policy_title = models.CharField(max_length=300, blank=True)
    rules = models.JSONField(default=list, help_text="决定时适用办法的结果运用规则（存档）")
    changed_on_appeal = models.BooleanField(default=False)
    original_disposition = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["decided_on", "id"]
        indexes = [models.Index(fields=["cadre", "decided_on"])]


# --- 纠错整改 -------------------------------------------------------------------------------------------


class CorrectionPlan(models.Model):
    STATUSES = [
        ("active", "整改中"),
        ("submitted", "已报送完成，待核验"),
        ("verified", "已核验完成"),
        ("refused", "拒不纠错"),
        ("failed", "整改不力（未能纠正）"),
    ]
    RUNNING = ("active", "submitted")

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="correction_plan")
    responsible = models.CharField(max_length=100, help_text="整改责任人")
    measures = models.TextField(help_text="整改措施")
    basis = models.TextField(help_text="整改依据")
    deadline_on = models.DateField(help_text="整改完成期限")
    deadline = models.OneToOneField(
        "procedure.Deadline", null=True, on_delete=models.SET_NULL, related_name="correction_plan"
    )
    status = models.CharField(max_length=16, choices=STATUSES, default="active", db_index=True)
    evidence = models.TextField(blank=True, help_text="整改完成佐证")
    evidence_attachments = models.ManyToManyField("cases.Attachment", blank=True, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(blank=True)
    refusal_reason = models.TextField(blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class Milestone(models.Model):
    plan = models.ForeignKey(CorrectionPlan, on_delete=models.CASCADE, related_name="milestones")
    seq = models.IntegerField()
    title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    due_on = models.DateField()
    deadline = models.OneToOneField(
        "procedure.Deadline", null=True, on_delete=models.SET_NULL, related_name="correction_milestone"
    )
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="milestone_seq_unique")]


class ProgressReport(models.Model):
    """纠偏进度."""

    plan = models.ForeignKey(CorrectionPlan, on_delete=models.CASCADE, related_name="progress")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    percent = models.IntegerField(null=True, blank=True)
    milestone_done = models.BooleanField(default=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]


class Assessment(models.Model):
    """过程考核."""

    RATINGS = [("good", "好"), ("fair", "较好"), ("average", "一般"), ("poor", "差")]

    plan = models.ForeignKey(CorrectionPlan, on_delete=models.CASCADE, related_name="assessments")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=8, choices=RATINGS)
    comment = models.TextField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    assessed_at = models.DateTimeField()

    class Meta:
        ordering = ["assessed_at", "id"]


# --- 澄清正名 -------------------------------------------------------------------------------------------


class Report(models.Model):
    """检举控告 about a cadre, verified by an organ 「谁核实，谁澄清」."""

    STATUSES = [("verifying", "核实中"), ("concluded", "已办结")]

    number = models.CharField(max_length=40, unique=True)
    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    channel = models.CharField(max_length=32, help_text="来信、来访、电话、网络等")
    summary = models.TextField()
    informant_enc = models.TextField(blank=True, help_text="检举控告人（加密存储）")
    status = models.CharField(max_length=16, choices=STATUSES, default="verifying")
    verified_by_organ = models.CharField(max_length=128, blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    conclusion = models.TextField(blank=True)
    false_accusation_referred = models.BooleanField(default=False, help_text="诬告陷害，移送处理")
    referred_to = models.CharField(max_length=128, blank=True)
    referral_note = models.TextField(blank=True)
    referred_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class Finding(models.TextChoices):
    PENDING = "pending", "待核实"
    TRUE = "true", "属实"
    PARTLY_TRUE = "partly_true", "部分属实"
    UNTRUE = "untrue", "不属实"
    SERIOUSLY_UNTRUE = "seriously_untrue", "严重失实"
    FABRICATED = "fabricated", "捏造事实"
    FALSE_ACCUSATION = "false_accusation", "诬告陷害"


# Only reports found 严重失实、不属实、捏造事实、诬告陷害 may be clarified (中央纪委国家监委 2020).
CLEARABLE = frozenset({Finding.UNTRUE, Finding.SERIOUSLY_UNTRUE, Finding.FABRICATED, Finding.FALSE_ACCUSATION})


class Clarification(models.Model):
    """澄清正名 of specific matters of one report, by the organ that verified them."""

    METHODS = {"written": "书面澄清", "in_person": "当面澄清", "meeting": "会议澄清", "circular": "通报澄清"}

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="clarifications")
    organ = models.CharField(max_length=128)
    methods = models.JSONField(default=list)
    scope = models.CharField(max_length=300, help_text="澄清范围")
    written_text = models.TextField(help_text="书面澄清材料")
    held_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def method_labels(self) -> list[str]:
        return [self.METHODS.get(m, m) for m in self.methods]


class ReportedMatter(models.Model):
    """One specific matter reported; only matters found untrue are ever cleared."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="matters")
    seq = models.IntegerField()
    text = models.TextField()
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    matter = models.ForeignKey(
        "org.AccountabilityMatter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finding = models.CharField(max_length=20, choices=Finding.choices, default=Finding.PENDING)
    finding_note = models.TextField(blank=True)
    repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
        help_text="重复举报的已办结事项",
    )
    cleared_by = models.ForeignKey(
        Clarification, null=True, blank=True, on_delete=models.PROTECT, related_name="matters"
    )

    class Meta:
        ordering = ["report_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["report", "seq"], name="reported_matter_seq_unique")]
