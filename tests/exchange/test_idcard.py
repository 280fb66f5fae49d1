"""GB 11643 ID numbers and phone numbers (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from rongcuo.exchange import idcard
from rongcuo.exchange.schema import CADRES, MATTERS
from rongcuo.exchange.validate import CellError, parse_cell, parse_date

from .workbooks import bad_checksum, id_number


def test_check_character_of_published_examples() -> None:
    # GB 11643-1999 appendix example, and one whose check character is X.
    assert idcard.check_char("11010519491231002") == "X"
    assert idcard.check_char("44052418800101001") == "4"
    assert idcard.id_problem("11010519491231002X") is None


@pytest.mark.parametrize("seq", range(0, 40))
def test_generated_numbers_are_valid_and_any_other_check_character_is_not(seq: int) -> None:
    number = id_number(seq)
    assert idcard.id_problem(number) is None
    for c in "0123456789X":
        if c != number[-1]:
            assert "校验码" in (idcard.id_problem(number[:-1] + c) or "")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("32010219800101123", "18位"),
        ("320102800101123", "第一代"),
        ("32010219800230123X", "出生日期"),
        ("320102A9800101123X", "17位数字"),
        ("032010219800101123", "17位数字"),
        ("320102" + (dt.date.today() + dt.timedelta(days=400)).strftime("%Y%m%d") + "1231", "不合理"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(value: str, words: str) -> None:
    assert words in (idcard.id_problem(value) or "")


def test_id_cells_are_normalised_and_numbers_refused() -> None:
    col = CADRES.column("id_number")
    number = id_number(7)
    assert parse_cell(col, f" {number.lower()} ") == number
    assert parse_cell(col, "".join(chr(ord(c) + 0xFEE0) for c in number)) == number  # full-width digits
    with pytest.raises(CellError, match="文本格式"):
        parse_cell(col, int(number[:15]))
    with pytest.raises(CellError, match="校验码"):
        parse_cell(col, bad_checksum(number))


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13800001234", "13800001234"),
        ("138-0000-1234", "13800001234"),
        ("+86 138 0000 1234", "13800001234"),
        (13800001234, "13800001234"),
        ("0871 1234567", "0871-1234567"),
        ("010-87654321", "010-87654321"),
    ],
)
def test_phones(raw: object, stored: str) -> None:
    assert parse_cell(CADRES.column("phone"), raw) == stored


@pytest.mark.parametrize("raw", ["1380000123", "23800001234", "12345", "phone"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(CellError, match="手机号"):
        parse_cell(CADRES.column("phone"), raw)


@pytest.mark.parametrize(
    "raw",
    ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", 20240305, dt.datetime(2024, 3, 5)],
)
def test_dates(raw: object) -> None:
    assert parse_date(raw) == dt.date(2024, 3, 5)


@pytest.mark.parametrize("raw", ["2024-13-01", "2024-02-30", "03/05/2024", "明天", dt.datetime(2024, 3, 5, 10, 30)])
def test_bad_dates(raw: object) -> None:
    with pytest.raises(CellError):
        parse_date(raw)


def test_choices_and_booleans() -> None:
    assert parse_cell(MATTERS.column("subject_type"), "干部") == "cadre"
    assert parse_cell(MATTERS.column("subject_type"), "单位") == "unit"
    with pytest.raises(CellError, match="干部、单位"):
        parse_cell(MATTERS.column("subject_type"), "个人")
    col = CADRES.column("party_member")
    assert parse_cell(col, "是") is True and parse_cell(col, "否") is False and parse_cell(col, False) is False
    with pytest.raises(CellError):
        parse_cell(col, "也许")
