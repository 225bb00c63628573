"""Realistic, deterministic demo data: years of a person's accounts, spending and income.

The accounts, categories, budgets and schedules come from `fintrack.demo_catalogue`; the
transactions are built in memory by `fintrack.demo_ledger` and written here in bulk (COPY on
PostgreSQL, Core executemany elsewhere), so 100,000 transactions take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass
from random import Random
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from fintrack import accounts, bulk, categories, demo_ledger, rates
from fintrack.demo_catalogue import ACCOUNTS, BUDGET_SHARES, SCHEDULES, TAGS
from fintrack.errors import FieldError
from fintrack.models import (
    Budget,
    RecurringSchedule,
    Split,
    Tag,
    Transaction,
    TransactionTag,
    table_of,
    utcnow,
)
from fintrack.periods import add_months, month_start
from fintrack.rates import RateBook

MAX_MONTHS = 120
ROWS_PER_MONTH = 120  # a busy household: sets how many years a given row count spans


class DemoError(FieldError):
    """Demo data cannot be loaded; the message says why."""

    FIELD = "transactions"


@dataclass(frozen=True)
class DemoSummary:
    """What `generate` created and how long it took."""

    accounts: int
    transactions: int
    transfers: int
    splits: int
    budgets: int
    schedules: int
    start: dt.date
    end: dt.date
    seconds: float

    @property
    def rows_per_second(self) -> int:
        return int(self.transactions / self.seconds) if self.seconds > 0 else 0


def _account_ids(session: Session, opening: dt.date) -> dict[str, int]:
    existing = {a.name.lower() for a in accounts.balances(session)}
    ids = {}
    for name, kind, code, balance, institution in ACCOUNTS:
        stored = name if name.lower() not in existing else f"{name} (demo)"
        ids[name] = accounts.create_account(
            session,
            accounts.AccountInput(stored, kind, code, balance, opening, institution),
        )
    return ids


def _category_ids(session: Session) -> dict[str, int]:
    categories.ensure_default_tree(session)
    paths = {path: id_ for id_, path in categories.CategoryTree.load(session).paths().items()}
    if "Shopping › Household" not in paths and "Shopping" in paths:
        paths["Shopping › Household"] = categories.create_category(
            session, "Household", paths["Shopping"]
        )
    return paths


def _tag_ids(session: Session) -> dict[str, int]:
    ids = {}
    for name in TAGS:
        tag = session.scalar(select(Tag).where(func.lower(Tag.name) == name))
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
        ids[name] = tag.id
    return ids


def _write(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    progress: bulk.Progress | None = None,
) -> None:
    """Insert rows (dicts with the same keys) in bulk, see `fintrack.bulk`."""
    if rows:
        columns = list(rows[0])
        # One C call per row instead of a generator: a hundred thousand rows add up.
        values = map(operator.itemgetter(*columns), rows)
        bulk.write(session, table, columns, values, progress)


def _insert(
    session: Session,
    ledger: demo_ledger.Ledger,
    tag_ids: dict[str, int],
    progress: Callable[[float], None] | None,
) -> None:
    first_id = (session.scalar(select(func.max(Transaction.id))) or 0) + 1
    ledger.rows.sort(key=lambda row: row["date"])
    stamp = utcnow()
    for offset, row in enumerate(ledger.rows):
        row["id"] = first_id + offset
        row["created_at"] = row["updated_at"] = stamp
    for out, back in ledger.pairs:
        # The later row points at the earlier one now; the earlier one is linked after insert.
        earlier, later = (out, back) if out["id"] < back["id"] else (back, out)
        later["transfer_id"] = earlier["id"]
    total = len(ledger.rows)
    table = table_of(Transaction)
    split_rows = [
        {"transaction_id": row["id"], "category_id": category_id, "amount": amount, "memo": memo}
        for row, category_id, amount, memo in ledger.splits
    ]
    tag_rows = [{"transaction_id": row["id"], "tag_id": tag_ids[tag]} for row, tag in ledger.tags]
    # The ledger is empty (see `generate`): indexes and foreign keys are built once, after.
    with bulk.rebuilt_after(session, [table, table_of(Split), table_of(TransactionTag)]):
        _write(session, table, ledger.rows, progress and (lambda n: progress(0.9 * n / total)))
        if ledger.pairs:
            # Now that both sides exist, the earlier side can point at the later one.
            links = [
                {"row": min(out["id"], back["id"]), "other": max(out["id"], back["id"])}
                for out, back in ledger.pairs
            ]
            session.execute(
                update(table)
                .where(table.c.id == bindparam("row"))
                .values(transfer_id=bindparam("other")),
                links,
            )
        _write(session, table_of(Split), split_rows)
        _write(session, table_of(TransactionTag), tag_rows)
    # Ids were given explicitly: move the sequence past them for later inserts.
    bulk.advance_sequence(session, table)
    if session.get_bind().dialect.name == "postgresql":
        # Fresh statistics: with none, the planner guesses a few hundred split lines and picks
        # plans that take a minute instead of a second at a million rows.
        session.execute(text("ANALYZE transactions, splits, transaction_tags"))
    if progress:
        progress(1.0)


def _budgets(
    session: Session, today: dt.date, cat: dict[str, int], ledger: demo_ledger.Ledger
) -> int:
    monthly = demo_ledger.monthly_spending(ledger)
    months = [add_months(month_start(today), -back) for back in range(3, -1, -1)]
    # Budgets already set for these months are kept: one query, not one per category and month.
    existing = {
        (category_id, month)
        for category_id, month in session.execute(
            select(Budget.category_id, Budget.month).where(Budget.month.in_(months))
        )
    }
    created = 0
    for path, share in BUDGET_SHARES.items():
        category_id = cat.get(path)
        if category_id is None:
            continue
        ids = {cid for name, cid in cat.items() if name == path or name.startswith(path + " › ")}
        typical = max(0, sum(monthly.get(category_id, 0) for category_id in ids))
        amount = demo_ledger.round_up(typical * share // 100, 10_00)
        if amount <= 0:
            continue
        for month in months:
            if (category_id, month) not in existing:
                session.add(Budget(category_id=category_id, month=month, amount=amount))
                created += 1
    session.flush()
    return created


def _schedules(session: Session, today: dt.date, acc: dict[str, int], cat: dict[str, int]) -> int:
    """Recurring items that start with their next due date, so nothing is posted twice, and
    book what the generated history booked last (a raise or a rent increase included)."""
    for name, account, payee, amount, path, day in SCHEDULES:
        latest = session.scalar(
            select(Transaction.amount)
            .where(Transaction.account_id == acc[account], Transaction.payee == payee)
            .order_by(Transaction.date.desc(), Transaction.id.desc())
            .limit(1)
        )
        amount = latest if latest is not None else amount
        due = demo_ledger.day_of(today, day)
        if due <= today:
            due = demo_ledger.day_of(add_months(month_start(today), 1), day)
        session.add(
            RecurringSchedule(
                name=name,
                account_id=acc[account],
                payee=payee,
                amount=amount,
                category_id=cat.get(path),
                interval_unit="month",
                interval_count=1,
                day_of_month=day,
                start_date=due,
                auto_post=True,
                active=True,
            )
        )
    session.flush()
    return len(SCHEDULES)


def has_transactions(session: Session) -> bool:
    """Whether the database holds any transaction (demo data only goes into an empty one)."""
    return session.scalar(select(Transaction.id).limit(1)) is not None


def generate(
    session: Session,
    transactions: int = 5000,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[float], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with `transactions` realistic rows ending `today`.

    The same seed and date give the same data. Raises DemoError when there are
    transactions already. `progress` (optional) receives a fraction from 0 to 1.
    The caller commits the session.
    """
    began = time.perf_counter()
    if transactions < 1:
        raise DemoError("Ask for at least one transaction")
    if has_transactions(session):
        raise DemoError(
            "The database already has transactions; demo data only goes into an empty one"
        )
    today = today or dt.date.today()
    span = min(MAX_MONTHS, max(1, transactions // ROWS_PER_MONTH))
    start = add_months(month_start(today), -(span - 1))
    months = [add_months(start, i) for i in range(span)]
    rng = Random(seed)

    acc = _account_ids(session, start - dt.timedelta(days=1))
    cat = _category_ids(session)
    tag_ids = _tag_ids(session)
    ledger = demo_ledger.Ledger(rng, transactions, today)
    plan = demo_ledger.fixed(ledger, months, acc, cat)
    rates.ensure_seeded(session)
    book = RateBook(session, ["GBP", "USD"], start, today)
    demo_ledger.abroad(ledger, months, acc, cat, book)
    demo_ledger.variable(ledger, start, acc, cat, book)
    demo_ledger.settle(ledger, acc, plan)
    _insert(session, ledger, tag_ids, progress)
    budgets = _budgets(session, today, cat, ledger)
    schedules = _schedules(session, today, acc, cat)
    return DemoSummary(
        accounts=len(acc),
        transactions=len(ledger.rows),
        transfers=len(ledger.pairs),
        splits=len(ledger.splits),
        budgets=budgets,
        schedules=schedules,
        start=start,
        end=today,
        seconds=time.perf_counter() - began,
    )
