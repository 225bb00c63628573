"""Several currencies in Chromium: accounts in EUR and USD, a rate typed in Settings, and a
dashboard showing one converted net worth instead of leaving the dollars out."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, Server, log_in


def _import(server: Server, file: Path, account: str, currency: str) -> None:
    command = ["import", str(file), "--account", account, "--currency", currency]
    result = subprocess.run(
        [sys.executable, "-m", "fintrack", *command],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_dashboard_shows_one_converted_net_worth(
    page: Page, server: Server, tmp_path: Path
) -> None:
    """Giro (EUR): +1,000.00 salary, -400.00 rent; US Card (USD): -50.00 at a diner; with
    2 USD per EUR typed in, net worth is 600.00 - 25.00 = 575.00 EUR."""
    first = dt.date.today().replace(day=1)
    giro = tmp_path / "giro.csv"
    giro.write_text(f"Date,Description,Amount\n{first},Salary,1000.00\n{first},Rent,-400.00\n")
    card = tmp_path / "card.csv"
    card.write_text(f"Date,Description,Amount\n{first},Diner,-50.00\n")
    _import(server, giro, "Giro", "EUR")
    _import(server, card, "US Card", "USD")

    log_in(page, server.url, "/settings")
    expect(page.get_by_text("Currencies and rates")).to_be_visible()
    expect(page.get_by_test_id("rates-status")).to_contain_text("Rates last updated")
    rate_day = first - dt.timedelta(days=10)
    page.get_by_label("Date", exact=True).fill(rate_day.isoformat())
    page.get_by_label("Currency", exact=True).fill("usd")
    page.get_by_label("Units per 1 EUR").fill("abc")
    page.get_by_role("button", name="Save rate").click()
    expect(page.get_by_text("'abc' is not a rate")).to_be_visible()
    page.get_by_label("Units per 1 EUR").fill("2")
    page.get_by_role("button", name="Save rate").click()
    expect(page.get_by_text(f"Saved: 1 EUR = 2 USD on {rate_day}.")).to_be_visible()
    expect(page.get_by_role("cell", name="typed in")).to_be_visible()

    page.goto(f"{server.url}/")
    worth = page.locator(".q-card").filter(has_text="Net worth").first
    expect(worth.get_by_test_id("figure")).to_have_text("€575.00")
    expect(page.get_by_text("left out")).to_have_count(0)
    expect(page.get_by_text("No exchange rate")).to_have_count(0)
    marker = worth.get_by_test_id("converted")
    expect(marker).to_be_visible()
    marker.hover()
    expect(page.get_by_text("US Card: -$50.00 = -€25.00 at 0.5 EUR/USD")).to_be_visible()
