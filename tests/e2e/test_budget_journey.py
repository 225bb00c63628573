"""A person sets a monthly budget and a recurring bill, then sees progress and what is due."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from fintrack import accounts, categories, db, transactions
from tests.e2e.conftest import Server, log_in


def seed(server: Server) -> None:
    """An account and 90 spent today in a category, written with fintrack's own code."""
    engine = db.make_engine(f"sqlite:///{server.data_dir / 'fintrack.db'}")
    with Session(engine) as s, s.begin():
        account_id = accounts.create_account(s, accounts.AccountInput(name="Checking"))
        category_id = categories.create_category(s, "Board games")
        transactions.create_transaction(
            s,
            transactions.TransactionInput(
                account_id=account_id,
                date=dt.date.today(),
                amount=-9_000,
                payee="Game shop",
                category_id=category_id,
            ),
        )
    engine.dispose()


def test_budget_progress_and_upcoming_bill(page: Page, server: Server) -> None:
    seed(server)
    log_in(page, server.url, "/budgets")
    page.get_by_label("Category", exact=True).fill("board")
    page.get_by_role("option", name="Board games").click()
    page.get_by_label("Budget", exact=True).fill("abc")
    page.get_by_role("button", name="Set budget").click()
    expect(page.get_by_text('"abc" is not an amount')).to_be_visible()
    page.get_by_label("Budget", exact=True).fill("100")
    page.get_by_role("button", name="Set budget").click()
    expect(page.get_by_text("€90.00 spent of €100.00 (90 %)")).to_be_visible()
    expect(page.get_by_role("progressbar", name="90 %")).to_be_visible()

    due = dt.date.today() + dt.timedelta(days=4)
    page.goto(f"{server.url}/recurring")
    page.get_by_label("Name", exact=True).fill("Internet")
    page.get_by_label("Account", exact=True).click()
    page.get_by_role("option", name="Checking", exact=True).click()
    page.get_by_label("Amount", exact=True).fill("39.99")  # Expense is the default direction
    page.get_by_label("Start date").fill(due.isoformat())
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text(due.isoformat(), exact=True)).to_be_visible()
    expect(page.get_by_text(f"next {due.isoformat()}")).to_be_visible()
    expect(page.get_by_text("Checking · posts automatically")).to_be_visible()
    expect(page.get_by_text("-€39.99").first).to_be_visible()
