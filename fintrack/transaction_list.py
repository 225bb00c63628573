"""The transaction list: one page of matching transactions, and their sums per currency.

Everything is computed in SQL: pages are LIMIT/OFFSET with `id` as the tie-breaker, sums are
one GROUP BY per account, added up per currency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from fintrack import categories, money
from fintrack.filters import PAGE_SIZES, TransactionFilters
from fintrack.flows import not_transfer
from fintrack.models import Account, Split, Tag, Transaction, TransactionTag
from fintrack.query import BOUND_DIGITS
from fintrack.search import account_currencies, conditions


@dataclass(frozen=True)
class TransactionRow:
    """One line of the transaction list."""

    id: int
    date: dt.date
    account_id: int
    account: str
    currency: str
    payee: str
    category_id: int | None
    category: str
    amount: int
    notes: str | None
    tags: list[str]
    cleared: bool
    is_split: bool
    transfer_id: int | None
    transfer_account: str | None
    # What a purchase in another currency cost there; a transfer's other side.
    original_amount: int | None = None
    original_currency: str | None = None
    transfer_amount: int | None = None
    transfer_currency: str | None = None


@dataclass(frozen=True)
class TransactionPage:
    """One page of rows and how many rows match in all."""

    rows: list[TransactionRow]
    total: int


@dataclass(frozen=True)
class ListTotals:
    """Sums of the filtered rows in one currency; transfers count in `count` but not in money."""

    currency: str
    count: int
    inflow: int
    outflow: int
    net: int


def _order(sort: str, descending: bool, currencies: dict[int, str]) -> list[Any]:
    # The normalized payee has an index, so sorting by payee stays fast on large ledgers.
    column = {"amount": _comparable_amount(currencies), "payee": Transaction.payee_norm}.get(
        sort, Transaction.date
    )
    columns = [column, Transaction.id]
    return [c.desc() if descending else c.asc() for c in columns]


def _comparable_amount(currencies: dict[int, str]) -> Any:
    """Amounts on one scale across currencies: minor units scaled up to the finest minor unit,
    so 1,000 JPY sorts with 1,000.00 EUR, not with 10.00 EUR. Exact integers, no float."""
    digits = {i: money.minor_digits(c) for i, c in currencies.items()}
    finest = max(digits.values(), default=BOUND_DIGITS)
    factors = {i: 10 ** (finest - d) for i, d in digits.items() if d != finest}
    if not factors:
        return Transaction.amount
    return Transaction.amount * case(factors, value=Transaction.account_id, else_=1)


def list_transactions(
    session: Session,
    filters: TransactionFilters,
    page: int = 1,
    page_size: int = 50,
    sort: str = "date",
    descending: bool = True,
) -> TransactionPage:
    """One page of matching transactions, sorted by date, amount or payee (then by id).

    The page's ids come from a narrow query on `transactions` alone (index-friendly); only
    those rows are then read with their accounts, transfer counterparts and tags.
    """
    where = conditions(session, filters)
    total = session.scalar(select(func.count(Transaction.id)).where(*where)) or 0
    return _page(session, where, int(total), page, page_size, sort, descending)


def find(
    session: Session,
    filters: TransactionFilters,
    page: int = 1,
    page_size: int = 50,
    sort: str = "date",
    descending: bool = True,
) -> tuple[TransactionPage, list[ListTotals]]:
    """`list_transactions` and `summarize` together, as the transaction list shows them: the
    filters become SQL once and the sums' counts give the total, so the matching rows are
    counted once instead of twice."""
    where = conditions(session, filters)
    summaries = _summaries(session, filters, where)
    total = sum(summary.count for summary in summaries)
    return _page(session, where, total, page, page_size, sort, descending), summaries


def _page(
    session: Session,
    where: list[ColumnElement[bool]],
    total: int,
    page: int,
    page_size: int,
    sort: str,
    descending: bool,
) -> TransactionPage:
    page, page_size = max(1, page), max(1, min(page_size, max(PAGE_SIZES)))
    ids = list(
        session.scalars(
            select(Transaction.id)
            .where(*where)
            .order_by(*_order(sort, descending, account_currencies(session)))
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    if not ids:
        return TransactionPage([], total)
    other = aliased(Transaction)
    other_account = aliased(Account)
    found = {
        row[0].id: row
        for row in session.execute(
            select(
                Transaction,
                Account.name,
                Account.currency,
                other_account.name,
                other.amount,
                other_account.currency,
            )
            .join(Account, Account.id == Transaction.account_id)
            .outerjoin(other, other.id == Transaction.transfer_id)
            .outerjoin(other_account, other_account.id == other.account_id)
            .where(Transaction.id.in_(ids))
        )
    }
    tags: dict[int, list[str]] = {}
    pairs = session.execute(
        select(TransactionTag.transaction_id, Tag.name)
        .join(Tag, Tag.id == TransactionTag.tag_id)
        .where(TransactionTag.transaction_id.in_(ids))
        .order_by(func.lower(Tag.name))
    )
    for transaction_id, name in pairs:
        tags.setdefault(transaction_id, []).append(name)
    paths = _category_paths(session, [row[0].category_id for row in found.values()])
    rows = []
    for transaction_id in ids:
        t, account, currency, counterpart, other_amount, other_currency = found[transaction_id]
        rows.append(
            TransactionRow(
                id=t.id,
                date=t.date,
                account_id=t.account_id,
                account=account,
                currency=currency,
                payee=t.payee,
                category_id=t.category_id,
                category=paths.get(t.category_id, "") if t.category_id else "",
                amount=t.amount,
                notes=t.notes,
                tags=tags.get(t.id, []),
                cleared=t.cleared,
                is_split=t.is_split,
                transfer_id=t.transfer_id,
                transfer_account=counterpart,
                original_amount=t.original_amount,
                original_currency=t.original_currency,
                transfer_amount=other_amount,
                transfer_currency=other_currency,
            )
        )
    return TransactionPage(rows, total)


def _category_paths(session: Session, ids: list[int | None]) -> dict[int, str]:
    if not any(ids):
        return {}
    return categories.CategoryTree.load(session).paths()


def summarize(session: Session, filters: TransactionFilters) -> list[ListTotals]:
    """Count, money in, money out and net of the matching rows, per currency.

    A split counts each line by its own direction; with a category filter only its lines in
    that category, as reports do.
    One GROUP BY per account in SQL; the few account lines are then added up per currency.
    """
    return _summaries(session, filters, conditions(session, filters))


def _summaries(
    session: Session, filters: TransactionFilters, where: list[ColumnElement[bool]]
) -> list[ListTotals]:
    # A split counts each line by its own direction (a -60 line and a +10 line are 60 out and
    # 10 in, as reports count them); with a category filter only its lines in the categories.
    lines = select(
        Split.transaction_id,
        func.sum(case((Split.amount > 0, Split.amount), else_=0)).label("line_in"),
        func.sum(case((Split.amount < 0, Split.amount), else_=0)).label("line_out"),
    )
    if filters.category_id is not None:
        lines = lines.where(
            Split.category_id.in_(categories.subtree_ids(session, filters.category_id))
        )
    shares = lines.group_by(Split.transaction_id).subquery()
    plain = and_(not_transfer(), Transaction.is_split.is_(False))
    inflow = func.sum(
        case(
            (Transaction.is_split, func.coalesce(shares.c.line_in, 0)),
            (and_(plain, Transaction.amount > 0), Transaction.amount),
            else_=0,
        )
    )
    outflow = func.sum(
        case(
            (Transaction.is_split, func.coalesce(shares.c.line_out, 0)),
            (and_(plain, Transaction.amount < 0), Transaction.amount),
            else_=0,
        )
    )
    # "+ 0" keeps SQLite from walking the account index row by row: a plain scan is 3x faster.
    account = (Transaction.account_id + 0).label("account")
    query = (
        select(account, func.count(Transaction.id), inflow, outflow)
        .outerjoin(shares, shares.c.transaction_id == Transaction.id)
        .where(*where)
        .group_by(account)
    )
    currencies = account_currencies(session)
    sums: dict[str, list[int]] = {}
    for account_id, count, money_in, money_out in session.execute(query):
        line = sums.setdefault(currencies[account_id], [0, 0, 0])
        line[0] += int(count)
        line[1] += int(money_in or 0)
        line[2] += int(money_out or 0)
    return [
        ListTotals(currency, count, money_in, money_out, money_in + money_out)
        for currency, (count, money_in, money_out) in sorted(sums.items())
    ]
