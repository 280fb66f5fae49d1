"""Deadlines of case steps (in Chinese working days) and the reminders the sweeper raises."""

from __future__ import annotations

from django.db import models


class Deadline(models.Model):
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    pre_filing = models.ForeignKey(
        "cases.PreFiling", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    stage = models.CharField(max_length=32)
    label = models.CharField(max_length=64)
    started_on = models.DateField()
    due_on = models.DateField(db_index=True)
    within = models.IntegerField()
    unit = models.CharField(max_length=16)  # working_days / days
    basis = models.CharField(max_length=200, help_text="期限依据：政策条款，或“系统默认值”")
    is_default = models.BooleanField(default=False)
    calendar_note = models.CharField(max_length=200, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField(default=False)  # queried with completed_at/due_on, never alone

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["completed_at", "due_on"])]


class Reminder(models.Model):
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=[("due_soon", "即将到期"), ("overdue", "已逾期")])
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["deadline", "kind"], name="one_reminder_per_kind")]


class PinnedProcedure(models.Model):
    """A procedure as pinned to cases when they start, stored once and shared: content-addressed by the
    SHA-256 of its canonical JSON, so it can never change under a case. A whole country's cases pin a few
    dozen distinct procedures; each case refers to one (Case.procedure_pin) instead of carrying a 6 kB copy."""

    digest = models.CharField(max_length=64, primary_key=True)
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.body.get('id', '')} {self.digest[:12]}"
