"""Budget pieces: a progress bar per category and budget-vs-actual charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nicegui import ui

from components.charts import EXPENSE_COLOR, NET_COLOR, OTHER_COLOR, bar, figure
from components.money import amount_label
from fintrack import money
from fintrack.budgets import BudgetLine, MonthFigures

STATE_COLORS = {"ok": "positive", "near": "warning", "over": "negative"}
BUDGET_COLOR = NET_COLOR


def progress_bar(line: BudgetLine) -> ui.linear_progress:
    """Green under the limit, amber from 85 %, red when spending went over."""
    return ui.linear_progress(
        value=min(max(line.percent, 0), 100) / 100,
        show_value=False,
        size="10px",
        color=STATE_COLORS[line.state],
    ).props(f'rounded aria-label="{line.percent} %"')


def _rollover_text(line: BudgetLine, currency: str) -> str:
    if line.rollover > 0:
        return f"{money.format_amount(line.rollover, currency)} carried over"
    return f"{money.format_amount(-line.rollover, currency)} overspent earlier"


def _remaining_label(line: BudgetLine) -> str:
    if line.kind == "expense":
        return "left"
    return "to come" if line.available >= 0 else "more than expected"


def budget_row(line: BudgetLine, currency: str) -> ui.column:
    """Name, progress, spent of budget, rollover and what is left, for one category."""
    verb = "received" if line.kind == "income" else "spent"
    with ui.column().classes("w-full gap-1") as column:
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.icon("circle", size="xs").style(f"color: {line.color or OTHER_COLOR}")
            ui.label(line.name).classes("text-subtitle1")
            ui.space()
            ui.label(_remaining_label(line)).classes("text-grey-7")
            shown = (
                -line.available if line.kind == "income" and line.available < 0 else line.available
            )
            amount_label(shown, currency).classes("text-subtitle1")
        progress_bar(line)
        with ui.row().classes("w-full gap-2 text-caption text-grey-7"):
            ui.label(
                f"{money.format_amount(line.spent, currency)} {verb} of "
                f"{money.format_amount(line.budgeted, currency)} ({line.percent} %)"
            )
            if line.rollover:
                ui.label(_rollover_text(line, currency)).classes(
                    "text-positive" if line.rollover > 0 else "text-negative"
                )
    return column


def _bar(
    name: str, color: str, x: list[str], minors: list[int], keys: list[Any], currency: str
) -> dict[str, Any]:
    return bar(name, color, x, minors, keys, currency, hover="{label} · {name}: {amount}")


def _figure(data: list[dict[str, Any]], dark: bool) -> dict[str, Any]:
    # Legend above: long category names below the bars would run into it.
    return figure(
        data,
        dark,
        barmode="group",
        xaxis={"type": "category", "automargin": True},
        legend={"orientation": "h", "y": 1.12},
    )


def month_figure(lines: Sequence[BudgetLine], currency: str, dark: bool) -> dict[str, Any]:
    """Budget (with rollover) against spending per expense line; a click gives the category id."""
    expense = [line for line in lines if line.kind == "expense"]
    x = [line.name for line in expense]
    ids = [line.category_id for line in expense]
    limits = [b.budgeted + b.rollover for b in expense]
    return _figure(
        [
            _bar("Budget", BUDGET_COLOR, x, limits, ids, currency),
            _bar("Spent", EXPENSE_COLOR, x, [b.spent for b in expense], ids, currency),
        ],
        dark,
    )


def year_figure(figures: Sequence[MonthFigures], currency: str, dark: bool) -> dict[str, Any]:
    """Total budget against spending in budgeted categories per month; a click gives the month."""
    x = [f.month.strftime("%Y-%m") for f in figures]
    months = [f.month.isoformat() for f in figures]
    return _figure(
        [
            _bar("Budget", BUDGET_COLOR, x, [f.budgeted for f in figures], months, currency),
            _bar("Spent", EXPENSE_COLOR, x, [f.spent for f in figures], months, currency),
        ],
        dark,
    )
