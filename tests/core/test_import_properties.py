"""Property tests: amounts and dates written the way banks write them read back exactly."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from fintrack import imports

# Zero is left out: a zero row is refused (its own test), like a zero in the forms.
AMOUNTS = st.lists(st.integers(-(10**10), 10**10).filter(lambda m: m != 0), min_size=1, max_size=15)
DATES = st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)), min_size=1, max_size=15)


def _grouped(minor: int, thousands: str, decimal: str) -> str:
    whole, cents = divmod(abs(minor), 100)
    return f"{whole:,}".replace(",", thousands) + f"{decimal}{cents:02d}"


STYLES = {
    "us": lambda m: ("-" if m < 0 else "") + _grouped(m, ",", "."),
    "de": lambda m: ("-" if m < 0 else "") + _grouped(m, ".", ","),
    "fr": lambda m: ("-" if m < 0 else "") + _grouped(m, "\u00a0", ","),
    "accounting": lambda m: f"(${_grouped(m, ',', '.')})" if m < 0 else f"${_grouped(m, ',', '.')}",
    "trailing": lambda m: _grouped(m, ".", ",") + ("-" if m < 0 else ""),
    "plain": lambda m: ("-" if m < 0 else "") + f"{abs(m) // 100}.{abs(m) % 100:02d}",
}


@settings(max_examples=60, deadline=None)
@given(amounts=AMOUNTS, style=st.sampled_from(sorted(STYLES)))
def test_amounts_read_back_exactly_in_every_bank_style(amounts: list[int], style: str) -> None:
    delimiter = "," if style in {"plain"} else ";"
    lines = ["Date;Payee;Amount".replace(";", delimiter)]
    lines += [f'2026-01-02{delimiter}Shop{delimiter}"{STYLES[style](m)}"' for m in amounts]
    parsed = imports.read("\n".join(lines).encode(), "a.csv", "EUR")
    assert parsed.errors == []
    assert [row.amount for row in parsed.rows] == amounts


DATE_STYLES = {
    "iso": lambda d: d.isoformat(),
    "dmy": lambda d: d.strftime("%d/%m/%Y"),
    "mdy": lambda d: d.strftime("%m/%d/%Y"),
    "dotted": lambda d: d.strftime("%d.%m.%Y"),
    "dotted_short": lambda d: d.strftime("%d.%m.%y"),
    "text": lambda d: f"{d.strftime('%b')} {d.day}, {d.year}",
}


@settings(max_examples=60, deadline=None)
@given(days=DATES, style=st.sampled_from(sorted(DATE_STYLES)))
def test_dates_read_back_exactly_when_any_row_settles_the_order(
    days: list[dt.date], style: str
) -> None:
    if style == "dotted_short":
        days = [d for d in days if 1970 <= d.year <= 2069] or [dt.date(2026, 1, 1)]
    # The 25th of a month settles day-first versus month-first, as a real month of rows does.
    days = [*days, dt.date(2026, 3, 25)]
    lines = ["Date,Payee,Amount"] + [f'"{DATE_STYLES[style](d)}",Shop,1.00' for d in days]
    parsed = imports.read("\n".join(lines).encode(), "a.csv", "EUR")
    assert parsed.errors == []
    assert [row.date for row in parsed.rows] == days
    assert parsed.doubts == []


@settings(max_examples=40, deadline=None)
@given(days=st.lists(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 12)), min_size=1, max_size=8))
def test_ambiguous_dates_either_read_right_or_say_so(days: list[dt.date]) -> None:
    days = [d.replace(day=min(d.day, 12)) for d in days]
    lines = ["Date,Payee,Amount"] + [f"{d:%d/%m/%Y},Shop,1.00" for d in days]
    parsed = imports.read("\n".join(lines).encode(), "a.csv", "EUR")
    read_right = [row.date for row in parsed.rows] == days
    assert read_right or any("day-first or month-first" in d for d in parsed.doubts)
