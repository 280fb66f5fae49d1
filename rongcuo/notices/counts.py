"""The navigation's 「站内信」 entry: shown to a user who has any notice, with the unread count (one query)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from .models import Notice


def counts(user: Any) -> tuple[int, int]:
    """(all, unread) notices of the user."""
    if user is None or not user.is_authenticated:
        return 0, 0
    row = Notice.objects.filter(user=user).aggregate(
        total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True))
    )
    return row["total"], row["unread"]


def nav_label(user: Any) -> str | None:
    """「站内信（3）」, 「站内信」 when all are read, None (no entry) for a user who has never had one."""
    total, unread = counts(user)
    if not total:
        return None
    return f"站内信（{unread}）" if unread else "站内信"
