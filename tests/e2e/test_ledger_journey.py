"""A person records an expense, a transfer and a split, then narrows the list down."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from fintrack import accounts, db
from tests.e2e.conftest import Server, log_in


def seed(server: Server) -> None:
    """Two accounts, written with fintrack's own code into the server's database."""
    engine = db.make_engine(f"sqlite:///{server.data_dir / 'fintrack.db'}")
    with Session(engine) as s, s.begin():
        for name in ("Checking", "Savings"):
            accounts.create_account(s, accounts.AccountInput(name=name, currency="EUR"))
    engine.dispose()


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def add(page: Page, amount: str, payee: str) -> None:
    page.get_by_role("button", name="Add transaction").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("New transaction")).to_be_visible()
    dialog.get_by_label("Amount", exact=True).fill(amount)
    dialog.get_by_label("Payee").fill(payee)


def test_expense_transfer_split_and_filter(page: Page, server: Server) -> None:
    seed(server)
    log_in(page, server.url, "/transactions")
    totals = page.get_by_text(re.compile(r"^\d+ transactions?$"))
    expect(totals).to_have_text("0 transactions")

    add(page, "12.50", "Corner Bakery")
    page.get_by_role("dialog").get_by_label("Payee").press("Enter")
    expect(totals).to_have_text("1 transaction")
    expect(page.get_by_role("cell", name="-€12.50")).to_be_visible()

    add(page, "100", "Monthly saving")
    page.get_by_role("dialog").get_by_text("Transfer", exact=True).click()
    choose(page, "To account", "Savings")
    page.get_by_role("button", name="Save").click()
    expect(totals).to_have_text("3 transactions")
    expect(page.get_by_role("cell", name="Transfer to Savings")).to_be_visible()
    expect(page.get_by_role("cell", name="Transfer from Checking")).to_be_visible()
    # Editing the receiving side changes both sides.
    page.get_by_role("row").filter(has_text="Transfer from Checking").get_by_role(
        "button", name="Edit Monthly saving"
    ).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("To account", exact=True)).to_have_value("Savings")
    dialog.get_by_label("Amount", exact=True).fill("150")
    dialog.get_by_label("Amount", exact=True).press("Enter")
    expect(page.get_by_role("cell", name="-€150.00")).to_be_visible()
    expect(page.get_by_role("cell", name="€150.00", exact=True)).to_be_visible()
    expect(totals).to_have_text("3 transactions")

    add(page, "30", "Market")
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Split").click()
    lines = dialog.get_by_label("Line amount")
    expect(lines).to_have_count(2)
    lines.nth(0).fill("20")
    expect(dialog.get_by_text("Remaining: -€10.00")).to_be_visible()
    lines.nth(1).fill("10")
    expect(dialog.get_by_text("Split lines add up.")).to_be_visible()
    dialog.get_by_label("Line category").nth(0).fill("groc")
    page.get_by_role("option", name="Food › Groceries").click()
    dialog.get_by_label("Line category").nth(1).fill("rent")
    page.get_by_role("option", name="Housing › Rent").click()
    dialog.get_by_role("button", name="Save").click()
    expect(totals).to_have_text("4 transactions")
    expect(page.get_by_role("cell", name="Split")).to_be_visible()
    # Transfers move money between own accounts: out is the bakery and the market only.
    expect(page.get_by_text("-€42.50").first).to_be_visible()

    page.get_by_label("Search").fill("category:food")
    expect(totals).to_have_text("1 transaction")
    expect(page).to_have_url(re.compile(r"q=category%3Afood"))
    page.get_by_label("Search").fill("payee:bakery,market")
    expect(totals).to_have_text("2 transactions")
    # A search that cannot be read shows nothing of the last one, in the table or the address.
    page.get_by_label("Search").fill("amount:>>5")
    expect(page.get_by_text("is not an amount")).to_be_visible()
    expect(totals).to_have_text("0 transactions")
    expect(page).to_have_url(re.compile(r"q=amount%3A%3E%3E5$"))
    page.get_by_label("Search").fill("payee:bakery,market")
    expect(totals).to_have_text("2 transactions")

    page.get_by_label("Cleared Market").click()
    page.reload()
    expect(page.get_by_label("Cleared Market")).to_be_checked()
    expect(totals).to_have_text("2 transactions")

    page.get_by_role("row").filter(has_text="Corner Bakery").get_by_role("checkbox").first.click()
    page.get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("dialog")
    expect(confirm.get_by_text("Delete 1 transaction?")).to_be_visible()
    confirm.get_by_role("button", name="Delete").click()
    expect(totals).to_have_text("1 transaction")
    page.get_by_label("Search").fill("amount:lots")
    expect(page.get_by_text('"lots" is not an amount')).to_be_visible()
