"""Test data through the core, as the app would make it: one builder per entity.

Each takes an open session and flushes (the caller commits when a test needs it), so what
a test builds passes the same checks as what a person types; nothing is linked by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from fintrack import accounts, categories, db, transactions

DAY = dt.date(2026, 1, 5)
T = TypeVar("T")


def account(
    s: Session,
    name: str = "Checking",
    currency: str = "EUR",
    opening: int = 0,
    kind: str = "checking",
    opened: dt.date | None = None,
) -> int:
    """An account; `opening` is its opening balance in minor units."""
    return accounts.create_account(
        s, accounts.AccountInput(name, kind, currency, opening, opening_date=opened)
    )


def category(s: Session, path: str, kind: str | None = None) -> int:
    """The category at `path` ("Food › Groceries"), made with its parents where missing."""
    known = {option.path: option.id for option in categories.options(s)}
    parent: int | None = None
    names: list[str] = []
    for name in path.split(categories.SEPARATOR):
        names.append(name)
        key = categories.SEPARATOR.join(names)
        if key not in known:
            known[key] = categories.create_category(
                s, name, parent, kind if parent is None else None
            )
        parent = known[key]
    assert parent is not None
    return parent


def entry(
    s: Session,
    account_id: int,
    amount: int,
    day: dt.date = DAY,
    payee: str = "Shop",
    category_id: int | None = None,
    **extra: Any,
) -> int:
    """A transaction of `amount` minor units, signed as stored (negative: money out)."""
    data = transactions.TransactionInput(
        account_id, day, amount, payee, category_id=category_id, **extra
    )
    return transactions.create_transaction(s, data)


def spend(
    s: Session,
    account_id: int,
    amount: int,
    day: dt.date = DAY,
    payee: str = "Shop",
    category_id: int | None = None,
    **extra: Any,
) -> int:
    """Money out: `amount` is what was spent (positive minor units)."""
    return entry(s, account_id, -amount, day, payee, category_id, **extra)


def transfer(
    s: Session, source: int, target: int, amount: int, day: dt.date = DAY, **extra: Any
) -> tuple[int, int]:
    """`amount` (positive) moved from `source` to `target`: the (out, in) ids, linked."""
    return transactions.create_transfer(s, source, target, day, amount, **extra)


def split(
    s: Session,
    account_id: int,
    lines: list[tuple[int | None, int]],
    day: dt.date = DAY,
    payee: str = "Shop",
    **extra: Any,
) -> int:
    """One transaction over several categories: `lines` are (category id, signed amount)."""
    parts = [transactions.SplitInput(category_id, amount) for category_id, amount in lines]
    total = sum(amount for _, amount in lines)
    return entry(s, account_id, total, day, payee, splits=parts, **extra)


def saved(make: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`make(session, *args, **kwargs)` in a session of its own, committed: for page tests,
    whose app reads the database through its own sessions."""
    with db.session() as s:
        return make(s, *args, **kwargs)
