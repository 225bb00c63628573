"""The reporting currency, and exact conversion of minor units between currencies.

The reporting currency is the person's choice in Settings. Until they choose, it is the
currency most transactions of the last 90 days (before the newest one) are booked in (ties:
the alphabetically first): a recent window keeps the rule cheap at a million rows. Without
transactions it is the currency most accounts use, else the default currency for new
accounts, else EUR. It is its own setting: changing the currency for new accounts does not
relabel any figure.

Rounding: a conversion is an exact Decimal quotient (40 significant digits); converted amounts
are added exactly and rounded half-even to the reporting currency's minor unit once per figure
a report shows (a category in a month, a month's income, an account's balance). Larger totals
add those rounded figures, so a report's rows always add up to its totals.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import defaultdict
from collections.abc import Hashable
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import money, preferences
from fintrack.models import Account, Rate, Transaction
from fintrack.rates import PIVOT, RateRow, RatesError, check_code, ensure_seeded, rates_on

REPORTING_KEY = "reporting_currency"
RECENT_DAYS = 90
# Enough digits that no realistic amount times a rate loses a cent before the final rounding.
_EXACT = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN)


def most_used_currency(session: Session) -> str | None:
    """The currency most recent transactions are in, else the one most accounts use."""
    newest = session.scalar(select(func.max(Transaction.date)))
    if newest is None:
        return session.scalar(
            select(Account.currency)
            .group_by(Account.currency)
            .order_by(func.count().desc(), Account.currency)
            .limit(1)
        )
    return session.scalar(
        select(Account.currency)
        .join(Transaction, Transaction.account_id == Account.id)
        .where(Transaction.date > newest - dt.timedelta(days=RECENT_DAYS))
        .group_by(Account.currency)
        .order_by(func.count().desc(), Account.currency)
        .limit(1)
    )


def reporting_currency(session: Session) -> str:
    """The currency every total is shown in (see the module's rule)."""
    chosen = preferences.get(session, REPORTING_KEY)
    if chosen:
        return chosen
    return most_used_currency(session) or preferences.default_currency(session)


def set_reporting_currency(session: Session, code: str) -> str:
    """Remember the reporting currency; RatesError unless it is a three-letter code."""
    code = check_code(code)
    preferences.put(session, REPORTING_KEY, code)
    return code


def needs_rates(session: Session, target: str | None = None) -> bool:
    """Whether any account is in another currency than `target` (the reporting one)."""
    target = target or reporting_currency(session)
    other = select(Account.id).where(Account.currency != target).limit(1)
    return session.scalar(other) is not None


def prepare(session: Session) -> str:
    """The reporting currency, after loading the shipped ECB history on first need: when some
    account is in another currency and no rate at all is stored yet (normally the start-up
    refresh has done it already)."""
    target = reporting_currency(session)
    if needs_rates(session, target) and session.scalar(select(Rate.currency).limit(1)) is None:
        ensure_seeded(session)
    return target


def rates_in_use(session: Session, day: dt.date) -> list[RateRow]:
    """The rates in force on `day` for the accounts' currencies and the reporting currency."""
    used = set(session.scalars(select(Account.currency).distinct()))
    used.add(reporting_currency(session))
    return [row for row in rates_on(session, day) if row.currency in used]


def factor(from_rate: Decimal, to_rate: Decimal) -> Decimal:
    """Units of the target currency per unit of the source, both rates being per 1 EUR."""
    return _EXACT.divide(to_rate, from_rate)


def convert(minor: int, source: str, target: str, from_rate: Decimal, to_rate: Decimal) -> Decimal:
    """`minor` units of `source` in minor units of `target`, exact (not yet rounded)."""
    shift = money.minor_digits(target) - money.minor_digits(source)
    return _EXACT.multiply(Decimal(minor), factor(from_rate, to_rate)).scaleb(shift, _EXACT)


def round_minor(value: Decimal) -> int:
    """Round exact minor units half-even to a whole number: the one rounding of a figure."""
    return int(value.to_integral_value(rounding=decimal.ROUND_HALF_EVEN))


def cross_rate(from_rate: Decimal, to_rate: Decimal) -> Decimal:
    """A cross rate for display: ten significant digits, trailing zeros dropped."""
    rounded = decimal.Context(prec=10, rounding=decimal.ROUND_HALF_EVEN).divide(to_rate, from_rate)
    return _plain(rounded)


def implied_rate(amount: int, currency: str, other_amount: int, other_currency: str) -> Decimal:
    """Units of `other_currency` one unit of `currency` bought, from both sides of a transfer."""
    if amount == 0:
        raise RatesError("a transfer of zero implies no rate")
    major = money.to_decimal(abs(amount), currency)
    other = money.to_decimal(abs(other_amount), other_currency)
    return _plain(decimal.Context(prec=10).divide(other, major))


def _plain(value: Decimal) -> Decimal:
    """A Decimal without trailing zeros and without an exponent (`1.1E+2` becomes `110`)."""
    normal = value.normalize()
    # A finite Decimal has an int exponent ("n", "N" and "F" mark NaN and infinity).
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


K = TypeVar("K", bound=Hashable)


class Totals(Generic[K]):
    """Converted amounts added exactly per key, rounded once per key at the end.

    Amounts whose currency (or the target) has no rate are kept out and their currency named
    in `unconverted`, so a total never guesses.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self.unconverted: set[str] = set()
        self._sums: dict[K, Decimal] = defaultdict(Decimal)

    def add(
        self,
        key: K,
        minor: int,
        source: str,
        from_rate: Decimal | None,
        to_rate: Decimal | None,
    ) -> None:
        """Add `minor` units of `source`; the rates are per 1 EUR (None: none known)."""
        if minor == 0:
            # Nothing to convert: a balance of zero before the first rate needs no rate.
            self._sums.setdefault(key, Decimal(0))
            return
        if source == self.target:
            self._sums[key] = _EXACT.add(self._sums[key], minor)
            return
        from_rate = Decimal(1) if source == PIVOT else from_rate
        to_rate = Decimal(1) if self.target == PIVOT else to_rate
        if from_rate is None:
            self.unconverted.add(source)
            return
        if to_rate is None:
            self.unconverted.add(self.target)
            return
        value = convert(minor, source, self.target, Decimal(from_rate), Decimal(to_rate))
        self._sums[key] = _EXACT.add(self._sums[key], value)

    def rounded(self) -> dict[K, int]:
        """Each key's figure, rounded half-even once."""
        return {key: round_minor(value) for key, value in self._sums.items()}


def set_original_amount(
    session: Session, transaction_id: int, minor: int | None, code: str | None
) -> None:
    """Keep what the receipt said beside a booked transaction (a USD purchase on a EUR card);
    None for both forgets it.

    `minor` is in minor units of `code`, with the booked amount's sign; the booked amount stays
    the truth every total uses. RatesError, naming `original_amount` or `original_currency`, on
    a code equal to the account's or a wrong sign.
    """
    row = session.get(Transaction, transaction_id)
    if row is None:
        raise RatesError(f"there is no transaction {transaction_id}")
    if minor is None and not code:
        row.original_amount = row.original_currency = None
        session.flush()
        return
    if minor is None:
        raise RatesError("Enter the amount in the other currency.", "original_amount")
    code = check_code(code or "", "original_currency")
    if code == row.account.currency:
        raise RatesError(
            f"the account is already in {code}: there is no other amount to keep",
            "original_currency",
        )
    if minor == 0 or (minor < 0) != (row.amount < 0):
        raise RatesError(
            "the original amount moves the same way as the booked one", "original_amount"
        )
    row.original_amount, row.original_currency = minor, code
    session.flush()


def original_of(session: Session, transaction_id: int) -> tuple[int | None, str | None]:
    """The original amount and currency kept on a transaction (None, None without one)."""
    row = session.get(Transaction, transaction_id)
    if row is None:
        return None, None
    return row.original_amount, row.original_currency


def rate_text(amount: int, code: str, other_amount: int, other_code: str) -> str:
    """The rate two amounts imply, as a person reads it: `1 USD = 0.914074 EUR` (six
    significant digits); empty when either amount is zero."""
    if not amount or not other_amount:
        return ""
    rate = decimal.Context(prec=6).plus(implied_rate(amount, code, other_amount, other_code))
    return f"1 {code} = {_plain(rate)} {other_code}"
