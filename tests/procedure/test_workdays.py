"""Chinese working days: the State Council calendar with 调休, and the weekend-only fallback beyond it."""

from __future__ import annotations

import datetime as dt

import pytest

from rongcuo.procedure.workdays import (
    add_calendar_days,
    add_working_days,
    is_workday,
    known_years,
    working_days_between,
)

D = dt.date
BEYOND = known_years().stop  # the first year the package has no data for


@pytest.mark.parametrize("day", [D(2024, 2, 4), D(2024, 2, 18), D(2024, 9, 29), D(2024, 10, 12)])
def test_make_up_weekend_days_are_workdays(day: dt.date) -> None:
    assert day.weekday() >= 5
    assert is_workday(day)


@pytest.mark.parametrize("day", [D(2024, 2, 10) + dt.timedelta(i) for i in range(8)])
def test_spring_festival_2024_is_off(day: dt.date) -> None:
    assert not is_workday(day)


@pytest.mark.parametrize("day", [D(2024, 10, 1) + dt.timedelta(i) for i in range(7)])
def test_national_day_2024_is_off(day: dt.date) -> None:
    assert not is_workday(day)


def test_ordinary_days() -> None:
    assert is_workday(D(2024, 3, 5))  # Tuesday
    assert not is_workday(D(2024, 3, 9))  # Saturday
    assert is_workday(dt.datetime(2024, 2, 4, 9, 30))  # a datetime is judged by its date
    assert not is_workday(dt.datetime(2024, 2, 12, 9, 30))


def test_known_years_include_2024() -> None:
    years = known_years()
    assert 2024 in years and years.start <= 2010 and years.stop > 2024


def test_add_working_days_across_spring_festival_2024() -> None:
    # Thu 8 and Fri 9 Feb (除夕, a working day in 2024) count; 10–17 Feb are off; Sun 18 Feb is a make-up day.
    due = add_working_days(D(2024, 2, 7), 3)
    assert due.date == D(2024, 2, 18)
    assert due.note == ""
    assert add_working_days(D(2024, 2, 7), 4).date == D(2024, 2, 19)
    # Weekdays only would give 23 Feb; the holiday pushes it to 28 Feb.
    assert add_working_days(D(2024, 2, 8), 10).date == D(2024, 2, 28)


def test_start_day_is_not_counted() -> None:
    assert add_working_days(D(2024, 3, 4), 1).date == D(2024, 3, 5)  # Monday → Tuesday
    assert add_working_days(D(2024, 3, 4), 0).date == D(2024, 3, 4)
    with pytest.raises(ValueError):
        add_working_days(D(2024, 3, 4), -1)


def test_beyond_the_data_counts_weekends_only_and_says_so() -> None:
    first_monday = next(D(BEYOND, 1, d) for d in range(1, 8) if D(BEYOND, 1, d).weekday() == 0)
    due = add_working_days(first_monday, 5)
    assert due.date == first_monday + dt.timedelta(days=7)  # Tue..Fri, then next Monday; no holidays known
    assert f"{BEYOND}年起未收录国务院节假日安排" in due.note and "按周末计算" in due.note
    # 1 January is a holiday every year, but beyond the data it is a plain weekday (or weekend) and no error.
    assert is_workday(D(BEYOND, 1, 1)) == (D(BEYOND, 1, 1).weekday() < 5)
    # A span ending inside the data has no note.
    assert add_working_days(D(BEYOND - 1, 6, 1), 3).note == ""
    # Crossing into the unknown year is enough for the note.
    assert add_working_days(D(BEYOND - 1, 12, 30), 5).note != ""


def test_before_the_data_has_a_note_too() -> None:
    due = add_working_days(D(known_years().start - 1, 6, 1), 3)
    assert "以前未收录" in due.note


def test_add_calendar_days_rolls_off_a_holiday() -> None:
    # 25 Sep 2024 + 7 days = 2 Oct (国庆), so the period ends on the first working day after: 8 Oct.
    due = add_calendar_days(D(2024, 9, 25), 7)
    assert due.date == D(2024, 10, 8) and due.note == ""
    # Ending on a 调休 Sunday (29 Sep 2024) is a working day: no extension.
    assert add_calendar_days(D(2024, 9, 22), 7).date == D(2024, 9, 29)
    # Ending on an ordinary Saturday moves to Monday.
    assert add_calendar_days(D(2024, 3, 2), 7).date == D(2024, 3, 11)
    assert add_calendar_days(D(2024, 3, 4), 1).date == D(2024, 3, 5)


def test_add_calendar_days_beyond_the_data() -> None:
    due = add_calendar_days(D(BEYOND - 1, 12, 20), 30)
    assert due.date.weekday() < 5 and due.date >= D(BEYOND - 1, 12, 20) + dt.timedelta(30)
    assert "未收录" in due.note


def test_working_days_between() -> None:
    assert working_days_between(D(2024, 2, 7), D(2024, 2, 19)) == 4
    assert working_days_between(D(2024, 2, 19), D(2024, 2, 7)) == -4
    assert working_days_between(D(2024, 3, 4), D(2024, 3, 4)) == 0
    assert working_days_between(D(2024, 9, 28), D(2024, 10, 12)) == 7  # 29 Sep, 30 Sep, 8–12 Oct
    # The arithmetic-and-bisect count agrees with asking day by day, and 2024 had 251 working days.
    in_2024 = sum(is_workday(D(2024, 1, 1) + dt.timedelta(i)) for i in range(366))
    assert working_days_between(D(2023, 12, 31), D(2024, 12, 31)) == in_2024 == 251


@pytest.mark.parametrize("start", [D(2024, 1, 20), D(2024, 9, 20), D(BEYOND - 1, 12, 10), D(2003, 12, 1)])
@pytest.mark.parametrize("n", [1, 5, 20, 60])
def test_between_inverts_add(start: dt.date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n).date) == n
