"""Changes that touch reconciled transactions: tried as asked, and on refusal asked about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from nicegui import ui
from sqlalchemy.orm import Session

from components import core
from fintrack import transactions

T = TypeVar("T")


def _attempt(
    s: Session, fn: Callable[..., T], args: tuple[Any, ...], confirmed: bool
) -> tuple[bool, T | str]:
    """(True, result), or (False, why) when reconciled rows need the person's consent first."""
    try:
        return True, fn(s, *args, confirm_reconciled=confirmed)
    except transactions.ReconciledError as error:
        s.rollback()
        return False, error.message


async def _agreed(question: str, action: str) -> bool:
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label("Change reconciled transactions?").classes("text-h6")
        ui.label(f"{question[:1].upper()}{question[1:]}.")
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
            ui.button(action, on_click=lambda: dialog.submit(True)).props("color=negative")
    return bool(await dialog)


async def change(
    fn: Callable[..., T], *args: Any, action: str = "Change anyway", **options: Any
) -> core.Done[T] | None:
    """`core.change(fn, *args)`; when it would touch reconciled transactions, ask, and only
    with the person's yes do it with `confirm_reconciled=True`."""
    for confirmed in (False, True):
        done = await core.change(_attempt, fn, args, confirmed, **options)
        if done is None:
            return None
        ok, value = done.value
        if ok:
            return core.Done(value)  # type: ignore[arg-type]
        if not await _agreed(str(value), action):
            return None
    return None
