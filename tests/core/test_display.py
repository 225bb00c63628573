"""Number and date formats chosen in Settings: what is shown and how typed amounts are read."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from fintrack import display, export, money
from fintrack.errors import InputError
from tests import builders as build

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("number", "minor", "currency", "shown"),
    [
        ("1,234.56", -123456, "EUR", "-€1,234.56"),
        ("1,234.56", 100000001, "USD", "$1,000,000.01"),
        ("1,234.56", 1234, "SEK", "SEK 12.34"),
        ("1.234,56", -123456, "EUR", f"-1.234,56{NBSP}€"),
        ("1.234,56", 1234567, "JPY", f"1.234.567{NBSP}¥"),
        ("1.234,56", 1234567, "KWD", f"1.234,567{NBSP}KWD"),
        ("1 234,56", 123456, "EUR", f"1{NNBSP}234,56{NBSP}€"),
        ("1 234,56", -5, "CHF", f"-0,05{NBSP}CHF"),
    ],
)
def test_amounts_are_shown_in_the_chosen_format(
    number: str, minor: int, currency: str, shown: str
) -> None:
    display.use(display.Formats(number=number))
    assert money.format_amount(minor, currency) == shown


@pytest.mark.parametrize(
    ("number", "typed", "minor"),
    [
        ("1.234,56", "12,50", 1250),
        ("1.234,56", "1.234,56", 123456),
        ("1.234,56", "1.500", 150000),
        ("1 234,56", "1 234,5", 123450),
        ("1 234,56", f"1{NNBSP}500", 150000),
        ("1,234.56", "12.50", 1250),
        ("1,234.56", "12,50", 1250),
    ],
)
def test_typed_amounts_are_read_in_the_chosen_format(number: str, typed: str, minor: int) -> None:
    display.use(display.Formats(number=number))
    assert money.parse_size(typed, "EUR", display.decimal_separator()) == minor


def test_the_default_still_refuses_an_amount_that_reads_two_ways() -> None:
    with pytest.raises(money.MoneyError, match=r"could mean 1500 or 1\.5"):
        money.parse_size("1.500", "EUR", display.decimal_separator())


def test_with_a_comma_format_a_dot_decimal_is_refused_not_misread() -> None:
    display.use(display.Formats(number="1.234,56"))
    with pytest.raises(money.MoneyError, match="separators do not make sense"):
        money.parse_size("12.50", "EUR", display.decimal_separator())


@given(
    st.sampled_from(list(display.NUMBER_FORMATS)),
    st.integers(min_value=-(10**13), max_value=10**13),
)
def test_what_an_input_shows_reads_back_as_the_same_amount(number: str, minor: int) -> None:
    display.use(display.Formats(number=number))
    try:
        text = money.format_input(minor)
        assert money.parse_amount(text, "EUR", display.decimal_separator()) == minor
    finally:
        display.use(display.DEFAULT)


@pytest.mark.parametrize(
    ("date", "shown"),
    [("2026-11-29", "2026-03-04"), ("29/11/2026", "04/03/2026"), ("11/29/2026", "03/04/2026")],
)
def test_dates_are_shown_in_the_chosen_format(date: str, shown: str) -> None:
    display.use(display.Formats(date=date))
    assert display.date(dt.date(2026, 3, 4)) == shown


def test_the_choice_is_stored_refused_when_unknown_and_defaults_when_absent(
    session: Session,
) -> None:
    assert display.load(session) == display.DEFAULT
    with pytest.raises(InputError) as refused:
        display.save(session, "1_234.56", "2026-11-29")
    assert refused.value.field == "number_format"
    display.save(session, "1 234,56", "29/11/2026")
    session.commit()
    assert display.load(session) == display.Formats("1 234,56", "29/11/2026")


def test_exports_stay_machine_formats_whatever_the_choice(session: Session) -> None:
    build.entry(session, build.account(session), -123456, dt.date(2026, 3, 4))
    session.commit()
    display.use(display.Formats("1.234,56", "29/11/2026"))
    out = io.StringIO()
    export.export_transactions_csv(session, out)
    text = out.getvalue()
    assert "2026-03-04" in text and "-1234.56" in text
    assert "1.234,56" not in text and "04/03/2026" not in text


@pytest.mark.parametrize(
    ("date", "typed", "day"),
    [
        ("2026-11-29", "2026-02-01", dt.date(2026, 2, 1)),
        ("29/11/2026", "01/02/2026", dt.date(2026, 2, 1)),
        ("29/11/2026", "1/2/2026", dt.date(2026, 2, 1)),
        ("29/11/2026", "2026-02-01", dt.date(2026, 2, 1)),
        ("11/29/2026", "01/02/2026", dt.date(2026, 1, 2)),
        ("11/29/2026", " 2026-01-02 ", dt.date(2026, 1, 2)),
    ],
)
def test_typed_dates_are_read_in_the_chosen_format_or_iso(
    date: str, typed: str, day: dt.date
) -> None:
    display.use(display.Formats(date=date))
    assert display.parse_date(typed) == day
    assert display.parse_date(display.date(day)) == day


@pytest.mark.parametrize(
    ("date", "typed", "message"),
    [
        ("2026-11-29", "01/02/2026", r"not a valid date \(use YYYY-MM-DD\)"),
        ("29/11/2026", "02/30/2026", r"not a valid date \(use DD/MM/YYYY\)"),
        ("11/29/2026", "30/02/2026", r"not a valid date \(use MM/DD/YYYY\)"),
        ("29/11/2026", "01/02/1200", "outside the dates fintrack keeps"),
    ],
)
def test_an_unreadable_typed_date_says_which_format_to_use(
    date: str, typed: str, message: str
) -> None:
    display.use(display.Formats(date=date))
    with pytest.raises(ValueError, match=message):
        display.parse_date(typed)


def test_a_period_is_shown_in_the_chosen_format() -> None:
    span = dt.date(2025, 12, 1), dt.date(2026, 11, 30)
    assert display.span(*span) == "2025-12-01 – 2026-11-30"
    display.use(display.Formats(date="29/11/2026"))
    assert display.span(*span) == "01/12/2025 – 30/11/2026"
