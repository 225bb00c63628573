"""Reading a CSV row's money: the booked amount (one column and an optional debit/credit
indicator, or separate debit and credit columns) and, when the bank gives it, the original
amount and currency of a purchase made in another currency."""

from __future__ import annotations

import re
from collections.abc import Callable

from fintrack import money
from fintrack.imports.csv_words import CREDIT_WORDS, DEBIT_WORDS, normalize
from fintrack.imports.model import original

EMPTY = -1
_CODE = re.compile(r"\b([A-Za-z]{3})\b")


def _reader(sep: str, currency: str) -> Callable[[str], int]:
    """Amount text to minor units; ValueError with the reason when it is no amount."""
    # Bank files repeat amounts (rent, subscriptions, fares): read each distinct text once.
    known: dict[str, int] = {}

    def number(text: str) -> int:
        value = known.get(text)
        if value is not None:
            return value
        try:
            value = known[text] = money.parse_amount(text, currency, decimal_sep=sep)
        except money.MoneyError as error:
            raise ValueError(str(error)) from None
        return value

    return number


def amount_reader(columns: dict[str, int], sep: str, currency: str) -> Callable[[list[str]], int]:
    """A function reading a padded row's amount from one column (and an indicator) or two."""
    number = _reader(sep, currency)
    if columns["debit"] != EMPTY and columns["credit"] != EMPTY:
        debit_col, credit_col = columns["debit"], columns["credit"]

        def from_two(cells: list[str]) -> int:
            debit, credit = cells[debit_col].strip(), cells[credit_col].strip()
            if not debit and not credit:
                raise ValueError("neither a debit nor a credit amount")
            return (abs(number(credit)) if credit else 0) - (abs(number(debit)) if debit else 0)

        return from_two

    amount_col, indicator_col = columns["amount"], columns["indicator"]

    def from_one(cells: list[str]) -> int:
        value = number(cells[amount_col])
        if indicator_col == EMPTY:
            return value
        word = normalize(cells[indicator_col]) or cells[indicator_col].strip()
        if word in DEBIT_WORDS:
            return -abs(value)
        if word in CREDIT_WORDS:
            return abs(value)
        raise ValueError(f'"{cells[indicator_col]}" is neither debit nor credit')

    return from_one


Original = tuple[int | None, str | None]


def original_reader(
    columns: dict[str, int], sep: str, currency: str
) -> Callable[[list[str], int], Original]:
    """A function reading a padded row's original amount and currency, given the booked amount.

    The currency comes from its own column or from the amount cell (`15.00 USD`); an amount
    without any currency is not kept (it cannot be told from one in the account's currency).
    """
    amount_col, code_col = columns["original_amount"], columns["original_currency"]

    def read(cells: list[str], booked: int) -> Original:
        text = cells[amount_col].strip()
        if amount_col == EMPTY or not text:
            return None, None
        found = _CODE.search(text)
        code = cells[code_col].strip().upper() or (found.group(1).upper() if found else "")
        if not code:
            return None, None
        try:
            minor = money.parse_amount(text, code if money.is_currency(code) else "EUR", sep)
        except money.MoneyError as error:
            raise ValueError(f"original amount: {error}") from None
        return original(booked, minor, code, currency)

    return read
