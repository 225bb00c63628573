"""Several currencies, one picture: a ledger in EUR, USD and GBP, converted by hand.

Rates (units per 1 EUR), typed by hand for every day (so the ECB history, once loaded, changes
nothing in these two months):             USD      GBP
    2026-01-01 to 2026-02-01              1.25     0.80
    2026-02-02 to 2026-02-28              1.60     0.50

Accounts: Giro (EUR, opening 1,000.00), US Checking (USD), UK Savings (GBP, savings).

January 2026:
    Giro         2026-01-15  salary            +2,000.00 EUR             = +2,000.00 EUR
    US Checking  2026-01-10  groceries            -50.00 USD  / 1.25     =    -40.00 EUR
    US Checking  2026-01-20  salary              +500.00 USD  / 1.25     =   +400.00 EUR
    Giro -> UK   2026-01-25  transfer  -800.00 EUR, +640.00 GBP (implied 0.8): no flow
    UK Savings   2026-01-28  groceries            -16.00 GBP  / 0.80     =    -20.00 EUR
    income 2,400.00 EUR, expenses 60.00 EUR
    net worth at 2026-01-31: Giro 2,200.00 + 450 USD / 1.25 = 360.00
                             + 624 GBP / 0.80 = 780.00                   =  3,340.00 EUR
February 2026 (rates of the 2nd of February):
    Giro         2026-02-05  groceries           -100.00 EUR             =   -100.00 EUR
    US Checking  2026-02-10  restaurants          -32.00 USD  / 1.60     =    -20.00 EUR
    Giro         2026-02-12  groceries (receipt: 10.00 USD) booked -9.00 EUR =  -9.00 EUR
    income 0.00 EUR, expenses 129.00 EUR
    net worth at 2026-02-28: Giro 2,091.00 + 418 USD / 1.60 = 261.25
                             + 624 GBP / 0.50 = 1,248.00                 =  3,600.25 EUR
    of the change of +260.25, the rates alone made 450 USD (281.25 - 360.00 = -78.75) and
    624 GBP (1,248.00 - 780.00 = +468.00): +389.25 EUR; the flows -129.00 EUR.
In USD (through EUR): net worth at 2026-01-31 = 3,340.00 x 1.25 = 4,175.00 USD.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fintrack import budgets, currency, dashboard, net_worth, preferences, rates, reports
from fintrack.models import Account, Category, Transaction
from tests import builders as build

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
JAN_FEB = reports.ReportFilters(JAN, dt.date(2026, 2, 28))
ROOT = Path(__file__).resolve().parents[2]


def cents(major: str) -> int:
    return int(Decimal(major) * 100)


@pytest.fixture
def ledger(session: Session) -> dict[str, int]:
    day = JAN
    while day < dt.date(2026, 3, 1):
        january = day < dt.date(2026, 2, 2)
        rates.set_rate(session, day, "USD", "1.25" if january else "1.60")
        rates.set_rate(session, day, "GBP", "0.80" if january else "0.50")
        day += dt.timedelta(days=1)
    giro = build.account(session, "Giro", opening=cents("1000"))
    usd = build.account(session, "US Checking", "USD")
    gbp = build.account(session, "UK Savings", "GBP", kind="savings")
    salary = build.category(session, "Salary", kind="income")
    groceries = build.category(session, "Food › Groceries")
    restaurants = build.category(session, "Food › Restaurants")

    def add(account: int, day: dt.date, amount: str, category: int) -> int:
        return build.entry(session, account, cents(amount), day, category_id=category)

    add(giro, dt.date(2026, 1, 15), "2000", salary)
    add(usd, dt.date(2026, 1, 10), "-50", groceries)
    add(usd, dt.date(2026, 1, 20), "500", salary)
    add(gbp, dt.date(2026, 1, 28), "-16", groceries)
    add(giro, dt.date(2026, 2, 5), "-100", groceries)
    add(usd, dt.date(2026, 2, 10), "-32", restaurants)
    card = add(giro, dt.date(2026, 2, 12), "-9", groceries)
    currency.set_original_amount(session, card, -1000, "usd")
    out_id, _in_id = build.transfer(
        session, giro, gbp, cents("800"), dt.date(2026, 1, 25), to_amount=cents("640")
    )
    session.commit()
    return {"giro": giro, "usd": usd, "gbp": gbp, "card": card, "out": out_id}


def test_income_statement_converts_each_flow_at_its_days_rate(session, ledger) -> None:
    months = [JAN, FEB]
    statement = reports.period_report(session, JAN_FEB, months, currency="EUR").statements["EUR"]
    rows = {row.label: row for row in statement.rows}
    assert rows["Total income"].values == [cents("2400"), 0]
    assert rows["Total expenses"].values == [cents("60"), cents("129")]
    assert rows["Groceries"].values == [cents("60"), cents("109")]
    assert rows["Restaurants"].values == [0, cents("20")]
    assert rows["Net"].total == cents("2211")
    assert statement.unconverted == []


def test_transfers_between_currencies_are_never_income_or_expense(session, ledger) -> None:
    report = reports.period_report(session, JAN_FEB, [JAN, FEB], currency="EUR")
    kinds = {(c.name, c.kind): c.total for c in report.totals["EUR"]}
    assert ("Uncategorized", "income") not in kinds
    assert ("Uncategorized", "expense") not in kinds
    assert kinds[("Salary", "income")] == cents("2400")
    # Both sides keep their own amount; the rate they imply is 0.8 GBP per EUR.
    sides = session.execute(
        select(Transaction.amount).where(Transaction.transfer_id.is_not(None))
    ).scalars()
    assert sorted(sides) == [cents("-800"), cents("640")]
    assert currency.implied_rate(cents("-800"), "EUR", cents("640"), "GBP") == Decimal("0.8")


def test_net_worth_moves_with_rates_and_shows_the_rate_part(session, ledger) -> None:
    series = net_worth.net_worth_series(session, JAN, FEB, currency="EUR")["EUR"]
    assert [p.net_worth for p in series] == [cents("3340"), cents("3600.25")]
    assert series[1].fx_effect == cents("389.25")
    assert series[1].liabilities == 0


def test_net_worth_on_a_day_lists_each_account_with_its_rate(session, ledger) -> None:
    worth = net_worth.net_worth_at(session, dt.date(2026, 1, 31), "USD")
    assert worth.net_worth == cents("4175")
    accounts = {a.name: a for a in worth.accounts}
    assert accounts["Giro"].converted == cents("2750")
    assert accounts["Giro"].rate == Decimal("1.25")
    assert accounts["UK Savings"].balance == cents("624")
    assert accounts["UK Savings"].converted == cents("975")
    assert accounts["UK Savings"].rate == Decimal("1.5625")
    assert accounts["UK Savings"].rate_date == dt.date(2026, 1, 31)
    assert worth.unconverted == []


def test_a_currency_without_any_rate_is_named_and_left_out(session, ledger) -> None:
    swiss = Account(name="Swiss", currency="CHF", opening_balance=cents("100"))
    session.add(swiss)
    session.flush()
    session.add(Transaction(account_id=swiss.id, date=dt.date(2026, 1, 9), amount=cents("-5")))
    worth = net_worth.net_worth_at(session, dt.date(2026, 1, 31), "EUR")
    assert worth.net_worth == cents("3340") and worth.unconverted == ["CHF"]
    assert {a.name: a.converted for a in worth.accounts}["Swiss"] is None
    statement = reports.period_report(session, JAN_FEB, [JAN, FEB], currency="EUR").statements[
        "EUR"
    ]
    assert statement.unconverted == ["CHF"]
    assert statement.rows[-1].total == cents("2211")


def test_dashboard_is_one_converted_picture(session, ledger) -> None:
    preferences.put(session, currency.REPORTING_KEY, "EUR")
    board = dashboard.dashboard(session, "this_month", today=dt.date(2026, 2, 28))
    assert board.currency == "EUR" and board.unconverted == []
    assert board.net_worth == cents("3600.25")
    assert board.previous_net_worth == cents("3340")
    assert board.summary == reports.PeriodSummary(0, cents("129"))
    assert board.previous_summary == reports.PeriodSummary(cents("2400"), cents("60"))
    assert board.originals["USD"] == reports.PeriodSummary(0, cents("32"))
    assert board.converted


def test_reporting_currency_is_its_own_setting(session, ledger) -> None:
    # Most transactions are in EUR (Giro: 5 of 10 rows), so EUR until the person chooses.
    assert currency.reporting_currency(session) == "EUR"
    preferences.set_default_currency(session, "USD")  # for new accounts only
    assert currency.reporting_currency(session) == "EUR"
    currency.set_reporting_currency(session, "gbp")
    assert currency.reporting_currency(session) == "GBP"


def test_original_amount_is_kept_beside_the_booked_one(session, ledger) -> None:
    card = session.get(Transaction, ledger["card"])
    assert (card.amount, card.original_amount, card.original_currency) == (-900, -1000, "USD")
    with pytest.raises(rates.RatesError, match="same way"):
        currency.set_original_amount(session, ledger["card"], 1000, "USD")
    with pytest.raises(rates.RatesError, match="already in EUR"):
        currency.set_original_amount(session, ledger["card"], -900, "EUR")


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    return subprocess.run(
        [sys.executable, "-m", "fintrack", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**env, "DATABASE_URL": url},
        timeout=120,
    )


def test_report_commands_print_exact_json(session, ledger, database_url) -> None:
    result = _cli(database_url, "report", "net-worth", "--date", "2026-01-31", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["date"] == "2026-01-31" and data["currency"] == "EUR"
    assert data["net_worth"] == "3340.00"
    uk = next(a for a in data["accounts"] if a["name"] == "UK Savings")
    assert uk == {
        "name": "UK Savings",
        "currency": "GBP",
        "balance": "624.00",
        "converted": "780.00",
        "rate": "1.25",
        "rate_date": "2026-01-31",
    }
    assert data["unconverted"] == []

    result = _cli(
        database_url,
        "report",
        "income-statement",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-28",
        "--currency",
        "USD",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    totals = {row["label"]: row for row in data["rows"]}
    # 2,400.00 EUR of January income at 1.25 is 3,000.00 USD; 129.00 EUR at 1.60 is 206.40.
    assert totals["Total income"]["values"] == ["3000.00", "0.00"]
    assert totals["Total expenses"]["values"] == ["75.00", "206.40"]
    assert data["currency"] == "USD" and data["months"] == ["2026-01", "2026-02"]


def test_rates_commands_set_show_and_fail_clearly(session, database_url, tmp_path) -> None:
    result = _cli(database_url, "rates", "set", "2026-01-05", "ars", "1500.5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-01-05 ARS 1500.5 per EUR (manual)"
    shown = _cli(database_url, "rates", "show", "--date", "2026-01-09")
    assert "ARS 1500.5 2026-01-05 manual" in shown.stdout.splitlines()
    assert "USD 1.1642 2026-01-09 ecb" in shown.stdout.splitlines()
    bad = _cli(database_url, "rates", "set", "2026-01-05", "USD", "-3")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "fintrack: a rate must be a positive number"
    file = tmp_path / "rates.csv"
    file.write_text("Date,USD,\n2099-01-02,1.5,\n")
    updated = _cli(database_url, "rates", "update", "--file", str(file))
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.strip() == "added 1 rates; newest 2099-01-02"
    broken = tmp_path / "broken.csv"
    broken.write_text("nothing here")
    failed = _cli(database_url, "rates", "update", "--file", str(broken))
    assert failed.returncode == 1 and "Traceback" not in failed.stderr


def test_budgets_count_spending_from_every_currency(session, ledger) -> None:
    food = session.scalar(select(Category.id).where(Category.name == "Food"))
    budgets.set_budget(session, food, FEB, 15_000)
    # Choosing USD for new accounts used to relabel every budget as dollars: no longer.
    preferences.set_default_currency(session, "USD")
    status = budgets.month_status(session, FEB)
    assert status.currency == "EUR" and status.unconverted == []
    line = next(line for line in status.lines if line.name == "Food")
    # 100.00 + 9.00 EUR and 32.00 USD at 1.60 = 20.00 EUR.
    assert (line.budgeted, line.spent, line.available) == (cents("150"), cents("129"), cents("21"))


def test_without_accounts_totals_are_in_the_default_currency_setting(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before any account exists, totals use DEFAULT_CURRENCY, the currency new accounts get."""
    monkeypatch.setenv("DEFAULT_CURRENCY", "CHF")
    assert currency.reporting_currency(session) == "CHF"
    assert preferences.default_currency(session) == "CHF"
