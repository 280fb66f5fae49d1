"""Pinned procedures stored once: `pin(body)` returns the digest a case refers to, `body(digest)` the
procedure. Both keep a per-process cache; being content-addressed, a cached body is never stale."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from .models import PinnedProcedure

_cache: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def digest_of(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def pin(body: dict[str, Any]) -> str:
    """Store the procedure if it is new (inside the caller's transaction) and return its digest."""
    key = digest_of(body)
    # Always asked of the database (once per case started): a row made in a transaction that rolled back
    # is gone, whatever this process remembers of its body.
    PinnedProcedure.objects.get_or_create(digest=key, defaults={"body": body})
    with _lock:
        _cache[key] = body
    return key


def body(key: str | None) -> dict[str, Any]:
    """The pinned procedure with this digest ({} for none)."""
    if not key:
        return {}
    found = _cache.get(key)
    if found is None:
        found = PinnedProcedure.objects.get(pk=key).body
        with _lock:
            _cache[key] = found
    return found
