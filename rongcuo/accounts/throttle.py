"""Sign-in failures counted per network address (password spraying: many accounts, few tries each).

The per-account lockout (accounts/actions.py: 5 failures → 10 minutes) stops guessing one account's password;
it does nothing against one address trying a few passwords on each of many accounts. Here every failed
sign-in from an address (unknown user, wrong password, locked or disabled account, wrong second-factor code)
counts towards settings.RONGCUO_SIGNIN_FAILURES_PER_ADDRESS per RONGCUO_SIGNIN_WINDOW_SECONDS; once an
address has used them up, every sign-in from it is refused (429) until the window ends, a correct password
included, and before any password is checked. Successful sign-ins are not counted, so the many users of one
office behind one address are not shut out by their own sign-ins.

The counting is django-ratelimit's (`get_usage`: fixed windows per key, with a stable per-key offset so the
windows of different addresses do not all end together; IPv6 addresses counted per /64). Its cache is
Django's database cache (settings.CACHES["throttle"], table made by migration accounts.0004), shared by every
worker process on SQLite and on PostgreSQL alike. Django's database cache increments by read-then-write, which
two processes could interleave; `SignInCache.incr` makes it one transaction holding the row (SQLite's
IMMEDIATE transactions take the write lock at BEGIN; PostgreSQL locks the row FOR UPDATE).
"""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django_ratelimit.core import get_usage

from rongcuo.core.errors import ActionError

GROUP = "rongcuo.signin"


class Throttled(ActionError):
    status = 429
    code = "throttled"


class SignInCache(DatabaseCache):
    """Django's database cache whose increment is atomic across processes."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.vendor == "postgresql":
                made = self.make_and_validate_key(key, version=version)
                with connection.cursor() as cursor:
                    table = connection.ops.quote_name(self._table)
                    cursor.execute(f"SELECT 1 FROM {table} WHERE cache_key = %s FOR UPDATE", [made])
            return super().incr(key, delta, version)


def address_key(ip: str) -> str:
    """The address counted: IPv4 as it is, IPv6 by its /64 (one host usually holds a whole /64)."""
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    if addr.version == 6:
        return str(ipaddress.ip_network(f"{addr}/64", strict=False).network_address)
    return str(addr)


def _usage(ip: str, increment: bool) -> dict[str, Any] | None:
    rate = (settings.RONGCUO_SIGNIN_FAILURES_PER_ADDRESS, settings.RONGCUO_SIGNIN_WINDOW_SECONDS)
    # get_usage reads only the key (given here as a function of the address) and, for method=ALL, nothing else
    # of the request: a stand-in carries the address for actions that are given an address, not a request.
    request = SimpleNamespace(META={"REMOTE_ADDR": ip}, method="POST")
    return get_usage(request, group=GROUP, key=lambda group, req: address_key(ip), rate=rate, increment=increment)


def blocked(ip: str) -> bool:
    """Has this address used up its failed sign-ins for the current window?"""
    usage = _usage(ip, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def count_failure(ip: str) -> None:
    _usage(ip, increment=True)


def minutes() -> int:
    return max(1, round(settings.RONGCUO_SIGNIN_WINDOW_SECONDS / 60))


def refusal() -> Throttled:
    return Throttled(f"该网络地址登录失败次数过多，请 {minutes()} 分钟后再试")
