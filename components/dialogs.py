"""Dialogs shared by the pages."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui


def confirm(title: str, consequence: str, action: str, on_confirm: Callable[[], None]) -> None:
    """Ask before a destructive action, saying what it will remove."""
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(title).classes("text-h6")
        ui.label(consequence)
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=dialog.close).props("flat")

            def go() -> None:
                dialog.close()
                on_confirm()

            ui.button(action, on_click=go).props("color=negative")
    dialog.open()
