"""Field types shared by every payload model and API parameter.

- `Id`: a database id, 1 … 2⁶³−1 (BigAutoField; SQLite INTEGER and PostgreSQL bigint hold no more), so a
  20-digit id is a 400 naming the field instead of an OverflowError deep in the driver.
- `Day`: a date written YYYY-MM-DD and nothing else (pydantic alone reads 0 or "0" as 1970-01-01, a Unix
  timestamp).
- `UserText` (`clean_text`): text a person typed, refused when it holds NUL (PostgreSQL cannot store it) or
  a bidirectional override / isolate control (U+202A–U+202E, U+2066–U+2069), which make text display in
  an order other than the one stored (a title that reads differently from what was signed off).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _strict_day(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date_type", "应为日期（YYYY-MM-DD）")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return value.strip()
    raise PydanticCustomError("date_parsing", "应为日期（YYYY-MM-DD）")


Day = Annotated[dt.date, BeforeValidator(_strict_day)]

FORBIDDEN_CHARACTERS = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")
FORBIDDEN_NAMES = {"\x00": "空字符（NUL）"}


def clean_text(value: str) -> str:
    found = FORBIDDEN_CHARACTERS.search(value)
    if found:
        char = found.group()
        what = FORBIDDEN_NAMES.get(char, f"文字方向控制符（U+{ord(char):04X}）")
        raise PydanticCustomError("text_control_character", "含有不允许的{what}", {"what": what})
    return value


UserText = Annotated[str, AfterValidator(clean_text)]
