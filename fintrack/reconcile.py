"""Reconciliation: the bank's balance at a date against the account's cleared transactions.

The difference is the bank's balance minus the opening balance and every cleared
transaction up to that date; uncleared ones up to that date are what may explain it.
When the difference is zero, those cleared transactions become reconciled: they carry the
statement date, and changing them later needs the person's explicit consent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from fintrack import db, money
from fintrack.errors import InputError
from fintrack.imports.model import Balance
from fintrack.models import LIABILITY_KINDS, Account, Transaction

UNCLEARED_LIMIT = 200


class ReconcileError(InputError):
    """A reconciliation that cannot be done as asked."""


@dataclass(frozen=True)
class Uncleared:
    """A transaction up to the statement date the bank may not have seen yet."""

    id: int
    date: dt.date
    payee: str
    amount: int


@dataclass(frozen=True)
class Reconciliation:
    """The comparison the person sees before committing (amounts in minor units)."""

    account_id: int
    account: str
    currency: str
    date: dt.date
    statement: int
    cleared_balance: int
    uncleared: list[Uncleared]
    uncleared_count: int
    uncleared_total: int
    to_reconcile: int

    @property
    def difference(self) -> int:
        """The bank's balance minus the cleared balance: zero means they agree."""
        return self.statement - self.cleared_balance

    def describe(self) -> str:
        """One line: both balances and the difference, in the account's currency."""

        def fmt(minor: int) -> str:
            return money.format_amount(minor, self.currency)

        return (
            f"{self.account} on {self.date.isoformat()}: the bank says {fmt(self.statement)}; "
            f"cleared in fintrack {fmt(self.cleared_balance)}; "
            f"difference {fmt(self.difference)}"
        )


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise ReconcileError("account", "That account no longer exists.")
    return account


def statement_amount(account: Account, typed: int) -> int:
    """A typed statement balance as a signed balance: liabilities are typed as the amount owed."""
    return -typed if account.kind in LIABILITY_KINDS else typed


def _up_to(account_id: int, on: dt.date) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (Transaction.account_id == account_id, Transaction.date <= on)


def reconciliation(
    session: Session, account_id: int, statement: int, on: dt.date
) -> Reconciliation:
    """Compare the bank's signed balance `statement` at `on` with the cleared transactions.

    Sums in one query; lists the newest UNCLEARED_LIMIT uncleared transactions up to `on`.
    """
    account = _account(session, account_id)
    sums = select(
        func.coalesce(func.sum(Transaction.amount).filter(Transaction.cleared.is_(True)), 0),
        func.count().filter(Transaction.cleared.is_(False)),
        func.coalesce(func.sum(Transaction.amount).filter(Transaction.cleared.is_(False)), 0),
        func.count().filter(Transaction.cleared.is_(True), Transaction.reconciled_on.is_(None)),
    ).where(*_up_to(account_id, on))
    cleared, uncleared_count, uncleared_total, to_reconcile = session.execute(sums).one()
    rows = session.execute(
        select(Transaction.id, Transaction.date, Transaction.payee, Transaction.amount)
        .where(*_up_to(account_id, on), Transaction.cleared.is_(False))
        .order_by(Transaction.date.desc(), Transaction.id.desc())
        .limit(UNCLEARED_LIMIT)
    )
    return Reconciliation(
        account.id,
        account.name,
        account.currency,
        on,
        statement,
        account.opening_balance + int(cleared),
        [Uncleared(*row) for row in rows],
        int(uncleared_count),
        int(uncleared_total),
        int(to_reconcile),
    )


def mark_cleared(session: Session, account_id: int, ids: Iterable[int], cleared: bool) -> None:
    """Tick (or untick) transactions as seen on the statement while reconciling."""
    session.execute(
        update(Transaction)
        .where(
            Transaction.account_id == account_id,
            Transaction.id.in_(list(ids)),
            Transaction.reconciled_on.is_(None),
        )
        .values(cleared=cleared)
    )


def commit(session: Session, account_id: int, statement: int, on: dt.date) -> int:
    """Mark the cleared transactions up to `on` reconciled; only when the difference is zero.

    Returns how many became reconciled; raises ReconcileError naming the difference otherwise.
    """
    result = reconciliation(session, account_id, statement, on)
    if result.difference:
        raise ReconcileError(
            "balance",
            f"the difference is {money.format_amount(result.difference, result.currency)}; "
            "nothing was reconciled",
        )
    done = session.execute(
        update(Transaction)
        .where(
            *_up_to(account_id, on),
            Transaction.cleared.is_(True),
            Transaction.reconciled_on.is_(None),
        )
        # Reconciling is not an edit: updated_at keeps telling undo what a person changed.
        .values(reconciled_on=on, updated_at=Transaction.updated_at)
    )
    session.flush()
    return db.rowcount(done)


def balance_on(session: Session, account_id: int, on: dt.date) -> int:
    """The account's balance at the end of `on`: opening balance plus every transaction."""
    account = _account(session, account_id)
    total = session.scalar(
        select(func.coalesce(func.sum(Transaction.amount), 0)).where(*_up_to(account_id, on))
    )
    return account.opening_balance + int(total or 0)


def balance_check(session: Session, account_id: int, stated: Balance) -> str:
    """The bank's balance from an imported file against fintrack's, as one sentence."""
    account = _account(session, account_id)
    ours = balance_on(session, account_id, stated.date)

    def fmt(minor: int) -> str:
        return money.format_amount(minor, account.currency, symbol=False)

    if ours == stated.amount:
        return (
            f"the bank's balance of {fmt(stated.amount)} on {stated.date.isoformat()} "
            "agrees with fintrack"
        )
    return (
        f"the bank says {fmt(stated.amount)} on {stated.date.isoformat()}; "
        f"fintrack says {fmt(ours)}"
    )
