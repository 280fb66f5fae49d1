"""The append-only security audit: a hash chain (SM3) with Merkle checkpoints.

Rows are never updated or deleted: database triggers (migration 0003) refuse it on SQLite and
PostgreSQL. Appends are serialised by locking the single AuditHead row, so the chain never forks.
"""

from __future__ import annotations

from django.db import models


class AuditRecord(models.Model):
    KIND_SECURITY = "security"
    KIND_TIMELINE = "timeline"

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, default=KIND_SECURITY)
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=40, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    success = models.BooleanField(default=True)
    detail = models.TextField(default="{}")  # canonical JSON, hashed exactly as stored
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["user_id", "at"]),
            models.Index(fields=["action", "at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """One row (id=1): the last sequence number and hash. Locked by every append."""

    id = models.IntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class AuditCheckpoint(models.Model):
    """Merkle tree head (RFC 9162 tree hash, with SM3) over records 1..tree_size."""

    tree_size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    # Roots of the complete subtrees (hex, largest first) so the next checkpoint extends this one
    # instead of rehashing every record; see merkle.Frontier.
    frontier = models.TextField(default="")

    class Meta:
        ordering = ["tree_size"]
