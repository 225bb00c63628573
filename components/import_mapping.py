"""The Import page's column mapping card: shows what detection chose and lets the person
correct it (roles, date order, decimal separator, flipped signs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from fintrack import imports
from fintrack.imports import csv_format, csv_words


class MappingCard:
    """A card that shows a CSV mapping and hands a corrected one to `on_apply`."""

    def __init__(self, on_apply: Callable[[csv_format.CsvMapping], Awaitable[None]]) -> None:
        self.on_apply = on_apply
        self.guess: csv_format.CsvMapping | None = None
        self.card = ui.card().classes("w-full")
        self.card.visible = False

    def hide(self) -> None:
        """Nothing to map (not a CSV or Excel file)."""
        self.card.visible = False

    def show(self, parsed: imports.ParsedFile, unsure: bool) -> None:
        """The mapping of `parsed`; open when detection is unsure or the person is correcting."""
        mapping: csv_format.CsvMapping = parsed.mapping
        self.guess = mapping
        self.card.clear()
        self.card.visible = True
        columns = {-1: "(none)"} | {
            i: name or f"Column {i + 1}" for i, name in enumerate(mapping.header)
        }
        with (
            self.card,
            ui.expansion("2. Columns", icon="view_column", value=unsure).classes("w-full"),
        ):
            for doubt in parsed.doubts:
                ui.label(f"Please check: {doubt}.").classes("text-warning")
            self.role_selects: dict[str, ui.select] = {}
            with ui.row().classes("w-full gap-3"):
                for role in csv_format.ROLES:
                    self.role_selects[role] = ui.select(
                        columns,
                        label=csv_words.ROLE_LABELS[role],
                        value=mapping.columns.get(role, -1),
                    ).classes("w-48")
            with ui.row().classes("gap-3"):
                self.date_order = ui.select(
                    csv_words.DATE_ORDERS, label="Dates", value=mapping.date_order
                ).classes("w-64")
                self.decimal_sep = ui.select(
                    csv_words.DECIMAL_SEPARATORS,
                    label="Decimal separator",
                    value=mapping.decimal_sep,
                ).classes("w-48")
                self.flip_sign = ui.checkbox(
                    "Charges are positive in this file (flip signs)", value=mapping.flip_sign
                )
            ui.button("Apply columns", icon="refresh", on_click=self._apply).props("outline")
            if parsed.sample and not parsed.rows:
                ui.label("The first rows of the file:").classes("text-grey-7")
                sample_columns = [
                    {"name": str(i), "label": columns[i], "field": str(i), "align": "left"}
                    for i in range(len(mapping.header))
                ]
                sample_rows = [
                    {"_id": n, **{str(i): v for i, v in enumerate(cells)}}
                    for n, cells in enumerate(parsed.sample)
                ]
                ui.table(columns=sample_columns, rows=sample_rows, row_key="_id").props(
                    "dense flat"
                )

    async def _apply(self) -> None:
        chosen = {
            role: select.value
            for role, select in self.role_selects.items()
            if select.value is not None and select.value >= 0
        }
        await self.on_apply(
            csv_format.with_changes(
                self.guess,
                columns=chosen,
                date_order=self.date_order.value,
                decimal_sep=self.decimal_sep.value,
                flip_sign=bool(self.flip_sign.value),
            )
        )
