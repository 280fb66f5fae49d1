"""Appending to the audit chain. Verification and checkpoints live in verify.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from rongcuo.core.prepared import PreparedQuery

from .models import AuditHead, AuditRecord

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts: the user, the role they act in, and where from. Passed explicitly to every action."""

    user_id: int | None
    username: str
    role: str = ""
    ip: str = ""

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(None, what, "system", "")


def canonical_detail(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def record_bytes(
    seq: int,
    at: str,
    kind: str,
    user_id: int | None,
    username: str,
    role: str,
    ip: str,
    action: str,
    object_type: str,
    object_id: str,
    success: bool,
    detail: str,
    prev_hash: str,
) -> bytes:
    # Fields joined with a unit separator that cannot appear in them unescaped; order is part of the format.
    parts = (
        str(seq),
        at,
        kind,
        "" if user_id is None else str(user_id),
        username,
        role,
        ip,
        action,
        object_type,
        object_id,
        "1" if success else "0",
        detail,
        prev_hash,
    )
    return "\x1f".join(p.replace("\x1f", " ") for p in parts).encode("utf-8")


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def format_at(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The chain head, locked (FOR UPDATE where the database has it; SQLite's IMMEDIATE transaction already
# holds the one write lock). Prepared: every audited read takes it.
_HEAD = PreparedQuery(lambda: AuditHead.objects.select_for_update().filter(id=1))


def append(
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    *,
    success: bool = True,
    detail: dict[str, Any] | None = None,
    kind: str = AuditRecord.KIND_SECURITY,
    flush: bool = True,
) -> AuditRecord:
    """Append one record; joins the caller's transaction (so it commits or rolls back with the act).

    flush=False (records of reads, appended in a transaction of their own): on PostgreSQL the commit does
    not wait for the WAL flush. Every append holds the chain head's row lock until its commit, so waiting
    for the disk there would serialise all reads behind one flush each. The record is chained and written
    all the same; an operating-system crash may lose the last moments of read records (as SQLite's
    synchronous=NORMAL may for every commit), never alter or reorder one."""
    # Within an action's transaction no savepoint: nothing catches a failed append, the act fails with it.
    with transaction.atomic(savepoint=False):
        connection = transaction.get_connection()
        if not flush and connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            # Lock the head and relax this transaction's commit in one round trip.
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT seq, hash, set_config('synchronous_commit', 'off', true) "
                    f"FROM {AuditHead._meta.db_table} WHERE id = 1 FOR UPDATE"
                )
                head_seq, head_hash, _ = cur.fetchone()
            head = AuditHead(id=1, seq=head_seq, hash=head_hash)
        else:
            rows = _HEAD()
            if not rows:
                raise AuditHead.DoesNotExist("审计链头（AuditHead）缺失：应由迁移 audit.0002 创建")
            head = rows[0]
        at = dt.datetime.now(dt.UTC)
        seq = head.seq + 1
        text = canonical_detail(detail)
        oid = str(object_id)
        digest = sm3(
            record_bytes(
                seq,
                format_at(at),
                kind,
                actor.user_id,
                actor.username,
                actor.role,
                actor.ip,
                action,
                object_type,
                oid,
                success,
                text,
                head.hash,
            )
        )
        rec = AuditRecord.objects.create(
            seq=seq,
            at=at,
            kind=kind,
            user_id=actor.user_id,
            username=actor.username,
            role=actor.role,
            ip=actor.ip,
            action=action,
            object_type=object_type,
            object_id=oid,
            success=success,
            detail=text,
            prev_hash=head.hash,
            hash=digest,
        )
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1", [seq, digest])
        every = settings.RONGCUO_AUDIT_CHECKPOINT_EVERY
        if every and seq % every == 0:
            from .verify import auto_checkpoint  # here: verify imports this module

            auto_checkpoint(seq, digest)  # under the head lock, so the tree is exactly records 1..seq
    return rec


def append_failure(actor: Actor, action: str, object_type: str = "", object_id: str | int = "", **detail: Any) -> None:
    """Record a refused or failed act in its own transaction, after the act's own has rolled back."""
    with transaction.atomic():
        append(actor, action, object_type, object_id, success=False, detail=detail)
