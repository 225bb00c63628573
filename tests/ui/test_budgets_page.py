"""The budgets page through the simulated user: progress, setting a budget, bad amounts."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import func, select

from fintrack import budgets, db, periods
from fintrack.models import Budget
from tests import builders as build


def _seed() -> tuple[int, int]:
    """An account, two categories, and spending this month: 90 of a 100 budget for Dining."""
    today = dt.date.today()
    with db.session() as s:
        account = build.account(s)
        dining, books = build.category(s, "Dining out"), build.category(s, "Books")
        build.spend(s, account, 9_000, today, category_id=dining)
        budgets.set_budget(s, dining, today, 10_000)
        return dining, books


async def test_budget_line_shows_amber_progress_and_totals(logged_in: User) -> None:
    _seed()
    await logged_in.open("/budgets")
    await logged_in.should_see("Dining out")
    await logged_in.should_see("€90.00 spent of €100.00 (90 %)")
    bars = logged_in.find(ui.linear_progress).elements
    assert [bar.props["color"] for bar in bars] == ["warning"]
    assert [bar.value for bar in bars] == [0.9]
    await logged_in.should_see("Left to spend")
    await logged_in.should_see("€10.00")
    plot = logged_in.find(ui.plotly).elements
    month_chart = next(p for p in plot if p.figure["data"][0]["x"] == ["Dining out"])
    assert month_chart.figure["data"][1]["y"] == [90.0]


async def test_setting_a_budget_and_refusing_abc(logged_in: User) -> None:
    _, books = _seed()
    await logged_in.open("/budgets")
    logged_in.find(marker="budget-category").click()
    logged_in.find("Books").click()
    logged_in.find(marker="budget-amount").type("abc")
    logged_in.find("Set budget").click()
    await logged_in.should_see('"abc" is not an amount')
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Budget)) == 1

    logged_in.find(marker="budget-amount").clear().type("25")
    logged_in.find("Set budget").click()
    await logged_in.should_see("€0.00 spent of €25.00 (0 %)")
    with db.session() as s:
        month = periods.month_start(dt.date.today())
        assert (
            s.scalar(
                select(Budget.amount).where(Budget.category_id == books, Budget.month == month)
            )
            == 2_500
        )


async def test_copy_last_month_fills_an_empty_month(logged_in: User) -> None:
    _seed()
    await logged_in.open(
        "/budgets?month=" + periods.add_months(dt.date.today(), 1).strftime("%Y-%m")
    )
    await logged_in.should_see("No budgets for this month yet")
    logged_in.find("Copy last month").click()
    await logged_in.should_see("Copied 1 budget from last month.")
    await logged_in.should_see("€0.00 spent of €100.00 (0 %)")


async def test_turning_on_rollover_carries_last_months_unspent_budget(logged_in: User) -> None:
    dining, _ = _seed()
    with db.session() as s:
        budgets.set_budget(s, dining, periods.add_months(dt.date.today(), -1), 5_000)
    await logged_in.open("/budgets")
    await logged_in.should_not_see("carried over")
    logged_in.find("Roll over").click()
    await logged_in.should_see("€50.00 carried over")
    await logged_in.should_see("€90.00 spent of €100.00 (60 %)")
    # The "Budgeted" card says the rollover is in it.
    await logged_in.should_see("€100.00 this month + €50.00 rolled over")
    assert [bar.props["color"] for bar in logged_in.find(ui.linear_progress).elements] == [
        "positive"
    ]


async def test_income_budget_shows_what_is_still_to_come(logged_in: User) -> None:
    today = dt.date.today()
    with db.session() as s:
        account = build.account(s)
        salary = build.category(s, "Salary", kind="income")
        build.entry(s, account, 250_000, today, category_id=salary)
        budgets.set_budget(s, salary, today, 300_000)
    await logged_in.open("/budgets")
    await logged_in.should_see("€2,500.00 received of €3,000.00 (83 %)")
    await logged_in.should_see("to come")
    await logged_in.should_see("Income received")
    await logged_in.should_not_see("Roll over")


async def test_a_month_outside_the_date_bounds_shows_this_month(logged_in: User) -> None:
    _seed()
    await logged_in.open("/budgets?month=9999-12")
    await logged_in.should_see("Showing this month")
    await logged_in.should_see(dt.date.today().strftime("%Y-%m"))
    await logged_in.should_see("Dining out")


async def test_an_ambiguous_budget_amount_is_refused(logged_in: User) -> None:
    _, books = _seed()
    await logged_in.open("/budgets")
    logged_in.find(marker="budget-category").click()
    logged_in.find("Books").click()
    logged_in.find(marker="budget-amount").type("1.500")
    logged_in.find("Set budget").click()
    await logged_in.should_see("could mean 1500 or 1.5")
    with db.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(Budget).where(Budget.category_id == books))
            == 0
        )


async def test_an_empty_budget_amount_is_asked_for_at_its_field(logged_in: User) -> None:
    _seed()
    await logged_in.open("/budgets")
    logged_in.find(marker="budget-category").click()
    logged_in.find("Books").click()
    logged_in.find("Set budget").click()
    await logged_in.should_see("Enter the budget.")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Budget)) == 1  # the seeded one alone
