"""The dashboard through the simulated user: the empty state, the cards and the charts' data."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from fintrack import db, periods, rates
from fintrack.models import Account, Budget, Category, RecurringSchedule, Transaction
from tests.ui.conftest import dark_stored, eventually

THIS_MONTH = periods.month_start(dt.date.today())
LAST_MONTH = periods.add_months(THIS_MONTH, -1)


def add_ledger() -> dict[str, int]:
    """This month: salary 2,000.00, groceries 300.00 and rent 900.00; last month: salary
    2,000.00 and groceries 100.00; a USD account with 50.00 of groceries this month, at a
    typed-in rate of 2 USD per EUR: 25.00 in euros."""
    with db.session() as s:
        rates.set_rate(s, LAST_MONTH - dt.timedelta(days=40), "USD", "2")
        checking = Account(name="Checking", currency="EUR", opening_balance=100_00)
        dollars = Account(name="Dollars", currency="USD")
        food = Category(name="Food", kind="expense", color="#112233")
        groceries = Category(name="Groceries", kind="expense", parent=food)
        rent = Category(name="Rent", kind="expense")
        salary = Category(name="Salary", kind="income")
        s.add_all([checking, dollars, food, groceries, rent, salary])
        s.flush()
        for account, day, amount, category in (
            (checking, THIS_MONTH, 2000_00, salary),
            (checking, THIS_MONTH, -300_00, groceries),
            (checking, THIS_MONTH, -900_00, rent),
            (checking, LAST_MONTH, 2000_00, salary),
            (checking, LAST_MONTH, -100_00, groceries),
            (dollars, THIS_MONTH, -50_00, groceries),
        ):
            s.add(
                Transaction(account_id=account.id, date=day, amount=amount, category_id=category.id)
            )
        return {
            "food": food.id,
            "rent": rent.id,
            "groceries": groceries.id,
            "checking": checking.id,
        }


def figure(user: User, trace_type: str, name: str | None = None) -> dict:
    """The one chart on the page whose first trace has this type (and name)."""
    found = [
        plot.figure
        for plot in user.find(ui.plotly).elements
        if plot.figure["data"][0]["type"] == trace_type
        and name in (None, plot.figure["data"][0].get("name"))
    ]
    assert len(found) == 1
    return found[0]


async def test_empty_state_explains_and_offers_demo_data(logged_in: User) -> None:
    await logged_in.should_see("Welcome to fintrack")
    await logged_in.should_see("Add an account")
    await logged_in.should_see("Import a bank file")
    await logged_in.should_see("Load demo data")
    await logged_in.should_not_see(kind=ui.plotly)


async def test_cards_show_this_month_against_last_month(logged_in: User) -> None:
    add_ledger()
    await logged_in.open("/")
    # Opening 100 + last month's 1,900 + this month's 800 - 25 (the dollars converted).
    await logged_in.should_see("€2,775.00")
    await logged_in.should_see("▲ €775.00 vs last month")
    await logged_in.should_see("€2,000.00")
    await logged_in.should_see("= €0.00 vs last month")
    await logged_in.should_see("€1,225.00")
    await logged_in.should_see("▲ €1,125.00 vs last month")
    await logged_in.should_see("38.8%")
    await logged_in.should_not_see("left out")
    await logged_in.should_see("Dollars: -$50.00 = -€25.00 at 0.5 EUR/USD")
    await logged_in.should_see(
        "€1,200.00 + $50.00, each converted to EUR at its transaction date's rate"
    )


async def test_charts_carry_rolled_up_categories_and_exact_hover(logged_in: User) -> None:
    ids = add_ledger()
    await logged_in.open("/")
    donut = figure(logged_in, "pie")
    bars = figure(logged_in, "bar")
    net_worth = figure(logged_in, "scatter", "Assets")
    slices = donut["data"][0]
    assert slices["labels"] == ["Rent", "Food"]
    assert slices["values"] == [900.0, 325.0]  # groceries 300.00 + 50 USD at 2
    assert slices["customdata"] == [["€900.00", ids["rent"]], ["€325.00", ids["food"]]]
    assert slices["marker"]["colors"][1] == "#112233"
    income, expenses, net = bars["data"]
    assert len(income["x"]) == 12 and income["x"][-1] == THIS_MONTH.strftime("%Y-%m")
    assert expenses["y"][-2:] == [100.0, 1225.0]
    assert net["customdata"][-1][0].endswith("€775.00")
    assert [t["name"] for t in net_worth["data"]] == ["Assets", "Liabilities", "Net worth"]
    hover = net_worth["data"][2]["customdata"][-1][0]
    assert hover.startswith(f"Net worth {THIS_MONTH:%Y-%m}: €2,775.00<br>in EUR at month-end rates")


async def test_period_selector_switches_to_last_month(logged_in: User) -> None:
    add_ledger()
    await logged_in.open("/?period=last_month")
    await logged_in.should_see("€100.00")
    donut = figure(logged_in, "pie")["data"][0]
    assert donut["labels"] == ["Food"] and donut["values"] == [100.0]


async def test_load_demo_data_fills_the_dashboard(logged_in: User, monkeypatch) -> None:
    monkeypatch.setattr("pages.dashboard.DEMO_TRANSACTIONS", 400)
    await logged_in.should_see("Welcome to fintrack")
    logged_in.find("Load demo data").click()
    await logged_in.should_see("Spending by category", retries=100)
    await logged_in.should_not_see("Welcome to fintrack")
    await logged_in.open("/?period=last_12_months")
    donut = figure(logged_in, "pie")["data"][0]
    assert donut["labels"] and all(value > 0 for value in donut["values"])


async def test_budget_status_and_upcoming_recurring_items(logged_in: User) -> None:
    ids = add_ledger()
    due = dt.date.today() + dt.timedelta(days=5)
    with db.session() as s:
        s.add(Budget(category_id=ids["groceries"], month=THIS_MONTH, amount=400_00))
        s.add(
            RecurringSchedule(
                name="Gym membership",
                account_id=ids["checking"],
                amount=-30_00,
                start_date=due,
                day_of_month=due.day,
                auto_post=False,
            )
        )
    await logged_in.open("/")
    await logged_in.should_see(f"Budget {THIS_MONTH:%Y-%m}")
    await logged_in.should_see("€325.00 spent of €400.00")  # 300.00 + 50 USD at 2
    await logged_in.should_see("Food › Groceries")
    await logged_in.should_see("Gym membership")
    await logged_in.should_see(f"{due.isoformat()} · Checking")
    await logged_in.should_see("-€30.00")


async def test_charts_follow_the_dark_mode_switch(logged_in: User) -> None:
    add_ledger()
    await logged_in.open("/")
    bars = figure(logged_in, "bar")
    assert bars["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"
    light_text = bars["layout"]["template"]["layout"]["font"]["color"]
    logged_in.find(marker="dark-mode").click()
    dark_text = figure(logged_in, "bar")["layout"]["template"]["layout"]["font"]["color"]
    assert dark_text != light_text
    await eventually(dark_stored)
    await logged_in.open("/")  # the choice is remembered: charts start dark
    assert figure(logged_in, "pie")["layout"]["template"]["layout"]["font"]["color"] == dark_text


async def test_the_budget_card_says_how_many_more_budgets_there_are(logged_in: User) -> None:
    add_ledger()
    with db.session() as s:
        for number in range(8):
            category = Category(name=f"Hobby {number}")
            s.add(category)
            s.flush()
            s.add(Budget(category_id=category.id, month=THIS_MONTH, amount=10_00))
    await logged_in.open("/")
    await logged_in.should_see("+2 more")


async def test_a_point_of_net_worth_opens_that_months_transactions(logged_in: User) -> None:
    add_ledger()
    await logged_in.open("/")
    await logged_in.should_see("Net worth over time")
    plot = next(
        p
        for p in logged_in.find(ui.plotly).elements
        if p.figure["data"][-1].get("name") == "Net worth"
    )
    point = plot.figure["data"][-1]["customdata"][-1]
    UserInteraction(logged_in, {plot}, None).trigger("plotly_click", point)
    await logged_in.should_see("Add transaction", retries=50)
    end = periods.month_end(THIS_MONTH)
    assert logged_in.back_history[-1] == f"/transactions?start={THIS_MONTH}&end={end}"
