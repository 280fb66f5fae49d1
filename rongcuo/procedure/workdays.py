"""Chinese working days: the State Council holiday calendar (国务院办公厅节假日安排), make-up workdays 调休 included.

The calendar comes from the `chinese-calendar` package, which covers only the years it has data for. Outside
those years a day is a working day iff it is Monday to Friday, and every answer that relied on that says so in
its `note`; nothing here raises for a date outside the data (the package itself would).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Due:
    date: dt.date
    note: str = ""  # non-empty when the answer used the weekend-only fallback


@dataclass(frozen=True)
class _Calendar:
    years: range
    off: frozenset[dt.date]  # Monday-Friday holidays
    on: frozenset[dt.date]  # Saturday/Sunday make-up workdays 调休
    off_sorted: tuple[dt.date, ...]
    on_sorted: tuple[dt.date, ...]


@cache
def _calendar() -> _Calendar:
    # Only the exceptions to "Monday-Friday" are kept, so a plain set lookup answers every date, known year or
    # not, without calling the package (which raises NotImplementedError outside its years).
    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    on = {d for d in workdays if d.weekday() >= 5}
    off = {d for d in holidays if d.weekday() < 5 and d not in workdays}
    years = range(min(holidays).year, max(holidays).year + 1)
    return _Calendar(years, frozenset(off), frozenset(on), tuple(sorted(off)), tuple(sorted(on)))


def known_years() -> range:
    """The years the holiday calendar has data for."""
    return _calendar().years


def _day(d: dt.date) -> dt.date:
    # A datetime never equals a date, so it would silently miss every holiday in the sets.
    return d.date() if isinstance(d, dt.datetime) else d


def is_workday(d: dt.date) -> bool:
    d = _day(d)
    cal = _calendar()
    return d in cal.on or (d.weekday() < 5 and d not in cal.off)


def _note(first: dt.date, last: dt.date) -> str:
    """Say so when any day in [first, last] lies outside the calendar's years."""
    years = known_years()
    parts = []
    if first.year < years.start:
        parts.append(f"{years.start}年以前未收录国务院节假日安排，按周末计算")
    if last.year >= years.stop:
        parts.append(f"{years.stop}年起未收录国务院节假日安排，按周末计算")
    return "；".join(parts)


def add_working_days(start: dt.date, n: int) -> Due:
    """The n-th working day after `start` (`start` itself not counted); n = 0 gives `start`."""
    if n < 0:
        raise ValueError("n must not be negative")
    start = day = _day(start)
    left = n
    while left:
        day += ONE_DAY
        if is_workday(day):
            left -= 1
    return Due(day, _note(start + ONE_DAY, day) if n else "")


def add_calendar_days(start: dt.date, n: int) -> Due:
    """`n` natural days after `start`, moved to the next working day when the last day is a holiday or weekend."""
    if n < 0:
        raise ValueError("n must not be negative")
    # The common rule for time limits counted in days (民法典第二百零一条、第二百零三条; the procedure laws say the
    # same): the starting day is not counted, and when the last day is a statutory day off the period ends on the
    # first day after it. A 调休 Saturday or Sunday is a working day, so a period ending on one is not extended.
    last = day = _day(start) + dt.timedelta(days=n)
    while not is_workday(day):
        day += ONE_DAY
    # Only the days whose holiday status decided the answer need the calendar.
    return Due(day, _note(last, day))


def _weekdays_upto(d: dt.date) -> int:
    """Monday-Friday days from a fixed Monday up to and including `d` (any origin works for differences)."""
    days = d.toordinal() - 1  # ordinal 1 (0001-01-01) is a Monday
    weeks, rest = divmod(days, 7)
    return weeks * 5 + min(rest + 1, 5)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days in (a, b]: a excluded, b included; negative when b is before a.

    So `working_days_between(s, add_working_days(s, n).date) == n`.
    """
    a, b = _day(a), _day(b)
    if b < a:
        return -working_days_between(b, a)
    cal = _calendar()
    # Monday-Friday count by arithmetic, then the calendar's exceptions in the span by binary search.
    count = _weekdays_upto(b) - _weekdays_upto(a)
    count -= bisect_right(cal.off_sorted, b) - bisect_right(cal.off_sorted, a)
    count += bisect_right(cal.on_sorted, b) - bisect_right(cal.on_sorted, a)
    return count
