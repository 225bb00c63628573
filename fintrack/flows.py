"""Income and expense sums in SQL, per account currency or converted into one currency.

The building blocks every report, the dashboard and budgets sum with: which lines count
(transfers never do; split lines count in their own categories), and one GROUP BY that
returns (currency, category, kind, month, signed sum) rows. Converted sums look each day's
rate up in SQL (the nearest earlier rate) and are rounded in `fintrack.currency.Totals`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CTE, case, false, func, null, select, true, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Subquery

from fintrack import rates
from fintrack.currency import Totals
from fintrack.models import Account, Category, Split, Transaction
from fintrack.net_worth import sql_month

# A row of `flow_sums`: (currency, category id, kind, month index, signed sum).
SumRow = tuple[str, int | None, str, int | None, int]


@dataclass(frozen=True)
class ReportFilters:
    """Which lines a report looks at: dates from `start` to `end` (both included, None is
    open-ended) in the given accounts (None or empty means every account)."""

    start: dt.date | None = None
    end: dt.date | None = None
    account_ids: tuple[int, ...] | None = None


def not_transfer() -> ColumnElement[bool]:
    """The one test that leaves transfers out of income and expenses.

    Written as `coalesce(transfer_id, 0) = 0` rather than `IS NULL`: SQLite would take the
    transfer_id index for `IS NULL` (nearly every row matches it) instead of the date index
    that narrows a period down (three times slower for a month at 20k rows). PostgreSQL keeps
    statistics on the expression (migration 0008), so its row estimates stay right.
    """
    return func.coalesce(Transaction.__table__.c.transfer_id, 0) == 0


def transaction_filters(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """Which transactions count: no transfers, within the dates and accounts."""
    t = Transaction.__table__.c
    conditions: list[ColumnElement[bool]] = [not_transfer()]
    if filters.start:
        conditions.append(t.date >= filters.start)
    if filters.end:
        conditions.append(t.date <= filters.end)
    if filters.account_ids:
        conditions.append(t.account_id.in_(filters.account_ids))
    return conditions


def lines(filters: ReportFilters) -> Subquery:
    """The lines that count as income or spending, with (date, account_id, category_id,
    amount): unsplit transactions plus split lines (each in its own category), transfers
    left out. Every report, budget and total sums these."""
    t = Transaction.__table__.c
    s = Split.__table__.c
    conditions = transaction_filters(filters)
    plain = select(t.date, t.account_id, t.category_id, t.amount).where(
        *conditions, t.is_split == false()
    )
    split = (
        select(t.date, t.account_id, s.category_id, s.amount)
        .join_from(Split.__table__, Transaction.__table__, s.transaction_id == t.id)
        .where(*conditions, t.is_split == true())
    )
    return union_all(plain, split).subquery("lines")


@dataclass
class Sums:
    """Rows of `flow_sums`, and the currencies that could not be converted (left out of them)."""

    rows: list[SumRow]
    unconverted: list[str]
    # The same sums before conversion, in each account currency.
    originals: list[SumRow]


def flow_sums(
    session: Session,
    filters: ReportFilters,
    *,
    by_category: bool = True,
    by_month: bool = False,
    currency: str | None = None,
) -> Sums:
    """Income and expense rows of (currency, category id, kind, month index, signed sum).

    Lines are first summed per account, category and month, so the joins to accounts and
    categories only touch those few sums, not every line. With `currency`, every row is in that
    currency: lines of accounts in other currencies are summed per day and converted at that
    day's rate (the nearest earlier one), looked up in SQL once per currency and day.
    """
    foreign: list[int] = []
    if currency:
        foreign = list(session.scalars(select(Account.id).where(Account.currency != currency)))
    counted = lines(filters)
    incoming = case((counted.c.amount > 0, 1), else_=0)
    # Only uncategorized lines need their direction: it decides income or expense.
    direction = case((counted.c.category_id.is_(None), incoming), else_=0).label("incoming")
    inner_columns = [counted.c.account_id, counted.c.category_id, direction]
    if by_month:
        inner_columns.append(sql_month(counted.c.date).label("month"))
    if foreign:
        inner_columns.append(
            case((counted.c.account_id.in_(foreign), counted.c.date), else_=null()).label("day")
        )
    inner = (
        select(*inner_columns, func.sum(counted.c.amount).label("amount"))
        .group_by(*inner_columns)
        .subquery("sums")
    )
    kind = case(
        (Category.kind.is_not(None), Category.kind),
        (inner.c.incoming == 1, "income"),
        else_="expense",
    ).label("kind")
    groups: list[ColumnElement[Any]] = [Account.currency.label("currency"), kind]
    if by_category:
        groups.append(inner.c.category_id.label("category_id"))
    if by_month:
        groups.append(inner.c.month.label("month"))
    if foreign:
        groups.append(inner.c.day.label("day"))
    query = (
        select(*groups, func.sum(inner.c.amount).label("amount"))
        .select_from(inner)
        .join(Account, Account.id == inner.c.account_id)
        .outerjoin(Category, Category.id == inner.c.category_id)
        .group_by(*groups)
    )
    if not foreign:
        rows = [_sum_row(row, by_category, by_month) for row in session.execute(query)]
        return Sums(rows, [], rows)
    return _converted(session, query.cte("grouped"), currency or "", by_category, by_month)


def _sum_row(row: Sequence[Any], by_category: bool, by_month: bool) -> SumRow:
    currency_code, kind_value, *rest, total = row
    category_id = rest.pop(0) if by_category else None
    month_value = int(rest.pop(0)) if by_month else None
    return (currency_code, category_id, kind_value, month_value, int(total))


def _converted(
    session: Session, grouped: CTE, target: str, by_category: bool, by_month: bool
) -> Sums:
    """Sums of `grouped` (per currency, ..., day) converted into `target`, rounded once each."""
    days = (
        select(grouped.c.currency, grouped.c.day)
        .where(grouped.c.day.is_not(None))
        .distinct()
        .subquery("days")
    )
    to_rate = rates.rate_sql(target, days.c.day) if target != rates.PIVOT else null()
    rated = select(
        days.c.currency,
        days.c.day,
        rates.rate_sql(days.c.currency, days.c.day).label("from_rate"),
        to_rate.label("to_rate"),
    ).subquery("rated")
    keys = [c for c in grouped.c if c.name not in ("currency", "day", "amount")]
    query = (
        select(
            grouped.c.currency,
            *keys,
            rated.c.from_rate,
            rated.c.to_rate,
            func.sum(grouped.c.amount),
        )
        .select_from(grouped)
        .outerjoin(rated, (rated.c.currency == grouped.c.currency) & (rated.c.day == grouped.c.day))
        .group_by(grouped.c.currency, *keys, rated.c.from_rate, rated.c.to_rate)
    )
    totals: Totals[tuple[Any, ...]] = Totals(target)
    originals: dict[tuple[Any, ...], int] = defaultdict(int)
    for source, *key, from_rate, to_rate, amount in session.execute(query):
        totals.add(tuple(key), int(amount), source, from_rate, to_rate)
        originals[(source, *key)] += int(amount)
    rows = [
        _sum_row((target, *group, total), by_category, by_month)
        for group, total in totals.rounded().items()
    ]
    before = [_sum_row((*key, total), by_category, by_month) for key, total in originals.items()]
    return Sums(rows, sorted(totals.unconverted), before)
