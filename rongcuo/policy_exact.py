"""Exact comparison and solver checks of the policy library, as the API and the library pages use them.

The work is done by the pure library (rongcuo/policy/exact.py, verify.py); this module adds what serving
it needs: results kept per process for the version objects they were computed for (the effective library
keeps its version objects until an adoption replaces it, so a kept result is never stale: a new library
has new objects), and the per-outcome-pair summary of a comparison.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rongcuo.policy.catalog import OUTCOME_LABELS
from rongcuo.policy.exact import Comparison, Matrix, compare_all, compare_exact
from rongcuo.policy.model import PolicyVersion
from rongcuo.policy.verify import Finding, verify_version

T = TypeVar("T")
OUTCOME_ORDER = ("exempt", "mitigate", "not_tolerated", "undetermined")


class IdentityCache:
    """A small LRU keyed by the identity of the objects a value was computed from. The objects are held
    with the value, so an id is never reused while its entry lives."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, objs: Sequence[Any], make: Callable[[], T]) -> T:
        objs = tuple(objs)
        key = tuple(id(o) for o in objs)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and all(x is y for x, y in zip(hit[0], objs, strict=True)):
                self._items.move_to_end(key)
                return hit[1]
        value = make()
        with self._lock:
            self._items[key] = (objs, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_pairs = IdentityCache(64)
_matrices = IdentityCache(4)
_findings = IdentityCache(256)


def comparison(a: PolicyVersion, b: PolicyVersion) -> Comparison:
    return _pairs.get((a, b), lambda: compare_exact(a, b))


def matrix(versions: Sequence[PolicyVersion]) -> Matrix:
    return _matrices.get(versions, lambda: compare_all(versions))


def findings(v: PolicyVersion) -> list[Finding]:
    return _findings.get((v,), lambda: verify_version(v))


def both_determined(a_outcome: str, b_outcome: str) -> bool:
    return "undetermined" not in (a_outcome, b_outcome)


def outcome_pairs(c: Comparison) -> list[dict[str, Any]]:
    """Differing patterns per (A outcome, B outcome): both-determined pairs first, then the largest."""
    acc: dict[tuple[str, str], list[int]] = {}
    for r in c.regions:
        row = acc.setdefault((r.a.outcome, r.b.outcome), [0, 0])
        row[0] += r.count
        row[1] += 1
    rows = [
        {
            "a": x,
            "b": y,
            "a_label": OUTCOME_LABELS[x],
            "b_label": OUTCOME_LABELS[y],
            "both_determined": both_determined(x, y),
            "count": count,
            "regions": regions,
            "share": round(count / c.total, 6) if c.total else 0.0,
        }
        for (x, y), (count, regions) in acc.items()
    ]
    rows.sort(
        key=lambda r: (not r["both_determined"], -r["count"], OUTCOME_ORDER.index(r["a"]), OUTCOME_ORDER.index(r["b"]))
    )
    return rows


def comparison_dict(c: Comparison) -> dict[str, Any]:
    return {**c.to_dict(), "summary": outcome_pairs(c)}
