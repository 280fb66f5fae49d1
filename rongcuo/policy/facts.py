"""Reading case facts (facts.md format): one JSON object, or JSON Lines with an optional "id" per case."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from .errors import PolicyError
from .expr import Value


@dataclass(frozen=True)
class Case:
    id: Any
    facts: dict[str, Value]
    line: int


def check_facts(
    data: Any, known: Collection[str], *, file: str, line: int, describe: Callable[[str], str] | None = None
) -> tuple[Any, dict[str, Value]]:
    if not isinstance(data, dict):
        raise PolicyError('每个案件应为一个 JSON 对象，形如 {"事实名": true/false/null}', file=file, line=line)
    case_id = None
    facts: dict[str, Value] = {}
    for key, value in data.items():
        if key == "id":
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise PolicyError("案件 id 应为字符串或整数", file=file, line=line, field="id")
            case_id = value
            continue
        if key not in known:
            hint = describe(key) if describe else "应为要件库（facts.md）中的事实名"
            raise PolicyError(f"未知的事实名: {hint}", file=file, line=line, field=key)
        if value is not None and not isinstance(value, bool):
            shown = orjson.dumps(value).decode()[:40]
            raise PolicyError(f"应为 true、false 或 null（未知），收到 {shown}", file=file, line=line, field=key)
        facts[key] = value
    return case_id, facts


def parse_cases(
    text: str, known: Collection[str], *, file: str, describe: Callable[[str], str] | None = None
) -> Iterator[Case]:
    """Yield cases from a JSON object or JSON Lines text, in order; the first problem raises PolicyError."""
    stripped = text.strip()
    if not stripped:
        raise PolicyError("没有案件事实：应为一个 JSON 对象或每行一个对象的 JSON Lines", file=file)
    if stripped.startswith("{") and "\n" in stripped:
        # A pretty-printed single object spans lines; JSON Lines has one object per line.
        try:
            whole = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            whole = None
        if isinstance(whole, dict):
            case_id, facts = check_facts(whole, known, file=file, line=1, describe=describe)
            yield Case(case_id, facts, 1)
            return
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise PolicyError(f"不是合法的 JSON: {exc.msg}（第{exc.colno}列）", file=file, line=number) from None
        case_id, facts = check_facts(data, known, file=file, line=number, describe=describe)
        yield Case(case_id, facts, number)
