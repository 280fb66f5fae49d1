"""Citizen ID numbers 「公民身份号码」 (GB 11643-1999) and phone numbers: normalising and checking.

An ID number has 18 characters: a 6-digit address code, an 8-digit birth date, a 3-digit sequence code and
a check character computed over the first 17 digits (ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, the sum
mod 11 indexes "10X98765432").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})$")


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise_id(value: str) -> str:
    """Full-width characters folded, spaces dropped, a lower-case x made upper-case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def id_problem(value: str, today: dt.date | None = None) -> str | None:
    """What is wrong with a (normalised) ID number, in Chinese; None when it is valid."""
    if len(value) == 15 and value.isdigit():
        return "这是15位的第一代身份证号，请填写18位号码"
    if len(value) != 18:
        return f"身份证号应为18位（现为{len(value)}位）"
    if not _SHAPE.match(value):
        return "身份证号应为17位数字加1位数字或X"
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"身份证号中的出生日期 {value[6:14]} 不存在"
    if born.year < 1900 or born > (today or dt.date.today()):
        return f"身份证号中的出生日期 {value[6:14]} 不合理"
    expected = check_char(value[:17])
    if value[17] != expected:
        return "身份证号校验码错误（GB 11643），请核对号码"
    return None


def normalise_phone(value: str) -> str:
    text = re.sub(r"[\s()（）]+", "", unicodedata.normalize("NFKC", value))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if re.fullmatch(r"1[\d-]+", text):
        text = text.replace("-", "")
    m = _LANDLINE.match(text)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    return text


def phone_problem(value: str) -> str | None:
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return None
    return "手机号应为11位手机号码（或带区号的固定电话，如 0875-1234567）"
