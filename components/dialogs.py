"""Dialogs shared by the pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui


def confirm(
    title: str, consequence: str, action: str, on_confirm: Callable[[], Awaitable[None] | None]
) -> None:
    """Ask before a destructive action, saying what it will remove."""
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(title).classes("text-h6")
        ui.label(consequence)
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=dialog.close).props("flat")

            async def go() -> None:
                dialog.close()
                result = on_confirm()
                if result is not None:
                    await result

            ui.button(action, on_click=go).props("color=negative")
    dialog.open()
