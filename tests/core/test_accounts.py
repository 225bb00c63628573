"""Accounts: validation, balances, net worth, the running-balance register, delete."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from fintrack import accounts, categories
from fintrack.accounts import AccountError, AccountInput
from fintrack.errors import InputError
from fintrack.models import Split, Transaction
from tests import builders as build


def test_balance_is_opening_balance_plus_transactions(session: Session) -> None:
    checking = accounts.create_account(
        session, AccountInput("Checking", opening_balance=100_00, opening_date=dt.date(2026, 1, 1))
    )
    empty = accounts.create_account(session, AccountInput("Empty", opening_balance=5_00))
    build.entry(session, checking, -30_25, dt.date(2026, 1, 2))
    build.entry(session, checking, 1_000_00, dt.date(2026, 1, 3))

    result = {b.name: b for b in accounts.balances(session)}

    assert result["Checking"].balance == 100_00 - 30_25 + 1_000_00
    assert result["Checking"].transactions == 2
    assert result["Empty"].balance == 5_00
    assert result["Empty"].transactions == 0
    assert accounts.get_account(session, empty).balance == 5_00


def test_net_worth_per_currency_with_liabilities(session: Session) -> None:
    checking = accounts.create_account(session, AccountInput("Checking", opening_balance=2_000_00))
    card = accounts.create_account(session, AccountInput("Card", kind="credit_card"))
    accounts.create_account(
        session, AccountInput("Mortgage", kind="loan", opening_balance=-150_000_00)
    )
    accounts.create_account(
        session, AccountInput("US brokerage", kind="investment", currency="usd", opening_balance=7)
    )
    build.entry(session, card, -450_00, dt.date(2026, 2, 1))
    build.entry(session, checking, -10_00, dt.date(2026, 2, 1))

    assert accounts.net_worth(session) == {"EUR": 2_000_00 - 10_00 - 450_00 - 150_000_00, "USD": 7}
    assert accounts.net_worth_of(accounts.balances(session)) == accounts.net_worth(session)
    kinds = {b.name: b.is_liability for b in accounts.balances(session)}
    assert kinds == {"Card": True, "Checking": False, "Mortgage": True, "US brokerage": False}
    # A currency whose accounts add up to zero is not listed.
    accounts.create_account(session, AccountInput("Tried once", currency="GBP"))
    assert set(accounts.net_worth(session)) == {"EUR", "USD"}


def test_duplicate_name_and_bad_currency_name_the_field(session: Session) -> None:
    accounts.create_account(session, AccountInput("Checking"))
    with pytest.raises(AccountError) as error:
        accounts.create_account(session, AccountInput(" checking "))
    assert error.value.field == "name"
    with pytest.raises(InputError) as error:
        accounts.create_account(session, AccountInput("Other", currency="EURO"))
    assert error.value.field == "currency"
    with pytest.raises(AccountError) as error:
        accounts.create_account(session, AccountInput("Other", kind="piggy"))
    assert error.value.field == "kind"


def test_update_and_archive(session: Session) -> None:
    a = accounts.create_account(session, AccountInput("Checking"))
    b = accounts.create_account(session, AccountInput("Savings", kind="savings"))
    with pytest.raises(AccountError):
        accounts.update_account(session, b, AccountInput("Checking"))
    accounts.update_account(
        session, a, AccountInput("Main", currency="CHF", institution="Post", opening_balance=9)
    )
    accounts.archive_account(session, b)
    listed = accounts.balances(session)
    assert [(x.name, x.currency, x.balance, x.archived) for x in listed] == [
        ("Main", "CHF", 9, False),
        ("Savings", "EUR", 0, True),
    ]
    assert [x.name for x in accounts.balances(session, include_archived=False)] == ["Main"]


def _checking_with_a_transfer(session: Session) -> tuple[int, int]:
    checking = accounts.create_account(session, AccountInput("Checking"))
    savings = accounts.create_account(session, AccountInput("Savings", kind="savings"))
    build.transfer(session, checking, savings, 100_00, dt.date(2026, 1, 5))
    build.entry(session, checking, -5_00, dt.date(2026, 1, 6))
    return checking, savings


def test_deleting_an_account_with_transfers_asks_about_their_other_sides(session: Session) -> None:
    checking, _ = _checking_with_a_transfer(session)
    assert accounts.usage(session, checking) == accounts.AccountUsage(transactions=2, transfers=1)

    with pytest.raises(AccountError) as error:
        accounts.delete_account(session, checking)

    assert error.value.field == "transfers"
    assert "1 transfer" in error.value.message
    assert accounts.transaction_count(session, checking) == 2


def test_delete_keeping_the_other_sides_leaves_plain_amounts(session: Session) -> None:
    checking, _ = _checking_with_a_transfer(session)

    gone = accounts.delete_account(session, checking, keep_other_sides=True)

    assert gone == accounts.AccountUsage(transactions=2, transfers=1)
    assert [b.name for b in accounts.balances(session)] == ["Savings"]
    remaining = session.scalars(select(Transaction)).all()
    assert [(t.amount, t.transfer_id) for t in remaining] == [(100_00, None)]


def test_delete_with_the_other_sides_removes_whole_transfers(session: Session) -> None:
    checking, savings = _checking_with_a_transfer(session)

    accounts.delete_account(session, checking, keep_other_sides=False)

    assert session.scalars(select(Transaction)).all() == []
    assert accounts.get_account(session, savings).balance == 0


def test_currency_is_a_fact_once_the_account_has_transactions(session: Session) -> None:
    account = accounts.create_account(session, AccountInput("Checking", currency="EUR"))
    build.entry(session, account, -9_99, dt.date(2026, 1, 5))

    with pytest.raises(AccountError) as error:
        accounts.update_account(session, account, AccountInput("Checking", currency="JPY"))

    assert error.value.field == "currency"
    assert "archive this account and open a new one" in error.value.message
    shown = accounts.get_account(session, account)
    assert (shown.currency, shown.balance) == ("EUR", -9_99)


@pytest.mark.parametrize("code", ["XYZ", "EURO", "E1R", "ABC"])
def test_only_iso_4217_currencies(session: Session, code: str) -> None:
    with pytest.raises(InputError) as error:
        accounts.create_account(session, AccountInput("Odd", currency=code))
    assert error.value.field == "currency"
    assert accounts.create_account(session, AccountInput("Yen", currency="jpy"))


def test_opening_balance_and_date_are_bounded(session: Session) -> None:
    with pytest.raises(AccountError) as error:
        accounts.create_account(session, AccountInput("Big", opening_balance=10**18))
    assert error.value.field == "opening_balance"
    with pytest.raises(AccountError) as error:
        accounts.create_account(session, AccountInput("Old", opening_date=dt.date(1026, 11, 28)))
    assert error.value.field == "opening_date"


def test_register_running_balance_across_pages(session: Session) -> None:
    account = accounts.create_account(session, AccountInput("Checking", opening_balance=1_000))
    other = accounts.create_account(session, AccountInput("Other"))
    food = categories.create_category(session, "Food")
    start = dt.date(2025, 12, 1)
    # 120 rows over 60 days, two per day, inserted out of date order.
    rows = [
        {"account_id": account, "date": start + dt.timedelta(days=i // 2), "amount": i + 1}
        for i in reversed(range(120))
    ]
    session.execute(insert(Transaction), rows)
    build.entry(session, other, 5, start)
    build.entry(session, account, -7, start, category_id=food)

    first = accounts.account_register(session, account, page=1, page_size=50)
    last = accounts.account_register(session, account, page=3, page_size=50)

    assert first.total == 121 and first.pages == 3
    assert len(first.rows) == 50 and len(last.rows) == 21
    # Newest first: the top row's balance is the account's current balance.
    assert first.rows[0].balance == 1_000 + sum(range(1, 121)) - 7
    assert first.rows[0].balance == accounts.get_account(session, account).balance
    # Oldest rows on the last page: opening balance, then ordered by date, then id.
    assert [r.date for r in last.rows][-3:] == [start, start, start]
    oldest = last.rows[::-1]
    balance = 1_000
    for row in oldest:
        balance += row.amount
        assert row.balance == balance
    assert {r.category for r in last.rows if r.amount == -7} == {"Food"}
    # Every row's balance minus its amount is the balance of the row below it.
    both = first.rows + accounts.account_register(session, account, 2, 50).rows + last.rows
    for newer, older in itertools.pairwise(both):
        assert newer.balance - newer.amount == older.balance
    # A split names its lines.
    split = Transaction(account_id=account, date=start, amount=-50_00, is_split=True)
    session.add(split)
    session.flush()
    split = split.id
    session.add_all(
        [
            Split(transaction_id=split, category_id=food, amount=-30_00),
            Split(transaction_id=split, category_id=None, amount=-20_00),
        ]
    )
    session.flush()
    shown = accounts.account_register(session, account, page=3, page_size=50).rows
    assert {r.category for r in shown if r.id == split} == {
        "Split: Food -€30.00, Uncategorized -€20.00"
    }
