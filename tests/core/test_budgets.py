"""Budgets: spending against budgets, sub-categories, splits, transfers, rollover, filling."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import budgets, rates
from fintrack.models import Account, Budget, Category, Split, Transaction

MAY = dt.date(2026, 5, 1)


def account(session: Session, name: str = "Checking", currency: str = "EUR") -> Account:
    row = Account(name=name, currency=currency)
    session.add(row)
    session.flush()
    return row


def category(
    session: Session,
    name: str,
    parent: Category | None = None,
    kind: str = "expense",
    rollover: bool = False,
) -> Category:
    row = Category(
        name=name, parent_id=parent.id if parent else None, kind=kind, budget_rollover=rollover
    )
    session.add(row)
    session.flush()
    return row


def spend(
    session: Session, acc: Account, day: dt.date, amount: int, cat: Category | None = None
) -> Transaction:
    row = Transaction(
        account_id=acc.id, date=day, amount=amount, category_id=cat.id if cat else None
    )
    session.add(row)
    session.flush()
    return row


def line(status: budgets.BudgetMonth, cat: Category) -> budgets.BudgetLine:
    return next(item for item in status.lines if item.category_id == cat.id)


def test_sub_category_spending_counts_against_parent_budget(session: Session) -> None:
    acc = account(session)
    food = category(session, "Food")
    groceries = category(session, "Groceries", food)
    budgets.set_budget(session, food.id, MAY, "400")
    spend(session, acc, dt.date(2026, 5, 3), -10_000, groceries)
    spend(session, acc, dt.date(2026, 5, 9), -5_000, food)
    spend(session, acc, dt.date(2026, 4, 30), -99_900, food)  # another month

    status = budgets.month_status(session, dt.date(2026, 5, 17))
    food_line = line(status, food)
    assert (food_line.budgeted, food_line.spent, food_line.available) == (40_000, 15_000, 25_000)
    assert food_line.state == "ok"
    assert status.totals["EUR"].spent == 15_000


def test_transfers_excluded_and_split_lines_count_in_their_categories(session: Session) -> None:
    acc, savings = account(session), account(session, "Savings")
    food, home = category(session, "Food"), category(session, "Home")
    budgets.set_budget(session, food.id, MAY, 10_000)
    budgets.set_budget(session, home.id, MAY, 10_000)
    out = spend(session, acc, dt.date(2026, 5, 2), -50_000, food)
    back = spend(session, savings, dt.date(2026, 5, 2), 50_000)
    out.transfer_id, back.transfer_id = back.id, out.id
    split = Transaction(account_id=acc.id, date=dt.date(2026, 5, 4), amount=-7_000, is_split=True)
    split.splits = [
        Split(category_id=food.id, amount=-3_000),
        Split(category_id=home.id, amount=-4_000),
    ]
    session.add(split)
    session.flush()

    status = budgets.month_status(session, MAY)
    assert line(status, food).spent == 3_000
    assert line(status, home).spent == 4_000


def test_states_near_and_over_and_totals_count_nested_budget_once(session: Session) -> None:
    acc = account(session)
    food = category(session, "Food")
    groceries = category(session, "Groceries", food)
    fun = category(session, "Fun")
    budgets.set_budget(session, food.id, MAY, 10_000)
    budgets.set_budget(session, groceries.id, MAY, 5_000)
    budgets.set_budget(session, fun.id, MAY, 1_000)
    spend(session, acc, dt.date(2026, 5, 5), -8_600, groceries)
    spend(session, acc, dt.date(2026, 5, 5), -1_500, fun)

    status = budgets.month_status(session, MAY)
    assert line(status, food).state == "near"  # 86 %
    assert line(status, groceries).state == "over"
    assert line(status, fun).state == "over"
    assert line(status, groceries).name == "Food › Groceries"
    totals = status.totals["EUR"]
    assert (totals.budgeted, totals.spent, totals.available) == (11_000, 10_100, 900)
    may = budgets.year_figures(session, 2026)[4]
    assert (may.budgeted, may.spent) == (11_000, 10_100)


def test_rollover_carries_unspent_and_overspent_over_several_months(session: Session) -> None:
    acc = account(session)
    fun = category(session, "Fun", rollover=True)
    plain = category(session, "Plain")
    for month in (dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1), MAY):
        budgets.set_budget(session, fun.id, month, 10_000)
        budgets.set_budget(session, plain.id, month, 10_000)
    spend(session, acc, dt.date(2026, 1, 15), -77_700, fun)  # before budgets began: no carry
    spend(session, acc, dt.date(2026, 2, 10), -4_000, fun)  # +6,000 left
    spend(session, acc, dt.date(2026, 3, 10), -13_000, fun)  # -3,000 over
    spend(session, acc, dt.date(2026, 4, 10), -10_000, fun)  # even
    spend(session, acc, dt.date(2026, 4, 10), -1_000, plain)
    spend(session, acc, dt.date(2026, 5, 10), -2_000, fun)

    assert line(budgets.month_status(session, dt.date(2026, 3, 1)), fun).rollover == 6_000
    april = line(budgets.month_status(session, dt.date(2026, 4, 1)), fun)
    assert april.rollover == 3_000
    may = budgets.month_status(session, MAY)
    assert line(may, fun).rollover == 3_000
    assert line(may, fun).available == 11_000
    assert line(may, plain).rollover == 0
    assert may.totals["EUR"].available == 11_000 + 10_000


def test_income_budget_compares_against_income_received(session: Session) -> None:
    acc = account(session)
    salary = category(session, "Salary", kind="income")
    budgets.set_budget(session, salary.id, MAY, "3000")
    spend(session, acc, dt.date(2026, 5, 25), 250_000, salary)
    status = budgets.month_status(session, MAY)
    assert line(status, salary).spent == 250_000
    assert line(status, salary).state == "near"
    assert status.totals["EUR"].income_received == 250_000
    assert status.totals["EUR"].spent == 0


@pytest.mark.parametrize("text", ["abc", "-5", ""])
def test_bad_budget_amount_names_the_field_and_saves_nothing(session: Session, text: str) -> None:
    food = category(session, "Food")
    with pytest.raises(budgets.BudgetError) as error:
        budgets.set_budget(session, food.id, MAY, text)
    assert error.value.field == "amount"
    assert session.scalar(select(func.count()).select_from(Budget)) == 0


def test_copy_last_month_keeps_existing_budgets(session: Session) -> None:
    food, fun = category(session, "Food"), category(session, "Fun")
    budgets.set_budget(session, food.id, dt.date(2026, 4, 1), 30_000)
    budgets.set_budget(session, fun.id, dt.date(2026, 4, 1), 5_000)
    budgets.set_budget(session, fun.id, MAY, 7_000)
    assert budgets.copy_last_month(session, MAY) == 1
    status = budgets.month_status(session, MAY)
    assert {(x.name, x.budgeted) for x in status.lines} == {("Food", 30_000), ("Fun", 7_000)}


def test_fill_from_three_month_average_of_top_level_categories(session: Session) -> None:
    acc = account(session)
    food = category(session, "Food")
    groceries = category(session, "Groceries", food)
    fun = category(session, "Fun")
    spend(session, acc, dt.date(2026, 2, 3), -10_000, groceries)
    spend(session, acc, dt.date(2026, 3, 3), -20_050, food)
    spend(session, acc, dt.date(2026, 4, 3), -30_000, groceries)
    spend(session, acc, dt.date(2026, 1, 3), -90_000, fun)  # four months back: ignored
    assert budgets.fill_from_average(session, MAY) == 1
    status = budgets.month_status(session, MAY)
    # (100 + 200.50 + 300) / 3 = 200.17, rounded up to whole euros
    assert [(x.name, x.budgeted) for x in status.lines] == [("Food", 20_100)]
    assert budgets.fill_from_average(session, MAY) == 0


def test_other_currency_spending_counts_converted(session: Session) -> None:
    eur, usd = account(session), account(session, "Dollars", "USD")
    food = category(session, "Food")
    budgets.set_budget(session, food.id, MAY, 10_000)
    rates.set_rate(session, dt.date(2026, 4, 1), "USD", "2")
    spend(session, usd, dt.date(2026, 5, 3), -5_000, food)
    spend(session, eur, dt.date(2026, 5, 3), -1_000, food)
    status = budgets.month_status(session, MAY)
    # 50.00 USD at 2 USD per EUR is 25.00 EUR, on top of the 10.00 EUR.
    assert line(status, food).spent == 3_500
    assert status.converted and status.unconverted == []


def test_spending_without_a_rate_is_named_not_counted(session: Session) -> None:
    eur, francs = account(session), account(session, "Francs", "CHF")
    food = category(session, "Food")
    budgets.set_budget(session, food.id, MAY, 10_000)
    rates.set_rate(session, dt.date(2026, 4, 1), "USD", "2")  # a rate, but not for CHF
    spend(session, francs, dt.date(2026, 5, 3), -5_000, food)
    spend(session, eur, dt.date(2026, 5, 4), -1_000, food)
    spend(session, eur, dt.date(2026, 5, 5), -1_000, food)
    status = budgets.month_status(session, MAY)
    assert line(status, food).spent == 2_000
    assert status.unconverted == ["CHF"]


def test_year_figures_give_twelve_months(session: Session) -> None:
    acc = account(session)
    food = category(session, "Food")
    budgets.set_budget(session, food.id, MAY, 10_000)
    spend(session, acc, dt.date(2026, 5, 3), -4_000, food)
    figures = budgets.year_figures(session, 2026)
    assert len(figures) == 12
    assert (figures[4].budgeted, figures[4].spent) == (10_000, 4_000)
    assert figures[5].budgeted == 0
