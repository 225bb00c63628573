"""Accounts: create, edit, archive, delete; balances, net worth and the running-balance register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy import Row, Select, case, delete, func, select, update
from sqlalchemy.orm import Session, aliased

from fintrack import money, periods, words
from fintrack.categories import CategoryTree
from fintrack.errors import InputError
from fintrack.models import (
    ACCOUNT_KINDS,
    LIABILITY_KINDS,
    Account,
    Split,
    Transaction,
    TransactionTag,
)

KIND_LABELS = {
    "checking": "Checking",
    "savings": "Savings",
    "credit_card": "Credit card",
    "cash": "Cash",
    "investment": "Investment",
    "loan": "Loan",
    "other_asset": "Other asset",
    "other_liability": "Other liability",
}
REGISTER_PAGE_SIZE = 50


class AccountError(InputError):
    """Input a person can fix; `field` names the form field the message belongs next to."""


@dataclass
class AccountInput:
    """What a person types to create or edit an account. Money in minor units."""

    name: str
    kind: str = "checking"
    currency: str = "EUR"
    opening_balance: int = 0
    opening_date: dt.date | None = None
    institution: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class AccountBalance:
    """An account with its current balance (opening balance plus every transaction)."""

    id: int
    name: str
    kind: str
    currency: str
    institution: str | None
    archived: bool
    opening_balance: int
    opening_date: dt.date | None
    notes: str | None
    balance: int
    transactions: int

    @property
    def is_liability(self) -> bool:
        return self.kind in LIABILITY_KINDS


@dataclass(frozen=True)
class RegisterRow:
    """One transaction in an account's register, with the balance right after it."""

    id: int
    date: dt.date
    payee: str
    category: str
    amount: int
    balance: int
    cleared: bool
    notes: str | None
    # A purchase's original amount, or the other side of a transfer between currencies.
    other_amount: int | None = None
    other_currency: str | None = None


@dataclass(frozen=True)
class RegisterPage:
    """One page of the register, newest first."""

    rows: list[RegisterRow]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _clean(session: Session, data: AccountInput, account_id: int | None = None) -> AccountInput:
    name = " ".join((data.name or "").split())
    if not name:
        raise AccountError("name", "Give the account a name")
    if len(name) > 120:
        raise AccountError("name", "Use at most 120 characters")
    taken = select(Account.id).where(func.lower(Account.name) == name.lower())
    if account_id is not None:
        taken = taken.where(Account.id != account_id)
    if session.scalar(taken.limit(1)) is not None:
        raise AccountError("name", f'An account named "{name}" already exists')
    if data.kind not in ACCOUNT_KINDS:
        raise AccountError("kind", "Choose a kind of account")
    currency = money.check_currency(data.currency or "")
    if not isinstance(data.opening_balance, int) or isinstance(data.opening_balance, bool):
        raise AccountError("opening_balance", "The opening balance is not an amount")
    try:
        money.check_bounds(data.opening_balance, currency)
        if data.opening_date is not None:
            periods.check_date(data.opening_date)
    except money.MoneyError as error:
        message = f"The opening balance is too large: {error}"
        raise AccountError("opening_balance", message) from None
    except ValueError as error:
        raise AccountError("opening_date", str(error)) from None
    return AccountInput(
        name=name,
        kind=data.kind,
        currency=currency,
        opening_balance=data.opening_balance,
        opening_date=data.opening_date,
        institution=(data.institution or "").strip()[:120] or None,
        notes=(data.notes or "").strip() or None,
    )


def create_account(session: Session, data: AccountInput) -> int:
    """Add an account; AccountError names the field when the input cannot be used."""
    clean = _clean(session, data)
    account = Account(**vars(clean))
    session.add(account)
    session.flush()
    return account.id


