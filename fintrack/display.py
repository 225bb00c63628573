"""How numbers and dates are shown and typed: the person's choice in Settings, through Babel.

The choice is kept as two preferences and cached here for the whole process, so formatting
never reads the database. Exports, the JSON API and the command line do not use it: they
stay in machine formats (plain decimals, ISO dates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern
from sqlalchemy.orm import Session

from fintrack import periods, preferences
from fintrack.errors import InputError

# Number format as the person sees it -> the Babel locale whose separators it uses.
NUMBER_FORMATS = {"1,234.56": "en_US", "1.234,56": "de_DE", "1 234,56": "fr_FR"}
# Date format as the person sees it -> its CLDR pattern.
DATE_FORMATS = {"2026-11-29": "yyyy-MM-dd", "29/11/2026": "dd/MM/yyyy", "11/29/2026": "MM/dd/yyyy"}
# The same patterns for reading what a person types.
_DATE_PARSE = {"2026-11-29": "%Y-%m-%d", "29/11/2026": "%d/%m/%Y", "11/29/2026": "%m/%d/%Y"}


@dataclass(frozen=True)
class Formats:
    """The chosen number and date formats (keys of NUMBER_FORMATS and DATE_FORMATS)."""

    number: str = "1,234.56"
    date: str = "2026-11-29"


DEFAULT = Formats()
_current = DEFAULT


def current() -> Formats:
    """The formats in use in this process."""
    return _current


def use(formats: Formats) -> None:
    """Show numbers and dates in `formats` from now on (after loading or saving them)."""
    global _current
    _current = formats


def load(session: Session) -> Formats:
    """The stored choice (the default when none is stored or it is no longer offered)."""
    number = preferences.get(session, "number_format", DEFAULT.number)
    date = preferences.get(session, "date_format", DEFAULT.date)
    return Formats(
        number if number in NUMBER_FORMATS else DEFAULT.number,
        date if date in DATE_FORMATS else DEFAULT.date,
    )


def save(session: Session, number: str, date: str) -> Formats:
    """Store the choice; InputError naming the field when a format is not offered.

    The caller passes the result to `use` once the transaction has committed.
    """
    if number not in NUMBER_FORMATS:
        raise InputError("number_format", "Choose one of the number formats")
    if date not in DATE_FORMATS:
        raise InputError("date_format", "Choose one of the date formats")
    preferences.put(session, "number_format", number)
    preferences.put(session, "date_format", date)
    return Formats(number, date)


@cache
def _pattern(digits: int, grouping: bool) -> NumberPattern:
    decimals = "." + "0" * digits if digits else ""
    return parse_pattern(("#,##0" if grouping else "0") + decimals)


@cache
def _locale(number: str) -> Locale:
    return Locale.parse(NUMBER_FORMATS[number])


def number(value: Decimal, digits: int, *, grouping: bool = True) -> str:
    """A non-negative `value` with `digits` decimals in the chosen format (`1.234,56`)."""
    return str(_pattern(digits, grouping).apply(value, _locale(_current.number)))


def symbol_first() -> bool:
    """Whether the currency symbol goes before the number (`€1,234.56`, not `1.234,56 €`)."""
    return _current.number == "1,234.56"


def decimal_separator() -> str | None:
    """The decimal separator typed amounts must use, or None for the default's rules
    (either separator, refusing amounts like `1.500` that read two ways)."""
    if _current.number == DEFAULT.number:
        return None
    return ","


def date(day: dt.date) -> str:
    """A date in the chosen format (`29/11/2026`)."""
    if _current.date == DEFAULT.date:
        return day.isoformat()
    return str(format_date(day, DATE_FORMATS[_current.date], locale="en"))


def span(start: dt.date, end: dt.date) -> str:
    """A period from `start` to `end` in the chosen format (`01/12/2025 – 30/11/2026`)."""
    return f"{date(start)} – {date(end)}"


def date_mask() -> str:
    """The chosen date format as a placeholder and date-picker mask (`DD/MM/YYYY`)."""
    return DATE_FORMATS[_current.date].upper()


def parse_date(text: str, today: dt.date | None = None) -> dt.date:
    """A date typed in the chosen format, or in ISO (unambiguous in every format), within
    `periods.check_date`'s bounds; ValueError with a readable message otherwise."""
    text = text.strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        try:
            day = dt.datetime.strptime(text, _DATE_PARSE[_current.date]).date()
        except ValueError:
            raise ValueError(f'"{text}" is not a valid date (use {date_mask()})') from None
    return periods.check_date(day, today)
