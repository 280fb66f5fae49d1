"""The policy library of the running system: the shipped rule files, with adopted drafts replacing or adding
policies by id (the latest adoption of an id wins).

`effective_library()` is what the case system should read instead of `Library.default()`. It is cached per
process and rebuilt when the adoptions change: each call reads a one-row stamp (count and newest id of
AdoptedPolicy), so an adoption made by another process, or one rolled back, is seen at the next call; saving
an adoption also drops this process's cache at once (and again on commit). Within one web or API request
(`OneStampPerRequest` middleware) the stamp is read once: a request sees one library throughout.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from rongcuo.policy.errors import PolicyError
from rongcuo.policy.loader import Library, load_policy_text
from rongcuo.policy.model import Policy

from .models import AdoptedPolicy

log = logging.getLogger("rongcuo.consultation")

Stamp = tuple[int, int | None]


@dataclass(frozen=True)
class _Cached:
    stamp: Stamp
    library: Library


_lock = threading.Lock()
_cached: _Cached | None = None


# The stamp read in the current request ({} until read), or None outside a request (read at every call).
_request_memo: ContextVar[dict[str, Stamp] | None] = ContextVar("rongcuo_library_stamp", default=None)


def _stamp() -> Stamp:
    memo = _request_memo.get()
    if memo is not None and "stamp" in memo:
        return memo["stamp"]
    # Plain SQL: read on every request, and the ORM's aggregate() costs more to compile than to run.
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(id), MAX(id) FROM {AdoptedPolicy._meta.db_table}")
        n, last = cur.fetchone()
    stamp = (n, last)
    if memo is not None:
        memo["stamp"] = stamp
    return stamp


class OneStampPerRequest:
    """Middleware: read the adoption stamp once per request instead of at every effective_library() call."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            _request_memo.reset(token)


def adopted_file_name(row: AdoptedPolicy) -> str:
    return f"adopted:{row.policy_id}#{row.pk}"


def build_library() -> Library:
    """Shipped policies, then each adopted text in adoption order (a later one replaces an earlier by id).

    An adopted text that no longer loads (say the fact catalog changed under it) is skipped with an error in
    the log, leaving the previous adoption or the shipped file in force, rather than stopping every case.
    """
    policies: dict[str, Policy] = dict(Library.default().policies)
    for row in AdoptedPolicy.objects.order_by("adopted_at", "id").only("id", "policy_id", "yaml_text"):
        try:
            policy = load_policy_text(row.yaml_text, adopted_file_name(row))
        except PolicyError as exc:
            log.error("采纳的政策 %s（#%s）无法加载，沿用此前版本: %s", row.policy_id, row.pk, exc)
            continue
        policies[policy.id] = policy
    return Library(policies.values())


def effective_library() -> Library:
    global _cached
    stamp = _stamp()
    cached = _cached
    if cached is not None and cached.stamp == stamp:
        return cached.library
    with _lock:
        library = build_library()
        _cached = _Cached(stamp, library)
    return library


def invalidate() -> None:
    global _cached
    _cached = None
    memo = _request_memo.get()
    if memo is not None:
        memo.clear()  # an adoption inside this request: read the stamp again


@receiver(post_save, sender=AdoptedPolicy, dispatch_uid="consultation.adopted_policy_saved")
def _adopted_saved(sender: type[AdoptedPolicy], instance: AdoptedPolicy, **kwargs: object) -> None:
    invalidate()
    transaction.on_commit(invalidate)
