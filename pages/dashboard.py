"""The dashboard `/`: this period's figures and charts, or a welcome when there is no data yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from nicegui import ui
from sqlalchemy.orm import Session

from components import charts, core
from components.budget_bar import progress_bar
from components.frame import frame
from components.money import amount_label
from components.progress import Progress
from components.stat_card import money_change, rate_change, stat_card
from fintrack import (
    budgets,
    dashboard,
    demo,
    display,
    money,
    periods,
    preferences,
    recurring_views,
    reports,
)

DEMO_TRANSACTIONS = 5000
DEMO_SEED = 42
UPCOMING_DAYS = 30
SHOWN_ITEMS = 6
VERSUS = {
    "this_month": "vs last month",
    "last_month": "vs the month before",
    "this_year": "vs last year",
    "last_12_months": "vs the 12 months before",
}


@dataclass
class _Page:
    """What one rendering of the dashboard shows."""

    dark: bool
    board: dashboard.Dashboard
    budget: budgets.BudgetMonth
    upcoming: list[recurring_views.UpcomingItem]


def _load(s: Session, preset: str) -> _Page | None:
    """The dashboard's figures; None before there is any data (the welcome shows instead)."""
    if not reports.has_data(s):
        return None
    today = dt.date.today()
    return _Page(
        dark=preferences.dark_mode(s),
        board=dashboard.dashboard(s, preset, today),
        budget=budgets.month_status(s, today),
        upcoming=recurring_views.upcoming(s, today, days=UPCOMING_DAYS),
    )


def _generate_demo(s: Session, progress: Progress) -> None:
    demo.generate(s, transactions=DEMO_TRANSACTIONS, seed=DEMO_SEED, progress=progress.report)


def empty_state() -> None:
    """What fintrack is and what to do first, with demo data one click away."""
    with ui.card().classes("w-full max-w-2xl"):
        ui.label("Welcome to fintrack").classes("text-h6")
        ui.label(
            "fintrack keeps your accounts, cards and transactions in one place: import your "
            "banks' CSV and OFX exports, sort spending into categories, set a monthly budget "
            "and see where the money goes. There are no transactions yet."
        )
        ui.label("Start here").classes("text-subtitle1 q-mt-sm")
        with ui.row().classes("gap-2"):
            ui.button("Add an account", icon="account_balance").on_click(
                lambda: ui.navigate.to("/accounts")
            )
            ui.button("Import a bank file", icon="upload_file").on_click(
                lambda: ui.navigate.to("/import")
            ).props("outline")
        ui.label("Or look around first with made-up demo data.").classes("q-mt-sm")
        with ui.row().classes("w-full items-center gap-2"):
            button = ui.button("Load demo data", icon="auto_awesome").props("outline")
            spinner = ui.spinner(size="md")
            status = ui.label().props('role="status"')
        bar = ui.linear_progress(value=0, show_value=False).classes("w-full")
        for element in (spinner, bar):
            element.visible = False
        progress = Progress()
        ticker = ui.timer(0.3, lambda: bar.set_value(progress.fraction), active=False)

        async def load_demo() -> None:
            if not button.enabled:
                return
            spinner.visible = bar.visible = True
            ticker.activate()
            status.text = f"Creating {DEMO_TRANSACTIONS:,} demo transactions…"
            status.classes(remove="text-negative")
            try:
                created = await core.change(
                    _generate_demo,
                    progress,
                    status=status,
                    busy=[button],
                    what="create the demo data",
                    patience=None,
                )
            finally:
                ticker.deactivate()
                spinner.visible = bar.visible = False
            if created is None:
                status.classes("text-negative")
                return
            ui.navigate.reload()

        button.on_click(load_demo)


def _net_worth_note(board: dashboard.Dashboard) -> str | None:
    """Hover text of a converted net worth: each account's balance, rate and its date."""
    detail = board.net_worth_detail
    if detail is None or not any(a.currency != board.currency for a in detail.accounts):
        return None
    lines = [f"Balances on {display.date(detail.date)} converted to {board.currency}:"]
    for account in detail.accounts:
        balance = money.format_amount(account.balance, account.currency)
        if account.converted is None:
            lines.append(f"{account.name}: {balance}, no rate: not counted")
        elif account.currency == board.currency:
            lines.append(f"{account.name}: {balance}")
        else:
            converted = money.format_amount(account.converted, board.currency)
            rate = f"{account.rate} {board.currency}/{account.currency}"
            lines.append(
                f"{account.name}: {balance} = {converted} "
                f"at {rate} ({display.date(account.rate_date)})"
            )
    return "\n".join(lines)


