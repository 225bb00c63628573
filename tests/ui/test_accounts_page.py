"""The accounts pages through the simulated user: add, duplicate name, register, delete."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from sqlalchemy import func, select

from fintrack import db
from fintrack.models import Account, Transaction
from tests import builders as build
from tests.ui.conftest import eventually


def id_of(element: ui.element) -> int:
    return element.id


def _account_with_transactions(name: str, opening: int, amounts: list[int]) -> int:
    with db.session() as s:
        account_id = build.account(s, name, opening=opening)
        for day, amount in enumerate(amounts, 1):
            build.entry(s, account_id, amount, dt.date(2026, 1, day))
    return account_id


async def test_add_account_and_see_its_balance_and_net_worth(logged_in: User) -> None:
    await logged_in.open("/accounts")
    await logged_in.should_see("No accounts yet")
    await logged_in.should_not_see(ui.table)  # one empty state, not also "No data"
    logged_in.find("Name").type("Main checking")
    logged_in.find("Opening balance").type("1.234,50")
    logged_in.find("Add account").click()
    await logged_in.should_see("Account Main checking added")
    await logged_in.should_see(marker="net-worth-EUR", content="€1,234.50")

    rows = logged_in.find(ui.table).elements.pop().rows
    assert [(r["name"], r["kind"], r["balance"]) for r in rows] == [
        ("Main checking", "Checking", "€1,234.50")
    ]


async def test_the_form_starts_empty_for_the_next_account(logged_in: User) -> None:
    await logged_in.open("/accounts")
    logged_in.find("Name").type("Card")
    logged_in.find("Institution").type("Big Bank")
    logged_in.find("Opening date").type("2026-01-01")
    logged_in.find("Add account").click()
    await logged_in.should_see("Account Card added")
    for label in ("Name", "Institution", "Opening date", "Opening balance"):
        assert logged_in.find(label).elements.pop().value == "", label


async def test_net_worth_lists_only_currencies_with_a_balance(logged_in: User) -> None:
    _account_with_transactions("Checking", 500_00, [])
    with db.session() as s:
        build.account(s, "Tried once", currency="GBP")
    await logged_in.open("/accounts")
    await logged_in.should_see(marker="net-worth-EUR", content="€500.00")
    await logged_in.should_not_see(marker="net-worth-GBP")


async def test_register_toggles_cleared_and_adds_to_its_account(logged_in: User) -> None:
    _account_with_transactions("Savings", 0, [])
    account_id = _account_with_transactions("Checking", 100_00, [-30_00])
    await logged_in.open(f"/accounts/{account_id}")
    await logged_in.should_see(marker="balance", content="€70.00")
    table = logged_in.find(ui.table).elements.pop()
    (row,) = table.rows
    assert row["cleared"] is False
    logged_in.find(ui.table).trigger("toggle_cleared", {"id": row["id"], "value": True})
    await eventually(lambda: table.rows[0]["cleared"] is True)
    with db.session() as s:
        assert s.get(Transaction, row["id"]).cleared

    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=50)
    account_select = max(logged_in.find(kind=ui.select, content="Account").elements, key=id_of)
    assert account_select.value == account_id
    logged_in.find("Amount").type("12")
    logged_in.find("Payee").type("Bakery")
    logged_in.find("Save").click()
    await eventually(lambda: _payees(account_id) == ["Bakery", "Shop"])


def _payees(account_id: int) -> list[str]:
    with db.session() as s:
        rows = s.scalars(select(Transaction.payee).where(Transaction.account_id == account_id))
        return sorted(rows)


async def test_duplicate_name_is_refused_next_to_the_field(logged_in: User) -> None:
    _account_with_transactions("Savings", 0, [])
    await logged_in.open("/accounts")
    logged_in.find("Name").type("savings")
    logged_in.find("Add account").click()
    await logged_in.should_see('An account named "savings" already exists')
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 1


async def test_liability_lowers_net_worth_and_shows_red(logged_in: User) -> None:
    _account_with_transactions("Checking", 500_00, [])
    _account_with_transactions("Card", 0, [-800_00])
    await logged_in.open("/accounts")
    await logged_in.should_see(marker="net-worth-EUR", content="-€300.00")
    rows = {r["name"]: r for r in logged_in.find(ui.table).elements.pop().rows}
    assert rows["Card"]["balance"] == "-€800.00"


async def test_register_shows_running_balance_and_delete_names_the_count(
    logged_in: User,
) -> None:
    account_id = _account_with_transactions("Checking", 100_00, [-30_00, 50_00, -5_25])
    await logged_in.open(f"/accounts/{account_id}")
    await logged_in.should_see(marker="balance", content="€114.75")
    rows = logged_in.find(ui.table).elements.pop().rows
    assert [(r["date"], r["amount"], r["balance"]) for r in rows] == [
        ("2026-01-03", "-€5.25", "€114.75"),
        ("2026-01-02", "€50.00", "€120.00"),
        ("2026-01-01", "-€30.00", "€70.00"),
    ]

    logged_in.find("Delete").click()
    await logged_in.should_see('"Checking" and its 3 transactions will be deleted')
    # The dialog's button is the newest "Delete" element on the page.
    confirm_button = max(logged_in.find(kind=ui.button, content="Delete").elements, key=id_of)
    UserInteraction(logged_in, {confirm_button}, None).click()
    await logged_in.should_see("Account Checking deleted")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0
        assert s.scalar(select(func.count()).select_from(Transaction)) == 0


async def test_a_loan_is_entered_as_the_amount_owed_and_lowers_net_worth(logged_in: User) -> None:
    _account_with_transactions("Checking", 500_00, [])
    await logged_in.open("/accounts")
    logged_in.find("Name").type("Car loan")
    logged_in.find("Kind").click()
    logged_in.find("Loan").click()
    logged_in.find("Amount owed").type("20000")
    logged_in.find("Add account").click()
    await logged_in.should_see("Account Car loan added")
    await logged_in.should_see(marker="net-worth-EUR", content="-€19,500.00")
    with db.session() as s:
        assert s.scalar(select(Account.opening_balance).where(Account.name == "Car loan")) == (
            -20_000_00
        )


async def test_currency_of_an_account_with_transactions_stays(logged_in: User) -> None:
    account_id = _account_with_transactions("Checking", 0, [-9_99])
    await logged_in.open(f"/accounts/{account_id}")
    logged_in.find("Edit").click()
    logged_in.find("Currency").clear().type("JPY")
    logged_in.find("Save").click()
    await logged_in.should_see("its currency stays")
    with db.session() as s:
        account = s.get(Account, account_id)
        assert account.currency == "EUR"
        assert s.scalar(select(Transaction.amount)) == -9_99


async def test_deleting_an_account_asks_what_becomes_of_its_transfers(logged_in: User) -> None:
    checking = _account_with_transactions("Checking", 0, [-5_00])
    savings = _account_with_transactions("Savings", 0, [])
    build.saved(build.transfer, checking, savings, 100_00, dt.date(2026, 1, 9))
    await logged_in.open(f"/accounts/{checking}")
    logged_in.find("Delete").click()
    await logged_in.should_see('"Checking" and its 2 transactions will be deleted')
    await logged_in.should_see("1 of them is a transfer with other accounts")
    logged_in.find("Keep other sides").click()
    await logged_in.should_see("Account Checking deleted")
    with db.session() as s:
        remaining = s.execute(select(Transaction.account_id, Transaction.amount)).all()
        assert remaining == [(savings, 100_00)]
        assert s.scalar(select(Transaction.transfer_id)) is None
