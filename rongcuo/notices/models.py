"""A notice 「站内信」 to one user. Derived from the case's timeline and its documents, so it is no audit record:
its text names only the case's number and title (which its reader may already see) and what awaits them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notice(models.Model):
    KINDS = [("awaiting", "待办提醒"), ("document", "文书送达")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", db_index=False)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=KINDS)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=200, help_text="站内路径")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the list (newest first) and the navigation's unread count, both per user
            models.Index(fields=["user", "-created_at", "-id"], name="notice_user_newest"),
            models.Index(fields=["user", "read_at"], name="notice_user_unread"),
        ]

    def __str__(self) -> str:
        return self.text
