"""Amounts in another currency on the transactions page: a purchase's original amount and a
transfer between currencies, each shown beside the booked amount with the rate they imply."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.testing import User

from fintrack import currency, db, transactions
from fintrack.models import Transaction
from tests import builders as build
from tests.ui.conftest import eventually
from tests.ui.test_transactions_page import WAIT, table_rows


def _stored(transaction_id: int) -> tuple[int, int | None, str | None]:
    with db.session() as s:
        row = s.get(Transaction, transaction_id)
        return row.amount, row.original_amount, row.original_currency


async def test_the_list_shows_the_original_amount_and_the_rate_it_implies(
    logged_in: User,
) -> None:
    card = build.saved(build.account, "Visa")
    with db.session() as s:
        diner = transactions.create_transaction(
            s, transactions.TransactionInput(card, dt.date(2026, 3, 2), -1234, "Diner NYC")
        )
        currency.set_original_amount(s, diner, -1350, "USD")
    await logged_in.open("/transactions")
    await logged_in.should_see("1 transaction")
    (row,) = table_rows(logged_in)
    assert (row["amount_text"], row["original_text"], row["rate_text"]) == (
        "-€12.34",
        "13.50 USD",
        "1 USD = 0.914074 EUR",
    )


async def test_a_transfer_between_currencies_shows_both_sides_and_the_rate(
    logged_in: User,
) -> None:
    checking, dollars = (
        build.saved(build.account, "Checking"),
        build.saved(build.account, "Dollars", "USD"),
    )
    with db.session() as s:
        transactions.create_transfer(
            s, checking, dollars, dt.date(2026, 3, 5), 10000, to_amount=10850
        )
    await logged_in.open("/transactions")
    await logged_in.should_see("2 transactions")
    shown = {
        r["account"]: (r["amount_text"], r["original_text"], r["rate_text"])
        for r in table_rows(logged_in)
    }
    assert shown == {
        "Checking": ("-€100.00", "108.50 USD", "1 EUR = 1.085 USD"),
        "Dollars": ("$108.50", "100.00 EUR", "1 USD = 0.921659 EUR"),
    }


async def test_the_dialog_keeps_an_original_amount_shows_its_rate_and_forgets_it(
    logged_in: User,
) -> None:
    build.saved(build.account, "Visa")
    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=WAIT)
    logged_in.find("Amount").type("12.34")
    logged_in.find("Payee").type("Diner NYC")
    logged_in.find("Original amount").type("13.50")
    logged_in.find("Original currency").type("usd")
    await logged_in.should_see("1 USD = 0.914074 EUR")
    logged_in.find("Save").click()
    await logged_in.should_see("1 transaction", retries=WAIT)
    (row,) = table_rows(logged_in)
    assert _stored(row["id"]) == (-1234, -1350, "USD")

    logged_in.find(ui.table).trigger("edit", row["id"])
    await logged_in.should_see("Edit transaction", retries=WAIT)
    await logged_in.should_see("1 USD = 0.914074 EUR")
    assert logged_in.find("Original amount").elements.pop().value == "13.50"
    logged_in.find("Original amount").clear()
    logged_in.find("Original currency").clear()
    logged_in.find("Save").click()
    await logged_in.should_see("Saved", retries=WAIT)
    await eventually(lambda: _stored(row["id"]) == (-1234, None, None))


async def test_an_original_in_the_accounts_own_currency_is_refused_at_its_field(
    logged_in: User,
) -> None:
    build.saved(build.account, "Visa")
    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=WAIT)
    logged_in.find("Amount").type("5")
    logged_in.find("Original amount").type("5")
    logged_in.find("Original currency").type("EUR")
    logged_in.find("Save").click()
    await logged_in.should_see("the account is already in EUR", retries=WAIT)
    field = logged_in.find("Original currency").elements.pop()
    assert "already in EUR" in (field.error or "")
    await logged_in.should_see("0 transactions")


async def test_the_transfer_dialog_shows_the_rate_of_the_amounts_typed(logged_in: User) -> None:
    build.saved(build.account, "Checking")
    dollars = build.saved(build.account, "Dollars", "USD")
    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=WAIT)
    logged_in.find("Amount").type("100")
    logged_in.find(ui.toggle).elements.pop().value = "transfer"
    await logged_in.should_see("To account")
    logged_in.find("To account").elements.pop().value = dollars
    logged_in.find("Amount received").type("108.50")
    await logged_in.should_see("1 EUR = 1.085 USD")
    await logged_in.should_not_see("Paid in another currency")


async def test_the_account_register_shows_originals_and_transfers_in_other_currencies(
    logged_in: User,
) -> None:
    card, dollars = build.saved(build.account, "Visa"), build.saved(build.account, "Dollars", "USD")
    with db.session() as s:
        diner = transactions.create_transaction(
            s, transactions.TransactionInput(card, dt.date(2026, 3, 2), -1234, "Diner NYC")
        )
        currency.set_original_amount(s, diner, -1350, "USD")
        transactions.create_transfer(s, card, dollars, dt.date(2026, 3, 5), 10000, to_amount=10850)
    await logged_in.open(f"/accounts/{card}")
    await logged_in.should_see(marker="balance", content="-€112.34")
    rows = logged_in.find(ui.table).elements.pop().rows
    assert [r["amount"] for r in rows] == [
        "-€100.00 (108.50 USD, 1 USD = 0.921659 EUR)",
        "-€12.34 (13.50 USD, 1 USD = 0.914074 EUR)",
    ]
