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
from components.frame import frame
from components.money import MoneyInput, amount_label
from fintrack import budgets, categories, money, periods, preferences


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
    return budgets.main_currency(s), categories.options(s)


@ui.page("/budgets")
def budgets_page(month: str | None = None) -> None:
    shown, refused = _month(month)
    with frame("Budgets", "/budgets"):
        core.Panel(_form, lambda form: _budgets(shown, refused, *form))


def _budgets(
    shown: dt.date, refused: str, currency: str, options: list[categories.CategoryOption]
) -> None:
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
        ui.button("Copy last month", icon="content_copy", on_click=lambda: copy()).props("flat")
        ui.button("Fill from 3-month average", icon="functions", on_click=lambda: fill()).props(
            "flat"
        )
    notice = ui.label(refused).classes("text-caption text-grey-7").props('role="status"')

    with ui.card().classes("w-full"), ui.row().classes("w-full items-start gap-2"):
        category = (
            category_select(options, label="Category")
            .classes("min-w-[16rem]")
            .mark("budget-category")
        )
        amount = MoneyInput("Budget", currency=currency).classes("w-40").mark("budget-amount")
        set_button = ui.button("Set budget", on_click=lambda: save()).classes("mt-2")

    content = core.Panel(lambda s: _load(s, shown), lambda loaded: render(*loaded))

    async def save() -> None:
        if category.value is None:
            category.error = "Choose a category."
            return
        saved = await core.change(
            budgets.set_budget,
            category.value,
            shown,
            amount.value or "",
            fields={"amount": amount, "category_id": category, "": category},
            busy=[set_button],
        )
        if saved is None:
            return
        amount.value = ""
        amount.error = None
        await content.refresh()

    async def copy() -> None:
        added = await core.change(budgets.copy_last_month, shown)
        if added is not None:
            notice.text = f"Copied {added.value} budget(s) from last month."
            await content.refresh()

    async def fill() -> None:
        added = await core.change(budgets.fill_from_average, shown)
        if added is not None:
            notice.text = f"Added {added.value} budget(s) from the average of the last 3 months."
            await content.refresh()

    def remove(line: budgets.BudgetLine) -> None:
        async def go() -> None:
            if await core.change(budgets.remove_budget, line.category_id, shown, what="remove"):
                await content.refresh()

        confirm(
            f"Remove the budget for {line.name}?",
            f"The {money.format_amount(line.budgeted, currency)} budget for {line.name} in "
            f"{shown.strftime('%Y-%m')} will be removed. Transactions stay as they are.",
            "Remove budget",
            go,
        )

    async def roll_over(line: budgets.BudgetLine, enabled: bool) -> None:
        if enabled == line.carries_over:
            return
        if await core.change(budgets.set_rollover, line.category_id, enabled):
            await content.refresh()

    def edit(line: budgets.BudgetLine) -> None:
        category.value = line.category_id
        amount.value = money.format_plain(line.budgeted, currency)

    def open_category(point: list) -> None:
        ui.navigate.to(transactions_url(point[1], shown, periods.month_end(shown)))

    def render(status: budgets.BudgetMonth, year: list[budgets.MonthFigures], dark: bool) -> None:
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
                with ui.row().classes("w-full items-center no-wrap gap-2"):
                    budget_row(line, status.currency).classes("grow")
                    if line.kind == "expense":
                        ui.switch(
                            "Roll over",
                            value=line.carries_over,
                            on_change=lambda e, x=line: roll_over(x, e.value),
                        ).props("dense").classes("text-no-wrap").tooltip(
                            "Carry what is left (or overspent) into next month"
                        )
                    ui.button(icon="edit", on_click=lambda _, x=line: edit(x)).props(
                        f'flat round dense aria-label="Edit budget {line.name}"'
                    )
                    ui.button(icon="delete", on_click=lambda _, x=line: remove(x)).props(
                        f'flat round dense aria-label="Remove budget {line.name}"'
                    )
        with ui.row().classes("w-full gap-4"):
            with ui.card().classes("grow min-w-[20rem]"):
                ui.label("Budget vs actual this month").classes("text-subtitle1")
                chart(
                    month_figure(status.lines, status.currency, dark),
                    on_click=open_category,
                    height="18rem",
                )
            with ui.card().classes("grow min-w-[20rem]"):
                ui.label(f"Budget vs actual in {shown.year}").classes("text-subtitle1")
                chart(
                    year_figure(year, status.currency, dark),
                    on_click=lambda point: ui.navigate.to(_link(dt.date.fromisoformat(point[1]))),
                    height="18rem",
                )
