"""Calendar arithmetic on plain dates: months and the named periods filters offer."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

# Dates the books accept: a typo'd year (1026, 20026) is refused rather than booked.
EARLIEST = dt.date(1900, 1, 1)
YEARS_AHEAD = 50
MAX_MONTH_COLUMNS = 36
PRESETS = ("this_month", "last_month", "this_year", "last_12_months", "all")
PRESET_LABELS = {
    "this_month": "This month",
    "last_month": "Last month",
    "this_year": "This year",
    "last_12_months": "Last 12 months",
    "all": "All time",
}


@dataclass(frozen=True)
class Period:
    """Dates from `start` to `end`, both included; None means open-ended."""

    start: dt.date | None
    end: dt.date | None


def month_start(day: dt.date) -> dt.date:
    """The first day of the day's month."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of the day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """Shift by whole months, clamping the day to the month's length (Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from start's month to end's month, both included."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


def columns(start: dt.date, end: dt.date) -> list[dt.date]:
    """Report columns from start to end: first days of months, or of years when that would be
    more than MAX_MONTH_COLUMNS months (a table or chart of hundreds of months helps nobody)."""
    months = months_between(start, end)
    if len(months) <= MAX_MONTH_COLUMNS:
        return months
    return [dt.date(year, 1, 1) for year in range(start.year, end.year + 1)]


def is_yearly(columns: list[dt.date]) -> bool:
    """Whether report columns are years (see `columns`)."""
    return len(columns) > 1 and columns[1] == add_months(columns[0], 12)


def column_label(day: dt.date, yearly: bool) -> str:
    """`2026-03` for a month column, `2026` for a year column."""
    return str(day.year) if yearly else day.strftime("%Y-%m")


def preset(name: str, today: dt.date | None = None) -> Period:
    """A named period relative to today: this_month, last_month, this_year, last_12_months, all."""
    today = today or dt.date.today()
    if name == "this_month":
        return Period(month_start(today), month_end(today))
    if name == "last_month":
        previous = add_months(month_start(today), -1)
        return Period(previous, month_end(previous))
    if name == "this_year":
        return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    if name == "last_12_months":
        return Period(add_months(month_start(today), -11), month_end(today))
    if name == "all":
        return Period(None, None)
    raise ValueError(f"unknown period {name!r}")


def latest(today: dt.date | None = None) -> dt.date:
    """The last date the books accept: YEARS_AHEAD years after today."""
    return add_months(today or dt.date.today(), 12 * YEARS_AHEAD)


def check_date(day: dt.date, today: dt.date | None = None) -> dt.date:
    """`day` when it lies from EARLIEST to `latest(today)`; ValueError saying so otherwise.

    Forms, imports and restores call this for every date they take.
    """
    if not EARLIEST <= day <= latest(today):
        raise ValueError(
            f"{day.isoformat()} is outside the dates fintrack keeps "
            f"({EARLIEST.isoformat()} to {latest(today).isoformat()})"
        )
    return day


def parse_date(text: str, today: dt.date | None = None) -> dt.date:
    """An ISO date typed by a person, within `check_date`'s bounds; ValueError with a
    readable message otherwise."""
    text = text.strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f'"{text}" is not a valid date (use YYYY-MM-DD)') from None
    return check_date(day, today)


def parse_month(text: str, today: dt.date | None = None) -> dt.date:
    """A month typed as YYYY-MM (as in a URL) as its first day, within the date bounds."""
    return parse_date(f"{text.strip()}-01", today)
