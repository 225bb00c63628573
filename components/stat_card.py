"""A small card with one figure and how it changed since the previous period."""

from __future__ import annotations

from decimal import Decimal

from nicegui import ui

from fintrack import money


def stat_card(
    title: str,
    value: str,
    change: str | None = None,
    good: bool | None = None,
    negative: bool = False,
) -> ui.card:
    """`value` large (red when `negative`); `change` below it, green when `good`, red when not."""
    with ui.card().classes("w-full gap-1") as card:
        ui.label(title).classes("text-caption text-grey-7 uppercase")
        figure = ui.label(value).classes("text-h5 tabular-nums").props('data-testid="figure"')
        if negative:
            figure.classes("text-negative")
        if change is not None:
            color = (
                "text-grey-7" if good is None else ("text-positive" if good else "text-negative")
            )
            ui.label(change).classes(f"text-caption {color}")
    return card


def money_change(current: int, previous: int | None, currency: str, versus: str) -> str | None:
    """`▲ €120.00 vs last month`, or None when there is nothing to compare with."""
    if previous is None:
        return None
    difference = current - previous
    return f"{_arrow(difference)} {money.format_amount(abs(difference), currency)} {versus}"


def rate_change(current: Decimal | None, previous: Decimal | None, versus: str) -> str | None:
    """`▲ 3.2 points vs last month` for a percentage, or None when either side is missing."""
    if current is None or previous is None:
        return None
    difference = current - previous
    return f"{_arrow(difference)} {abs(difference)} points {versus}"


def _arrow(difference: int | Decimal) -> str:
    return "▲" if difference > 0 else "▼" if difference < 0 else "="
