"""Documents to JSON and back without loss: a rule or tests document holds datetime.date values (the loader's
YAML gives dates), which JSON has not. A date is stored as {"$date": "YYYY-MM-DD"}; no rule-file field is
named "$date", so the tag cannot be confused with content."""

from __future__ import annotations

import datetime as dt
from typing import Any

TAG = "$date"


def encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # never in a rule document; refuse rather than drop the time
        raise TypeError("规则文档中不应有时间值")
    if isinstance(value, dt.date):
        return {TAG: value.isoformat()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and TAG in value and isinstance(value[TAG], str):
            return dt.date.fromisoformat(value[TAG])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
