"""Net worth: account balances at month ends, per currency or converted into one.

Balances are opening balances plus running sums, computed in SQL. A converted balance uses
the rate in force on its valuation day (a month's last day, or the cut-off day), so net
worth over time moves with rates; `fx_effect` says how much of a month's change came from
rates alone (last month's balances revalued at this month's rates).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, cast, extract, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from fintrack import currency as fx
from fintrack import periods
from fintrack.models import LIABILITY_KINDS, Account, Transaction
from fintrack.rates import RateBook


@dataclass(frozen=True)
class NetWorthPoint:
    """Balances at the end of a month: assets, liabilities (usually negative) and their sum.

    In a converted series `fx_effect` is the part of the change since the month before that
    came from exchange rates alone.
    """

    month: dt.date
    assets: int
    liabilities: int
    fx_effect: int = 0

    @property
    def net_worth(self) -> int:
        return self.assets + self.liabilities


@dataclass(frozen=True)
class AccountValue:
    """One account's balance on a day, and in the reporting currency (None: no rate)."""

    name: str
    currency: str
    balance: int
    converted: int | None
    rate: Decimal | None
    rate_date: dt.date | None


@dataclass(frozen=True)
class NetWorth:
    """Net worth on a day in one currency, account by account."""

    date: dt.date
    currency: str
    net_worth: int
    accounts: list[AccountValue]
    unconverted: list[str]


@dataclass(frozen=True)
class _Balances:
    """Each account's balance at every month end of a span."""

    id: int
    name: str
    kind: str
    currency: str
    values: list[int]


def month_index(day: dt.date) -> int:
    """Months since year 0, the integer form SQL groups months by."""
    return day.year * 12 + day.month - 1


def sql_month(column: ColumnElement[dt.date]) -> ColumnElement[int]:
    """`month_index` in SQL."""
    year = cast(extract("year", column), Integer)
    return year * 12 + cast(extract("month", column), Integer) - 1


def _balances(session: Session, months: list[dt.date], end: dt.date) -> list[_Balances]:
    """Every account's balance at each month's end (or `end`, if earlier).

    Two plain sums per account, both read from the (account, date, amount) index alone:
    everything before the first month, then each day of the span (grouped in index order,
    no per-row month arithmetic); the running balances are added up from those sums.
    """
    t = Transaction.__table__.c
    first = months[0]
    before = select(t.account_id, func.sum(t.amount)).where(t.date < first).group_by(t.account_id)
    within = (
        select(t.account_id, t.date, func.sum(t.amount))
        .where(t.date >= first, t.date <= end)
        .group_by(t.account_id, t.date)
    )
    opening_sums: dict[int, int] = {
        account_id: int(total) for account_id, total in session.execute(before)
    }
    monthly: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for account_id, day, total in session.execute(within):
        monthly[account_id][month_index(day)] += int(total)
    result = []
    accounts = session.execute(
        select(
            Account.id,
            Account.name,
            Account.kind,
            Account.currency,
            Account.opening_balance,
            Account.opening_date,
        ).order_by(Account.name)
    )
    for account_id, name, kind, code, opening, opening_date in accounts:
        balance, values = int(opening_sums.get(account_id) or 0), []
        sums = monthly.get(account_id, {})
        for m in months:
            balance += sums.get(month_index(m), 0)
            opened = opening_date is None or opening_date <= min(periods.month_end(m), end)
            values.append(balance + (opening if opened else 0))
        result.append(_Balances(account_id, name, kind, code, values))
    return result


def net_worth_series(
    session: Session,
    first: dt.date,
    last: dt.date,
    cutoff: dt.date | None = None,
    currency: str | None = None,
) -> dict[str, list[NetWorthPoint]]:
    """Month-end assets and liabilities from `first`'s month to `last`'s month, per currency.

    With `currency`, one series in that currency: each balance converted at its valuation
    day's rate. `cutoff` stops counting at that day (for a month still in progress).
    """
    series, _unconverted = _series(session, first, last, cutoff, currency)
    return series


@dataclass(frozen=True)
class ConvertedSeries:
    """A net worth series in one currency, what had no rate, and the last day in detail."""

    points: list[NetWorthPoint]
    unconverted: list[str]
    latest: NetWorth


def net_worth_series_in(
    session: Session, first: dt.date, last: dt.date, cutoff: dt.date | None, currency: str
) -> ConvertedSeries:
    """`net_worth_series` converted into `currency`, the currencies that had no rate, and the
    last valuation day account by account (as `net_worth_at` gives it), from one query."""
    months = periods.months_between(periods.month_start(first), periods.month_start(last))
    end = cutoff or periods.month_end(months[-1])
    balances = _balances(session, months, end)
    days = [min(periods.month_end(m), end) for m in months]
    book = RateBook(session, {a.currency for a in balances} | {currency}, days[0], days[-1])
    points, unconverted = _converted(book, balances, months, days, currency)
    latest = _worth_on(book, [(a, a.values[-1]) for a in balances], days[-1], currency)
    return ConvertedSeries(points, unconverted, latest)