def _get(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError("name", "That account no longer exists")
    return account


def update_account(session: Session, account_id: int, data: AccountInput) -> None:
    """Change an account's details.

    The currency is a fact once the account holds transactions: their amounts were booked
    in it, and a new currency would silently rescale them (9.99 EUR becoming 999 JPY).
    """
    account = _get(session, account_id)
    clean = _clean(session, data, account_id)
    if clean.currency != account.currency:
        count = transaction_count(session, account_id)
        if count:
            raise AccountError(
                "currency",
                f"The account holds {words.count(count, 'transaction')} booked in "
                f"{account.currency}, so its currency stays. To continue in {clean.currency}, "
                "archive this account and open a new one.",
            )
    for key, value in vars(clean).items():
        setattr(account, key, value)
    session.flush()


def archive_account(session: Session, account_id: int, archived: bool = True) -> None:
    """Hide an account from pickers and lists (or bring it back); its history stays."""
    _get(session, account_id).archived = archived
    session.flush()


def transaction_count(session: Session, account_id: int) -> int:
    """How many transactions the account holds (what deleting it would remove)."""
    count = select(func.count()).select_from(Transaction)
    return session.scalar(count.where(Transaction.account_id == account_id)) or 0


@dataclass(frozen=True)
class AccountUsage:
    """What deleting an account touches: its transactions, and how many of them are one side
    of a transfer whose other side lives in another account."""

    transactions: int
    transfers: int


def usage(session: Session, account_id: int) -> AccountUsage:
    """Counts for the confirmation of deleting the account, in one query."""
    transfer = case((Transaction.transfer_id.is_not(None), 1), else_=0)
    count, transfers = session.execute(
        select(func.count(), func.coalesce(func.sum(transfer), 0)).where(
            Transaction.account_id == account_id
        )
    ).one()
    return AccountUsage(int(count), int(transfers))


def delete_account(
    session: Session, account_id: int, keep_other_sides: bool | None = None
) -> AccountUsage:
    """Delete an account and all its transactions; returns what went.

    When it holds transfer sides the caller must say what becomes of their other sides (in
    other accounts): `keep_other_sides=True` keeps them as plain amounts, False deletes them
    too. Without a choice AccountError asks for one.
    """
    account = _get(session, account_id)
    counts = usage(session, account_id)
    if counts.transfers and keep_other_sides is None:
        raise AccountError(
            "transfers",
            f"{account.name} holds {words.count(counts.transfers, 'transfer')} with other "
            "accounts: choose whether their other sides are deleted too or kept as plain amounts",
        )
    own = select(Transaction.id).where(Transaction.account_id == account_id)
    others = select(Transaction.transfer_id).where(
        Transaction.account_id == account_id, Transaction.transfer_id.is_not(None)
    )
    session.flush()
    if not keep_other_sides:
        _delete_rows(session, others)
    # The other sides that stay become plain amounts: nothing may point at a deleted row.
    session.execute(update(Transaction).where(Transaction.id.in_(others)).values(transfer_id=None))
    _delete_rows(session, own)
    session.delete(_get(session, account_id))
    session.flush()
    session.expire_all()
    return counts


def _delete_rows(session: Session, ids: Select[int] | Select[int | None]) -> None:
    """Delete the transactions selected by `ids` with their split lines and tags."""
    session.execute(delete(Split).where(Split.transaction_id.in_(ids)))
    session.execute(delete(TransactionTag).where(TransactionTag.transaction_id.in_(ids)))
    session.execute(update(Transaction).where(Transaction.id.in_(ids)).values(transfer_id=None))
    session.execute(delete(Transaction).where(Transaction.id.in_(ids)))


def balances(
    session: Session, include_archived: bool = True, account_id: int | None = None
) -> list[AccountBalance]:
    """Every account (or just `account_id`) with its current balance, from one GROUP BY
    query; sorted by name."""
    totals = select(
        Transaction.account_id,
        func.sum(Transaction.amount).label("total"),
        func.count().label("n"),
    ).group_by(Transaction.account_id)
    if account_id is not None:
        totals = totals.where(Transaction.account_id == account_id)
    sums = totals.subquery()
    query = (
        select(Account, func.coalesce(sums.c.total, 0), func.coalesce(sums.c.n, 0))
        .outerjoin(sums, sums.c.account_id == Account.id)
        .order_by(Account.archived, func.lower(Account.name))
    )
    if not include_archived:
        query = query.where(Account.archived.is_(False))
    if account_id is not None:
        query = query.where(Account.id == account_id)
    return [
        AccountBalance(
            id=a.id,
            name=a.name,
            kind=a.kind,
            currency=a.currency,
            institution=a.institution,
            archived=a.archived,
            opening_balance=a.opening_balance,
            opening_date=a.opening_date,
            notes=a.notes,
            balance=a.opening_balance + int(total),
            transactions=int(n),
        )
        for a, total, n in session.execute(query).all()
    ]


def get_account(session: Session, account_id: int) -> AccountBalance | None:
    """One account with its balance, or None."""
    return next(iter(balances(session, account_id=account_id)), None)


def net_worth(session: Session) -> dict[str, int]:
    """Sum of all balances per currency: liabilities (negative balances) reduce it.

    Different currencies are never added together.
    """
    return net_worth_of(balances(session))


def net_worth_of(listed: list[AccountBalance]) -> dict[str, int]:
    """`net_worth` from balances already loaded (every account, archived ones too).

    A currency whose accounts add up to zero (an account tried once, an emptied one abroad) is
    left out; when every currency is at zero, the first account's shows the zero."""
    totals: dict[str, int] = {}
    for account in listed:
        totals[account.currency] = totals.get(account.currency, 0) + account.balance
    shown = {code: total for code, total in sorted(totals.items()) if total}
    return shown or ({listed[0].currency: 0} if listed else {})


def _sum_of_first(session: Session, account_id: int, count: int, newest: bool) -> int:
    """The sum of the account's `count` newest (or oldest) transactions."""
    if count <= 0:
        return 0
    order = (Transaction.date, Transaction.id)
    edge = (
        select(Transaction.amount)
        .where(Transaction.account_id == account_id)
        .order_by(*(c.desc() for c in order) if newest else order)
        .limit(count)
        .subquery()
    )
    return int(session.scalar(select(func.coalesce(func.sum(edge.c.amount), 0))) or 0)


def account_register(
    session: Session, account_id: int, page: int = 1, page_size: int = REGISTER_PAGE_SIZE
) -> RegisterPage:
    """A page of the account's transactions, newest first, each with the running balance.

    Paginated in SQL; the balance is SUM(amount) OVER (ORDER BY date, id) over the page plus
    the sum of everything older. That sum comes from the shorter side: the rows older than
    the page, or the account's total minus the rows newer than the page.
    """
    account = _get(session, account_id)
    page = max(1, page)
    offset = (page - 1) * page_size
    total, total_sum = session.execute(
        select(func.count(), func.coalesce(func.sum(Transaction.amount), 0)).where(
            Transaction.account_id == account_id
        )
    ).one()
    window = (
        select(
            Transaction.id,
            Transaction.date,
            Transaction.payee,
            Transaction.amount,
            Transaction.category_id,
            Transaction.is_split,
            Transaction.transfer_id,
            Transaction.cleared,
            Transaction.notes,
            Transaction.original_amount,
            Transaction.original_currency,
        )
        .where(Transaction.account_id == account_id)
        .order_by(Transaction.date.desc(), Transaction.id.desc())
        .limit(page_size)
        .offset(offset)
        .subquery()
    )
    other = aliased(Transaction)
    other_account = aliased(Account)
    query = (
        select(
            window,
            func.sum(window.c.amount).over(order_by=(window.c.date, window.c.id)).label("running"),
            other_account.name.label("other_account"),
            other.amount.label("other_amount"),
            other_account.currency.label("other_currency"),
        )
        .outerjoin(other, other.id == window.c.transfer_id)
        .outerjoin(other_account, other_account.id == other.account_id)
        .order_by(window.c.date.desc(), window.c.id.desc())
    )
    rows = session.execute(query).all()
    older = total - offset - len(rows)
    if older < offset:
        before = _sum_of_first(session, account_id, older, newest=False)
    elif rows:
        newer = _sum_of_first(session, account_id, offset, newest=True)
        before = int(total_sum) - newer - int(rows[0].running)
    else:
        before = 0
    paths = CategoryTree.load(session).paths() if rows else {}
    lines = _split_lines(session, [r.id for r in rows if r.is_split], paths, account.currency)
    return RegisterPage(
        rows=[
            RegisterRow(
                id=r.id,
                date=r.date,
                payee=r.payee,
                category=lines.get(r.id) or _category_text(r, paths),
                amount=r.amount,
                balance=account.opening_balance + before + int(r.running),
                cleared=r.cleared,
                notes=r.notes,
                **_other_side(r, account.currency),
            )
            for r in rows
        ],
        page=page,
        page_size=page_size,
        total=int(total),
    )


def _split_lines(
    session: Session, ids: list[int], paths: dict[int, str], currency: str
) -> dict[int, str]:
    """What each split of a page is made of: `Split: Food › Groceries -€30.00, Home -€20.00`."""
    parts: dict[int, list[str]] = {}
    query = (
        select(Split.transaction_id, Split.category_id, Split.amount)
        .where(Split.transaction_id.in_(ids))
        .order_by(Split.transaction_id, Split.id)
    )
    for transaction_id, category_id, amount in session.execute(query) if ids else ():
        name = paths.get(category_id, "") if category_id else "Uncategorized"
        parts.setdefault(transaction_id, []).append(
            f"{name} {money.format_amount(amount, currency)}"
        )
    return {i: "Split: " + ", ".join(lines) for i, lines in parts.items()}


class _OtherSide(TypedDict):
    other_amount: int | None
    other_currency: str | None


def _other_side(row: Row[Any], currency: str) -> _OtherSide:
    if row.other_currency and row.other_currency != currency:
        return {"other_amount": row.other_amount, "other_currency": row.other_currency}
    return {"other_amount": row.original_amount, "other_currency": row.original_currency}


def _category_text(row: Row[Any], paths: dict[int, str]) -> str:
    if row.transfer_id is not None:
        return f"Transfer · {row.other_account}" if row.other_account else "Transfer"
    if row.is_split:
        return "Split"
    return paths.get(row.category_id, "") if row.category_id else ""


@dataclass(frozen=True)
class AccountChoice:
    """An account as pickers show it."""

    id: int
    name: str
    currency: str
    archived: bool


def account_choices(session: Session, open_only: bool = False) -> list[AccountChoice]:
    """Every account (or only the open ones), open ones first, by name."""
    query = select(Account.id, Account.name, Account.currency, Account.archived).order_by(
        Account.archived, func.lower(Account.name)
    )
    if open_only:
        query = query.where(Account.archived.is_(False))
    return [AccountChoice(*row) for row in session.execute(query)]
