"""The Import page's history: recent imports, each with Undo after a confirmation that says
what it removes (and what would be lost when rows were edited or reconciled since)."""

from __future__ import annotations

from nicegui import ui
from sqlalchemy.orm import Session

from components import core
from fintrack.imports import history

HISTORY_LIMIT = 20


def load_batches(s: Session) -> list[history.BatchInfo]:
    """The newest imports."""
    return history.list_batches(s, limit=HISTORY_LIMIT)


def _undo(s: Session, batch_id: int, force: bool) -> history.UndoPreview:
    return history.undo(s, batch_id, force=force)


class HistoryCard:
    """The list of imports; `show` redraws it."""

    def __init__(self) -> None:
        self.card = ui.card().classes("w-full")

    def show(self, batches: list[history.BatchInfo]) -> None:
        """Draw the given imports, newest first."""
        self.card.clear()
        with self.card:
            ui.label("Import history").classes("text-subtitle1")
            if not batches:
                ui.label("No imports yet.").classes("text-grey-7")
            for batch in batches:
                with ui.row().classes("w-full items-center gap-4"):
                    ui.label(f"{batch.created_at:%Y-%m-%d %H:%M}").classes("tabular-nums")
                    ui.label(f"{batch.filename} → {batch.account}").classes("grow")
                    ui.label(
                        f"{batch.imported} new, {batch.duplicates} duplicate, "
                        f"{batch.possible_duplicates} possible duplicate, {batch.matched} matched"
                    ).classes("text-grey-7 text-body2")
                    if batch.undone_at is not None:
                        ui.label("Undone").classes("text-grey-7")
                    else:
                        ui.button("Undo", on_click=lambda b=batch: self._ask(b.id)).props(
                            f'flat color=negative aria-label="Undo import {batch.id}"'
                        )

    async def _ask(self, batch_id: int) -> None:
        previewed = await core.load(history.preview_undo, batch_id)
        if previewed is None:
            return
        preview = previewed.value
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label("Undo this import?").classes("text-h6")
            ui.label(f"This {preview.describe()}.")

            async def go() -> None:
                dialog.close()
                await core.change(
                    _undo, batch_id, not preview.clean, done=f"Undone: {preview.filename}"
                )
                batches = await core.load(load_batches)
                if batches is not None:
                    self.show(batches.value)

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                label = "Undo import" if preview.clean else "Undo anyway"
                ui.button(label, on_click=go).props("color=negative")
        dialog.open()
