"""Chinese numerals as written in article numbers: 二十三, 一百零五, 十, 两 — and back."""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)
_NAMES = "零一二三四五六七八九"


def parse(text: str) -> int | None:
    """二十三 → 23, 一百零五 → 105, 十二 → 12, 23 → 23; None when the text is not a numeral."""
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(c not in NUMERAL_CHARS for c in text):
        return None
    total, digit = 0, None
    for c in text:
        if c in DIGITS:
            digit = DIGITS[c]
        else:  # a unit: 十 alone means 一十
            total += (1 if digit is None else digit) * UNITS[c]
            digit = None
    return total + (digit or 0)


def format_number(n: int) -> str:
    """23 → 二十三, 10 → 十, 105 → 一百零五, 110 → 一百一十 (the way article numbers are written)."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return _NAMES[n]
    if n < 20:
        return "十" + (_NAMES[n % 10] if n % 10 else "")
    parts: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                parts.append("零")
            parts.append(_NAMES[d] + unit)
            zero = False
        elif parts:
            zero = True
    return "".join(parts)
