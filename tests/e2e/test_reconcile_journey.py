"""A person reconciles an account with a bank statement in Chromium: sees the difference and
the uncleared transactions that explain it, ticks them, then finishes at zero."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from fintrack import db, transactions
from tests.e2e.conftest import ROOT, Server, log_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def _cli(server: Server, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fintrack", *args],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def _typed_by_hand(server: Server, day: dt.date, payee: str, amount: int) -> None:
    """Transactions typed in by hand stay uncleared until a statement shows them."""
    engine = db.make_engine(f"sqlite:///{server.data_dir / 'fintrack.db'}")
    with Session(engine) as s:
        transactions.create_transaction(
            s, transactions.TransactionInput(account_id=1, date=day, amount=amount, payee=payee)
        )
        s.commit()
    engine.dispose()


def test_reconcile_ticks_the_uncleared_then_finishes_at_zero(page: Page, server: Server) -> None:
    _cli(server, "import", str(FIXTURES / "us_march_15.ofx"), "--account", "Checking")
    _typed_by_hand(server, dt.date(2026, 3, 28), "Cheque 1044 plumber", -10000)
    _typed_by_hand(server, dt.date(2026, 4, 2), "After the statement", -2500)
    log_in(page, server.url, "/accounts/1")
    page.get_by_role("button", name="Reconcile").click()
    page.get_by_label("Statement date").fill("2026-03-31")
    balance = page.get_by_label("Balance on the statement")
    balance.fill("12,34x")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text('"12,34x" is not an amount')).to_be_visible()
    expect(page.get_by_text("Difference:")).to_have_count(0)

    # The bank has seen the cheque: 2,896.89 imported minus 100.00.
    balance.fill("2796.89")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("Bank: $2,796.89")).to_be_visible()
    expect(page.get_by_text("Cleared in fintrack: $2,896.89")).to_be_visible()
    expect(page.get_by_text("Difference: -$100.00")).to_be_visible()
    expect(page.get_by_text("Nothing is reconciled until the difference is zero.")).to_be_visible()
    card = page.locator(".q-card").filter(has_text="Reconcile with a bank statement")
    expect(card.get_by_role("cell", name="After the statement")).to_have_count(0)
    cheque = card.get_by_role("row", name="Cheque 1044 plumber")
    expect(cheque).to_be_visible()
    expect(page.get_by_role("button", name="Finish", exact=False)).to_have_count(0)

    cheque.get_by_role("checkbox").click()
    page.get_by_role("button", name="Mark selected as cleared").click()
    expect(page.get_by_text("Difference: $0.00")).to_be_visible()
    page.get_by_role("button", name="Finish: mark 16 transactions reconciled").click()
    expect(page.get_by_text("Reconciled 16 transactions up to 2026-03-31.")).to_be_visible()

    # Undoing the import now would remove reconciled rows: the confirmation says so.
    page.goto(f"{server.url}/import")
    page.get_by_role("button", name="Undo import 1").click()
    expect(page.get_by_text("15 reconciled since the import will be lost")).to_be_visible()
    expect(page.get_by_role("button", name="Undo anyway")).to_be_visible()
