"""Calendar arithmetic behind filters, budgets and reports."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fintrack import periods

D = dt.date


def test_add_months_clamps_to_month_end() -> None:
    assert periods.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert periods.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert periods.add_months(D(2026, 3, 15), -3) == D(2025, 12, 15)


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 1, 1)), st.integers(-600, 600))
def test_add_months_moves_whole_months(day: dt.date, months: int) -> None:
    moved = periods.add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, periods.month_end(moved).day)


def test_presets() -> None:
    today = D(2026, 3, 10)
    assert periods.preset("this_month", today) == periods.Period(D(2026, 3, 1), D(2026, 3, 31))
    assert periods.preset("last_month", today) == periods.Period(D(2026, 2, 1), D(2026, 2, 28))
    assert periods.preset("this_year", today) == periods.Period(D(2026, 1, 1), D(2026, 12, 31))
    assert periods.preset("last_12_months", today) == periods.Period(D(2025, 4, 1), D(2026, 3, 31))
    assert periods.preset("all", today) == periods.Period(None, None)


def test_months_between() -> None:
    assert periods.months_between(D(2025, 11, 20), D(2026, 2, 1)) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]


def test_impossible_date_is_named() -> None:
    with pytest.raises(ValueError, match='"2026-02-30" is not a valid date'):
        periods.parse_date("2026-02-30")


@pytest.mark.parametrize("text", ["1026-11-28", "0001-01-01", "1899-12-31", "9999-12-31"])
def test_a_typod_year_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="outside the dates fintrack keeps"):
        periods.parse_date(text, today=D(2026, 11, 29))


def test_dates_from_1900_to_fifty_years_ahead() -> None:
    today = D(2026, 11, 29)
    assert periods.parse_date("1900-01-01", today) == periods.EARLIEST
    assert periods.parse_date("2076-11-29", today) == D(2076, 11, 29)
    with pytest.raises(ValueError):
        periods.check_date(D(2076, 11, 30), today)


def test_a_month_in_a_url() -> None:
    assert periods.parse_month("2026-03") == D(2026, 3, 1)
    for text in ("9999-12", "2026-13", "x"):
        with pytest.raises(ValueError):
            periods.parse_month(text)