def _series(
    session: Session,
    first: dt.date,
    last: dt.date,
    cutoff: dt.date | None,
    currency: str | None,
) -> tuple[dict[str, list[NetWorthPoint]], list[str]]:
    if currency:
        converted = net_worth_series_in(session, first, last, cutoff, currency)
        return {currency: converted.points}, converted.unconverted
    months = periods.months_between(periods.month_start(first), periods.month_start(last))
    end = cutoff or periods.month_end(months[-1])
    balances = _balances(session, months, end)
    totals: dict[str, dict[tuple[int, bool], int]] = defaultdict(lambda: defaultdict(int))
    for account in balances:
        for i, value in enumerate(account.values):
            totals[account.currency][(i, account.kind in LIABILITY_KINDS)] += value
    return {
        code: [NetWorthPoint(m, sums[(i, False)], sums[(i, True)]) for i, m in enumerate(months)]
        for code, sums in totals.items()
    }, []


def _converted(
    book: RateBook,
    balances: list[_Balances],
    months: list[dt.date],
    days: list[dt.date],
    target: str,
) -> tuple[list[NetWorthPoint], list[str]]:
    totals: fx.Totals[tuple[Any, ...]] = fx.Totals(target)
    for account in balances:
        previous: tuple[int, Decimal | None, Decimal | None] | None = None
        for i, (value, day) in enumerate(zip(account.values, days, strict=True)):
            from_rate, to_rate = _rate(book, account.currency, day), _rate(book, target, day)
            totals.add((i, account.id), value, account.currency, from_rate, to_rate)
            if previous is not None and previous[0]:
                # Last month's balance at this month's rate minus at last month's rate.
                totals.add((i, account.id, "fx"), previous[0], account.currency, from_rate, to_rate)
                totals.add(
                    (i, account.id, "fx"), -previous[0], account.currency, previous[1], previous[2]
                )
            previous = (value, from_rate, to_rate)
    # Rounded once per account and month, then added: the same figures `net_worth_at` shows.
    liabilities = {a.id for a in balances if a.kind in LIABILITY_KINDS}
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for key, value in totals.rounded().items():
        assert isinstance(key, tuple)
        part = "fx" if len(key) == 3 else "liabilities" if key[1] in liabilities else "assets"
        sums[(key[0], part)] += value
    points = [
        NetWorthPoint(m, sums[(i, "assets")], sums[(i, "liabilities")], sums[(i, "fx")])
        for i, m in enumerate(months)
    ]
    return points, sorted(totals.unconverted)


def _rate(book: RateBook, code: str, day: dt.date) -> Decimal | None:
    found = book.at(code, day)
    return found[0] if found else None


def balances_at(session: Session, day: dt.date) -> dict[str, NetWorthPoint]:
    """Assets and liabilities at the end of `day`, per currency (every account, transfers too)."""
    series = net_worth_series(session, day, day, day)
    return {code: points[-1] for code, points in series.items()}


def net_worth_at(session: Session, day: dt.date, currency: str) -> NetWorth:
    """Net worth at the end of `day` in `currency`, with each account's balance, converted
    balance and the rate used (units of `currency` per unit of the account's) and its date.

    An account whose currency has no rate on or before `day` is left out of the total and
    its currency listed in `unconverted`.
    """
    balances = _balances(session, [periods.month_start(day)], day)
    book = RateBook(session, {a.currency for a in balances} | {currency}, day, day)
    return _worth_on(book, [(a, a.values[0]) for a in balances], day, currency)


def _worth_on(
    book: RateBook, balances: list[tuple[_Balances, int]], day: dt.date, currency: str
) -> NetWorth:
    target = book.at(currency, day)
    accounts, unconverted, total = [], set(), 0
    for account, value in balances:
        source = book.at(account.currency, day)
        if account.currency == currency:
            accounts.append(AccountValue(account.name, currency, value, value, Decimal(1), day))
            total += value
        elif source is None or target is None:
            unconverted.add(account.currency if source is None else currency)
            accounts.append(AccountValue(account.name, account.currency, value, None, None, None))
        else:
            converted = fx.round_minor(
                fx.convert(value, account.currency, currency, source[0], target[0])
            )
            total += converted
            accounts.append(
                AccountValue(
                    account.name,
                    account.currency,
                    value,
                    converted,
                    fx.cross_rate(source[0], target[0]),
                    min(source[1], target[1]),
                )
            )
    return NetWorth(day, currency, total, accounts, sorted(unconverted))