def _flow_note(board: dashboard.Dashboard, field: str) -> str | None:
    """Hover text of converted income or expenses: the amounts in each account currency."""
    foreign = [s for code, s in board.originals.items() if code != board.currency]
    if not any(getattr(summary, field) for summary in foreign):
        return None
    parts = [
        money.format_amount(getattr(summary, field), code)
        for code, summary in sorted(board.originals.items())
        if getattr(summary, field)
    ]
    return f"{' + '.join(parts)}, each converted to {board.currency} at its transaction date's rate"


def _converted(card: ui.card, note: str | None) -> None:
    """Mark a card's figure as converted; the hover says from what and at which rates."""
    if note is None:
        return
    with card:
        ui.label("converted").classes("text-caption text-grey-7").props('data-testid="converted"')
        ui.tooltip(note).classes("whitespace-pre-line text-body2")


def _cards(board: dashboard.Dashboard, preset: str) -> None:
    versus = VERSUS.get(preset, "")
    cur = board.currency
    previous = board.previous_summary
    with ui.grid().classes("w-full grid-cols-1 sm:grid-cols-2 lg:grid-cols-4 gap-4"):
        worth = stat_card(
            "Net worth",
            money.format_amount(board.net_worth, cur),
            money_change(board.net_worth, board.previous_net_worth, cur, versus),
            None
            if board.previous_net_worth is None
            else board.net_worth >= board.previous_net_worth,
            negative=board.net_worth < 0,
        )
        _converted(worth, _net_worth_note(board))
        income = stat_card(
            "Income",
            money.format_amount(board.summary.income, cur),
            money_change(board.summary.income, previous and previous.income, cur, versus),
            None if previous is None else board.summary.income >= previous.income,
        )
        _converted(income, _flow_note(board, "income"))
        expenses = stat_card(
            "Expenses",
            money.format_amount(board.summary.expenses, cur),
            money_change(board.summary.expenses, previous and previous.expenses, cur, versus),
            None if previous is None else board.summary.expenses <= previous.expenses,
        )
        _converted(expenses, _flow_note(board, "expenses"))
        rate = board.summary.savings_rate
        before = previous.savings_rate if previous else None
        stat_card(
            "Savings rate",
            "–" if rate is None else f"{rate}%",
            rate_change(rate, before, versus),
            None if rate is None or before is None else rate >= before,
            negative=rate is not None and rate < 0,
        )


def _charts(board: dashboard.Dashboard, dark: bool) -> None:
    period = board.period
    cur = board.currency

    def open_category(data: list[Any]) -> None:
        ui.navigate.to(charts.transactions_url(data[1], period.start, period.end))

    def open_month(data: list[Any]) -> None:
        month = charts.month_period(data[1])
        ui.navigate.to(charts.transactions_url(None, month.start, month.end))

    with ui.grid().classes("w-full grid-cols-1 lg:grid-cols-2 gap-4"):
        with ui.card().classes("w-full"):
            ui.label("Spending by category").classes("text-subtitle1")
            if any(c.total > 0 for c in board.spending):
                charts.chart(charts.donut(board.spending, cur, dark), open_category)
            else:
                ui.label("No spending in this period.").classes("text-grey-7")
        with ui.card().classes("w-full"):
            ui.label("Income and expenses by month").classes("text-subtitle1")
            charts.chart(charts.income_expense_bars(board.months, cur, dark), open_month)
    with ui.card().classes("w-full"):
        ui.label("Net worth over time").classes("text-subtitle1")
        charts.chart(
            charts.net_worth_lines(board.net_worth_series, cur, dark, converted=board.converted),
            open_month,
        )


