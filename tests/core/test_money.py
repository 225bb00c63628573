"""Exact money: parsing what people and banks write, formatting one way."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fintrack import money

cents = st.integers(min_value=-(10**13), max_value=10**13)


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("1,234.56", 123456),
        ("1.234,56", 123456),
        ("1 234,56", 123456),
        ("1\u00a0234,56", 123456),
        ("-12.00", -1200),
        ("(12.00)", -1200),
        ("12.00-", -1200),
        ("+5", 500),
        ("€ 9,99", 999),
        ("$1,000,000.01", 100000001),
        ("EUR -3.5", -350),
        ("12,5", 1250),
        ("0.01", 1),
    ],
)
def test_parse_amount(text: str, minor: int) -> None:
    assert money.parse_amount(text) == minor


@pytest.mark.parametrize("text", ["12,3.4", "abc", "", "1.2.3,4,5", "1,2345.6", "0.001", "--5"])
def test_bad_amounts_say_why(text: str) -> None:
    with pytest.raises(money.MoneyError) as error:
        money.parse_amount(text)
    assert str(error.value)


def test_currency_minor_units() -> None:
    assert money.parse_amount("1,234", "JPY") == 1234
    assert money.format_amount(1234, "JPY") == "¥1,234"
    assert money.format_amount(-123456, "EUR") == "-€1,234.56"
    assert money.format_amount(5, "SEK") == "SEK 0.05"


@given(cents)
def test_plain_format_round_trips(minor: int) -> None:
    assert money.parse_amount(money.format_plain(minor)) == minor


@given(cents)
def test_display_format_round_trips(minor: int) -> None:
    assert money.parse_amount(money.format_amount(minor, "USD"), "USD") == minor


@given(cents, st.sampled_from([".", ","]))
def test_grouped_amounts_with_known_separator(minor: int, decimal_sep: str) -> None:
    thousands = "," if decimal_sep == "." else "."
    text = f"{money.to_decimal(minor):,.2f}".replace(",", "_").replace(".", decimal_sep)
    text = text.replace("_", thousands)
    assert money.parse_amount(text, decimal_sep=decimal_sep) == minor


@given(st.text(max_size=20))
def test_parsing_arbitrary_text_never_crashes(text: str) -> None:
    try:
        result = money.parse_amount(text)
    except money.MoneyError:
        return
    assert isinstance(result, int)


def test_decimal_conversion_is_exact() -> None:
    assert money.to_decimal(10, "EUR") == Decimal("0.10")
    assert money.to_minor(Decimal("0.10")) == 10
    with pytest.raises(money.MoneyError):
        money.to_minor(Decimal("0.105"))


@pytest.mark.parametrize("text", ["99999999999999999999", "1000000000000.01", "-2e3"])
def test_absurd_amounts_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(money.MoneyError) as error:
        money.parse_amount(text)
    assert str(error.value).startswith(f'"{text}"')


def test_the_largest_amount_fits_a_bigint() -> None:
    assert money.parse_amount("1000000000000") == 10**14
    assert money.max_minor("KWD") < 2**63


@pytest.mark.parametrize("text", ["1.500", "1,500", "12.000", "1,000"])
def test_one_separator_and_three_digits_is_refused_when_the_format_is_unknown(text: str) -> None:
    with pytest.raises(money.MoneyError, match="could mean"):
        money.parse_amount(text)


@pytest.mark.parametrize(
    ("text", "decimal_sep", "minor"),
    [("1.500", ",", 150000), ("1,500", ".", 150000), ("1.500", ".", 150), ("1,500", ",", 150)],
)
def test_a_known_number_format_settles_it(text: str, decimal_sep: str, minor: int) -> None:
    assert money.parse_amount(text, decimal_sep=decimal_sep) == minor


def test_three_decimals_that_do_not_fit_can_only_be_grouping() -> None:
    assert money.parse_amount("1.234") == 123400
    assert money.parse_amount("1,234", "JPY") == 1234


def test_a_typed_size_is_positive_and_not_zero() -> None:
    assert money.parse_size("50") == 5000
    assert money.signed(5000, money.OUT) == -5000
    assert money.signed(5000, money.IN) == 5000
    for text in ("-50", "(50)", "50-", "0", "0.00"):
        with pytest.raises(money.MoneyError):
            money.parse_size(text)


def test_currency_codes() -> None:
    assert money.is_currency("EUR") and money.is_currency("JPY")
    assert not money.is_currency("XYZ") and not money.is_currency("eur")
