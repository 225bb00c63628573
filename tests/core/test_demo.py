"""Demo data: exact size, deterministic, consistent (transfers, splits), refuses a used database."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from fintrack import __main__ as cli
from fintrack import accounts, bulk, currency, dashboard, db, demo, rates, transaction_list
from fintrack.filters import TransactionFilters
from fintrack.models import (
    ACCOUNT_KINDS,
    Account,
    Budget,
    RecurringSchedule,
    Split,
    Tag,
    Transaction,
    TransactionTag,
)

TODAY = dt.date(2026, 11, 26)


def snapshot(session: Session) -> list[tuple]:
    query = (
        select(
            Account.name,
            Transaction.date,
            Transaction.amount,
            Transaction.payee,
            Transaction.category_id,
            Transaction.cleared,
        )
        .join(Account)
        .order_by(Transaction.id)
    )
    return [tuple(row) for row in session.execute(query)]


def wipe(session: Session) -> None:
    for model in (TransactionTag, Split, Transaction, Budget, RecurringSchedule, Account):
        if model is Transaction:
            session.execute(Transaction.__table__.update().values(transfer_id=None))
        session.execute(delete(model))


def schema(session: Session) -> list:
    found = inspect(session.connection())
    return [
        (table, found.get_indexes(table), found.get_foreign_keys(table))
        for table in ("transactions", "splits", "transaction_tags")
    ]


def test_exact_size_every_account_kind_and_consistent_links(session: Session) -> None:
    before = schema(session)
    summary = demo.generate(session, transactions=500, seed=7, today=TODAY)
    session.commit()

    # On PostgreSQL the demo drops indexes and foreign keys for its bulk write, then builds
    # them again: all are back, and they still refuse a split line of no transaction.
    assert schema(session) == before
    with pytest.raises(IntegrityError):
        session.execute(insert(Split).values(transaction_id=10**9, amount=1))
    session.rollback()

    assert summary.transactions == 500
    assert session.scalar(select(func.count()).select_from(Transaction)) == 500
    assert {a.kind for a in accounts.balances(session)} == set(ACCOUNT_KINDS)
    assert session.scalar(select(func.max(Transaction.date))) <= TODAY
    assert session.scalar(select(func.min(Transaction.date))) >= summary.start
    # Transfers: both sides point at each other and cancel out.
    other = aliased(Transaction)
    own_account, other_account = aliased(Account), aliased(Account)
    pairs = session.execute(
        select(
            Transaction.amount,
            other.amount,
            other.transfer_id,
            Transaction.id,
            own_account.currency,
            other_account.currency,
            Transaction.date,
        )
        .join(other, other.id == Transaction.transfer_id)
        .join(own_account, own_account.id == Transaction.account_id)
        .join(other_account, other_account.id == other.account_id)
    ).all()
    assert len(pairs) == 2 * summary.transfers > 0
    assert all(back == own for _a, _b, back, own, *_ in pairs)
    assert all(a == -b for a, b, _back, _own, mine, theirs, _day in pairs if mine == theirs)
    # Euros sent to the pound account arrive at that day's ECB rate (nearest earlier day).
    abroad = [(a, b, day) for a, b, _back, _own, mine, theirs, day in pairs if mine != theirs]
    assert abroad
    for euros, pounds, day in abroad:
        if euros > 0:
            euros, pounds = pounds, euros
        found = rates.RateBook(session, ["GBP"], day, day).at("GBP", day)
        assert found is not None
        expected = currency.convert(-euros, "EUR", "GBP", Decimal(1), found[0])
        assert pounds == currency.round_minor(expected)
    assert {a.currency for a in accounts.balances(session)} == {"EUR", "USD", "GBP"}
    # Split transactions have no category of their own and lines that add up.
    split_sums = session.execute(
        select(Transaction.amount, func.sum(Split.amount), Transaction.category_id)
        .join(Split, Split.transaction_id == Transaction.id)
        .group_by(Transaction.id, Transaction.amount, Transaction.category_id)
    ).all()
    assert split_sums and all(total == lines and cat is None for total, lines, cat in split_sums)
    assert session.scalar(select(func.count()).select_from(Budget)) > 0
    names = set(session.scalars(select(RecurringSchedule.name)))
    assert {"Rent", "Salary", "Phone", "Streaming"} <= names
    assert session.scalar(select(func.min(RecurringSchedule.start_date))) > TODAY
    assert set(session.scalars(select(Tag.name))) >= {"trip"}
    # Money keeps flowing: salary in, rent out, and the checking account is used most.
    payees = set(session.scalars(select(Transaction.payee)))
    assert {"ACME GmbH salary", "City Apartments Ltd"} <= payees
    # The books add up: income covers spending, the wallet is refilled, never overdrawn.
    balances = {b.name: b.balance for b in accounts.balances(session)}
    assert balances["Main checking"] > -1_000_00
    assert balances["Wallet"] >= 0


def test_a_year_abroad_keeps_dollar_receipts_and_converts_fully(session: Session) -> None:
    demo.generate(session, transactions=1200, seed=2, today=TODAY)
    originals = session.execute(
        select(
            Transaction.amount, Transaction.original_amount, Transaction.original_currency
        ).where(Transaction.original_amount.is_not(None))
    ).all()
    # Holidays are in the US: card payments booked in euros keep the dollar amount.
    assert originals and all(code == "USD" and (a < 0) == (o < 0) for a, o, code in originals)
    assert all(abs(o) > abs(a) for a, o, _code in originals)  # a dollar is worth less
    board = dashboard.dashboard(session, "this_month", today=TODAY)
    assert board.currency == "EUR" and board.unconverted == [] and board.converted


def test_same_seed_same_data_other_seed_other_data(session: Session) -> None:
    demo.generate(session, transactions=300, seed=3, today=TODAY)
    first = snapshot(session)
    wipe(session)
    demo.generate(session, transactions=300, seed=3, today=TODAY)
    second = snapshot(session)
    wipe(session)
    demo.generate(session, transactions=300, seed=4, today=TODAY)
    third = snapshot(session)

    assert len(first) == 300
    assert first == second
    assert first != third


def test_refuses_database_with_transactions(session: Session) -> None:
    demo.generate(session, transactions=50, seed=1, today=TODAY)
    with pytest.raises(demo.DemoError, match="already has transactions"):
        demo.generate(session, transactions=50, seed=1, today=TODAY)
    assert session.scalar(select(func.count()).select_from(Transaction)) == 50


def test_demo_command_loads_then_refuses(app_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--transactions", "120", "--seed", "2"]) == 0
    assert "loaded 120 demo transactions" in capsys.readouterr().err
    assert cli.main(["demo", "--transactions", "120"]) == 1
    assert "already has transactions" in capsys.readouterr().err
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transaction)) == 120


def test_bulk_write_keeps_awkward_text_intact(session: Session) -> None:
    """COPY text on PostgreSQL: tabs, newlines and backslashes survive."""
    account = accounts.create_account(session, accounts.AccountInput("Checking"))
    awkward = 'Tab\there, line\nbreak, back\\slash, "quotes", \\N, café'
    row = {
        "id": 1,
        "account_id": account,
        "date": TODAY,
        "amount": -1,
        "payee": awkward,
        "payee_norm": "",
        "category_id": None,
        "notes": None,
        "cleared": True,
        "is_split": False,
        "transfer_id": None,
        "created_at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "updated_at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    }
    bulk.write(session, Transaction.__table__, list(row), [tuple(row.values())])
    stored = session.execute(select(Transaction)).scalar_one()
    assert (stored.payee, stored.notes, stored.cleared, stored.date) == (awkward, None, True, TODAY)


def test_demo_data_as_the_dashboard_loads_it(session: Session) -> None:
    demo.generate(session, transactions=5000, seed=42, today=TODAY)
    session.commit()

    # The README's search example finds what it says.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = re.search(r"```\n(grocer .*)\n```", readme)
    assert example
    found = transaction_list.list_transactions(session, TransactionFilters(text=example.group(1)))
    rows = found.rows
    assert rows
    assert all("ALDI" in row.payee and row.amount < -50_00 and "trip" in row.tags for row in rows)
    # Schedules book what the generated history booked last (rent after its rise, salary).

    for schedule in session.scalars(select(RecurringSchedule)):
        latest = session.scalar(
            select(Transaction.amount)
            .where(
                Transaction.account_id == schedule.account_id,
                Transaction.payee == schedule.payee,
            )
            .order_by(Transaction.date.desc(), Transaction.id.desc())
            .limit(1)
        )
        assert (schedule.name, schedule.amount) == (schedule.name, latest)
