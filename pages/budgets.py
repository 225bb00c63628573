"""Budgets `/budgets`: a month's budgets with progress, copy and fill, budget-vs-actual charts."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from sqlalchemy.orm import Session

from components import core
from components.budget_bar import budget_row, month_figure, year_figure
from components.category_select import category_select
from components.charts import chart, transactions_url
from components.dialogs import confirm
from components.form import Form
from components.frame import frame
from components.money import MoneyInput, amount_label
from fintrack import budgets, categories, currency, money, periods, preferences, words


def _month(text: str | None) -> tuple[dt.date, str]:
    """The month asked for in the URL, or this month with the reason it was not used."""
    this_month = periods.month_start(dt.date.today())
    if not text:
        return this_month, ""
    try:
        return periods.parse_month(text), ""
    except ValueError as error:
        return this_month, f"Showing this month: {error}."


def _link(month: dt.date) -> str:
    return f"/budgets?month={month.strftime('%Y-%m')}"


def _load(
    s: Session, month: dt.date
) -> tuple[budgets.BudgetMonth, list[budgets.MonthFigures], bool]:
    return (
        budgets.month_status(s, month),
        budgets.year_figures(s, month.year),
        preferences.dark_mode(s),
    )


def _form(s: Session) -> tuple[str, list[categories.CategoryOption]]:
    return currency.reporting_currency(s), categories.options(s)


class BudgetsPage(Form[tuple[int, int]]):
    """`/budgets?month=YYYY-MM`: the month's budgets, the form that sets one (it reads the
    category and the amount, named as `budgets.set_budget` names them), the charts."""

    def __init__(self, month: str | None = None) -> None:
        super().__init__()
        self.shown, self.refused = _month(month)
        with frame("Budgets", "/budgets"):
            core.Panel(_form, lambda form: self.build(*form))

    def build(self, currency: str, options: list[categories.CategoryOption]) -> None:
        shown = self.shown
        self.currency = currency
        with ui.row().classes("w-full items-center gap-2"):
            ui.button(
                icon="chevron_left",
                on_click=lambda: ui.navigate.to(_link(periods.add_months(shown, -1))),
            ).props('flat round aria-label="Previous month"')
            ui.label(shown.strftime("%Y-%m")).classes("text-h6")
            ui.button(
                icon="chevron_right",
                on_click=lambda: ui.navigate.to(_link(periods.add_months(shown, 1))),
            ).props('flat round aria-label="Next month"')
            ui.space()
            ui.button("Copy last month", icon="content_copy", on_click=self.copy).props("flat")
            ui.button("Fill from 3-month average", icon="functions", on_click=self.fill).props(
                "flat"
            )
        self.notice = ui.label(self.refused).classes("text-caption text-grey-7")
        self.notice.props('role="status"')

        with ui.card().classes("w-full"), ui.row().classes("w-full items-start gap-2"):
            self.category = (
                category_select(options, label="Category")
                .classes("min-w-[16rem]")
                .mark("budget-category")
            )
            self.amount = (
                MoneyInput("Budget", currency=currency).classes("w-40").mark("budget-amount")
            )
            self.set_button = ui.button("Set budget", on_click=self.save).classes("mt-2")
        self.fields = {"category_id": self.category, "amount": self.amount}

        self.view = core.Panel(lambda s: _load(s, shown), lambda loaded: self.show(*loaded))

    def data(self) -> tuple[int, int]:
        """The category and the amount (minor units, read in the chosen number format)."""
        return (
            self.chosen("category_id", "Choose a category."),
            self.amount_at("amount", "Enter the budget."),
        )

    async def save(self) -> None:
        data = self.read()
        if data is None:
            return
        category_id, amount = data
        saved = await self.submit(
            budgets.set_budget, category_id, self.shown, amount, busy=[self.set_button]
        )
        if saved is None:
            return
        self.amount.value = ""
        self.amount.error = None
        await self.view.refresh()

    async def copy(self) -> None:
        added = await core.change(budgets.copy_last_month, self.shown)
        if added is not None:
            self.notice.text = f"Copied {words.count(added.value, 'budget')} from last month."
            await self.view.refresh()

    async def fill(self) -> None:
        added = await core.change(budgets.fill_from_average, self.shown)
        if added is not None:
            self.notice.text = (
                f"Added {words.count(added.value, 'budget')} from the average of the last 3 months."
            )
            await self.view.refresh()

    def remove(self, line: budgets.BudgetLine) -> None:
        shown = self.shown

        async def go() -> None:
            if await core.change(budgets.remove_budget, line.category_id, shown, what="remove"):
                await self.view.refresh()

        confirm(
            f"Remove the budget for {line.name}?",
            f"The {money.format_amount(line.budgeted, self.currency)} budget for {line.name} in "
            f"{shown.strftime('%Y-%m')} will be removed. Transactions stay as they are.",
            "Remove budget",
            go,
        )

    async def roll_over(self, line: budgets.BudgetLine, enabled: bool) -> None:
        if enabled == line.carries_over:
            return
        if await core.change(budgets.set_rollover, line.category_id, enabled):
            await self.view.refresh()

    def edit(self, line: budgets.BudgetLine) -> None:
        self.category.value = line.category_id
        self.amount.value = money.format_input(line.budgeted, self.currency)
        # The form is above the list: bring it into view with the focus on the amount.
        self.amount.run_method("focus")

    def open_category(self, point: list) -> None:
        ui.navigate.to(transactions_url(point[1], self.shown, periods.month_end(self.shown)))

    def show(
        self, status: budgets.BudgetMonth, year: list[budgets.MonthFigures], dark: bool
    ) -> None:
        shown = self.shown
        totals = status.totals[status.currency]
        if status.converted:
            ui.label(
                f"Budgets are in {status.currency}; spending in accounts of other "
                "currencies counts converted at each transaction date's rate."
            ).classes("text-caption text-grey-7")
        if status.unconverted:
            ui.label(
                f"No exchange rate for {', '.join(status.unconverted)}: that spending is "
                "not counted here. Add a rate in Settings."
            ).classes("text-negative").props('role="alert"')
        with ui.row().classes("w-full gap-4"):
            for label, value in (
                ("Budgeted", totals.budgeted + totals.rollover),
                ("Spent", totals.spent),
                ("Left to spend", totals.available),
            ):
                with ui.card().classes("min-w-[12rem]"):
                    ui.label(label).classes("text-grey-7")
                    amount_label(value, status.currency).classes("text-h6")
                    if label == "Budgeted" and totals.rollover:
                        ui.label(
                            f"{money.format_amount(totals.budgeted, status.currency)} this month "
                            f"+ {money.format_amount(totals.rollover, status.currency)} rolled "
                            "over"
                        ).classes("text-caption text-grey-7")
            if totals.income_budgeted:
                with ui.card().classes("min-w-[12rem]"):
                    ui.label("Income received").classes("text-grey-7")
                    amount_label(totals.income_received, status.currency).classes("text-h6")
                    ui.label(
                        f"of {money.format_amount(totals.income_budgeted, status.currency)}"
                    ).classes("text-caption text-grey-7")
        if not status.lines:
            ui.label(
                "No budgets for this month yet: set one above, copy last month's, "
                "or fill from your average spending."
            ).classes("text-grey-7")
            return
        with ui.card().classes("w-full"), ui.column().classes("w-full gap-3"):
            for line in status.lines:
                with ui.row().classes("w-full items-center justify-end gap-x-2 gap-y-0"):
                    budget_row(line, status.currency).classes("grow basis-64")
                    if line.kind == "expense":
                        ui.switch(
                            "Roll over",
                            value=line.carries_over,
                            on_change=lambda e, x=line: self.roll_over(x, e.value),
                        ).props("dense").classes("text-no-wrap").tooltip(
                            "Carry what is left (or overspent) into next month"
                        )
                    ui.button(icon="edit", on_click=lambda _, x=line: self.edit(x)).props(
                        f'flat round dense aria-label="Edit budget {line.name}"'
                    )
                    ui.button(icon="delete", on_click=lambda _, x=line: self.remove(x)).props(
                        f'flat round dense aria-label="Remove budget {line.name}"'
                    )
        with ui.row().classes("w-full gap-4"):
            with ui.card().classes("grow min-w-[20rem]"):
                ui.label("Budget vs actual this month").classes("text-subtitle1")
                chart(
                    month_figure(status.lines, status.currency, dark),
                    on_click=self.open_category,
                    height="18rem",
                )
            with ui.card().classes("grow min-w-[20rem]"):
                ui.label(f"Budget vs actual in {shown.year}").classes("text-subtitle1")
                chart(
                    year_figure(year, status.currency, dark),
                    on_click=lambda point: ui.navigate.to(_link(dt.date.fromisoformat(point[1]))),
                    height="18rem",
                )