def _budget_card(budget: budgets.BudgetMonth) -> None:
    """The month's budget: totals and the categories closest to (or over) their limit."""
    totals = budget.totals.get(budget.currency)
    expense = [line for line in budget.lines if line.kind == "expense"]
    with ui.card().classes("w-full"):
        with ui.row().classes("w-full items-center"):
            ui.label(f"Budget {budget.month.strftime('%Y-%m')}").classes("text-subtitle1")
            ui.space()
            ui.link("All budgets", "/budgets")
        if not expense or totals is None:
            ui.label("No budget for this month yet.").classes("text-grey-7")
            return
        with ui.row().classes("w-full items-baseline gap-2"):
            ui.label(
                f"{money.format_amount(totals.spent, budget.currency)} spent of "
                f"{money.format_amount(totals.budgeted + totals.rollover, budget.currency)}"
            )
            ui.space()
            ui.label("left").classes("text-grey-7")
            amount_label(totals.available, budget.currency).classes("text-subtitle1")
        for line in sorted(expense, key=lambda b: -b.percent)[:SHOWN_ITEMS]:
            with ui.column().classes("w-full gap-0"):
                with ui.row().classes("w-full text-caption"):
                    ui.label(line.name)
                    ui.space()
                    ui.label(
                        f"{money.format_amount(line.spent, budget.currency)} of "
                        f"{money.format_amount(line.budgeted + line.rollover, budget.currency)}"
                    ).classes("tabular-nums")
                progress_bar(line)
        if len(expense) > SHOWN_ITEMS:
            ui.link(f"+{len(expense) - SHOWN_ITEMS} more", "/budgets").classes("text-caption")


def _upcoming_card(items: list[recurring_views.UpcomingItem]) -> None:
    """Recurring items due in the coming days, overdue ones first."""
    with ui.card().classes("w-full"):
        with ui.row().classes("w-full items-center"):
            ui.label(f"Upcoming in {UPCOMING_DAYS} days").classes("text-subtitle1")
            ui.space()
            ui.link("All recurring", "/recurring")
        if not items:
            ui.label("Nothing due.").classes("text-grey-7")
            return
        with ui.list().props("dense").classes("w-full"):
            for item in items[:SHOWN_ITEMS]:
                with ui.item():
                    with ui.item_section():
                        ui.item_label(item.name)
                        when = display.date(item.due_date) + (" · overdue" if item.overdue else "")
                        ui.item_label(f"{when} · {item.account_name}").props("caption").classes(
                            "text-negative" if item.overdue else ""
                        )
                    with ui.item_section().props("side"):
                        amount_label(item.amount, item.currency)
            if len(items) > SHOWN_ITEMS:
                ui.label(f"and {len(items) - SHOWN_ITEMS} more").classes("text-grey-7 q-pl-md")


class DashboardPage:
    """`/`: the chosen period's figures; the view loads them once the browser is there."""

    def __init__(self, period: str = "this_month") -> None:
        self.preset = period if period in periods.PRESETS else "this_month"
        with frame("Dashboard", "/"):
            self.view = core.Panel(self.load, self.show)

    def load(self, s: Session) -> _Page | None:
        return _load(s, self.preset)

    def show(self, page: _Page | None) -> None:
        _dashboard(page, self.preset)


def _dashboard(page: _Page | None, preset: str) -> None:
    if page is None:
        empty_state()
        return
    board = page.board
    with ui.row().classes("w-full items-center"):
        ui.select(
            dict(periods.PRESET_LABELS),
            value=preset,
            label="Period",
            on_change=lambda e: ui.navigate.to(f"/?period={e.value}"),
        ).classes("w-48")
        ui.label(
            f"{display.span(board.period.start, board.period.end)}, figures in {board.currency}"
        ).classes("text-grey-7")
        if board.unconverted:
            ui.label(
                f"No exchange rate for {', '.join(board.unconverted)}: those amounts are "
                "not in these totals. Add a rate in Settings."
            ).classes("text-negative text-caption").props('role="alert"')
    _cards(board, preset)
    _charts(board, page.dark)
    with ui.grid().classes("w-full grid-cols-1 lg:grid-cols-2 gap-4"):
        _budget_card(page.budget)
        _upcoming_card(page.upcoming)
