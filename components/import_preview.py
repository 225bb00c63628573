"""The Import page's preview card: every row of the file with what the import will do with it,
the person's decisions on selected rows, and the button that imports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from nicegui import ui

from components.category_select import category_select
from components.money import MONEY_CELL
from fintrack import display, imports, money, words
from fintrack.categories import CategoryOption
from fintrack.imports import csv_format

TABLE_LIMIT = 1000
ERROR_LIMIT = 100
STATUS_LABELS = {
    "new": "New",
    "duplicate": "Duplicate",
    "possible": "Possible duplicate",
    "match": "Matches",
    "excluded": "Left out",
}
ROW_COLUMNS = [
    {"name": "line", "label": "Line", "field": "line", "align": "right"},
    {"name": "date", "label": "Date", "field": "date", "align": "left"},
    {"name": "payee", "label": "Payee", "field": "payee", "align": "left"},
    {"name": "memo", "label": "Memo", "field": "memo", "align": "left"},
    {"name": "amount", "label": "Amount", "field": "amount", "align": "right"},
    {"name": "category", "label": "Category", "field": "category", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "twin", "label": "Already in the account", "field": "twin", "align": "left"},
    {"name": "reason", "label": "Note", "field": "reason", "align": "left"},
]
# Rows that need a decision first, then new ones; duplicates (with reasons) last.
ORDER = {"possible": 0, "match": 1, "new": 2, "excluded": 3, "duplicate": 4}


@dataclass
class Upload:
    """What the person uploaded and decided so far (lines are the rows' file lines)."""

    data: bytes = b""
    filename: str = ""
    mapping: csv_format.CsvMapping | None = None
    excluded: set[int] = field(default_factory=set)
    as_new: set[int] = field(default_factory=set)
    keep: set[int] = field(default_factory=set)
    payees: dict[int, str] = field(default_factory=dict)
    categories: dict[int, int | None] = field(default_factory=dict)

    def choices(self, skip_errors: bool = False) -> imports.Choices:
        """The decisions as the core takes them."""
        return imports.Choices(
            frozenset(self.excluded),
            frozenset(self.as_new),
            skip_errors,
            frozenset(self.keep),
            payees=dict(self.payees),
            categories=dict(self.categories),
        )


class PreviewCard:
    """Step 3 of an import. The buttons change the decisions in `upload` and call `on_change`
    (the page reads the file again with them); the import button calls `on_import`."""

    def __init__(
        self,
        options: list[CategoryOption],
        on_change: Callable[[], Awaitable[None]],
        on_import: Callable[[], Awaitable[None]],
    ) -> None:
        self.options = options
        self.paths = {option.id: option.path for option in options}
        self.on_change = on_change
        self.on_import = on_import
        self.upload = Upload()
        self.card = ui.card().classes("w-full")
        self.card.visible = False

    def hide(self) -> None:
        self.card.visible = False

    @property
    def skip_errors(self) -> bool:
        """Whether the person ticked "Skip the rows with errors"."""
        return bool(self.skip.value)

    def _row(self, planned: imports.PlannedRow, currency: str) -> dict[str, Any]:
        row, twin = planned.row, planned.twin
        return {
            "line": row.line,
            "date": display.date(row.date),
            "payee": planned.payee or row.payee,
            "memo": row.memo or "",
            "amount": money.format_amount(row.amount, currency),
            "category": self.paths.get(planned.category_id, ""),
            "status": STATUS_LABELS[planned.status],
            "twin": f"{display.date(twin.date)} {twin.payee or '(no payee)'}" if twin else "",
            "reason": planned.reason,
        }

    def show(self, upload: Upload, parsed: imports.ParsedFile, plan: imports.Plan) -> None:
        """The plan of `parsed` under the decisions in `upload`."""
        self.upload = upload
        self.card.clear()
        self.card.visible = True
        counts = {status: plan.count(status) for status in STATUS_LABELS}
        with self.card:
            ui.label("3. Preview").classes("text-subtitle1")
            with ui.row().classes("gap-6"):
                ui.label(f"New: {counts['new']}").classes("text-positive")
                ui.label(f"Duplicates: {counts['duplicate']}")
                ui.label(f"Possible duplicates: {counts['possible']}").classes(
                    "text-warning" if counts["possible"] else ""
                )
                ui.label(f"Matches: {counts['match']}")
                ui.label(f"Errors: {len(plan.errors)}").classes(
                    "text-negative" if plan.errors else ""
                )
                if counts["excluded"]:
                    ui.label(f"Left out: {counts['excluded']}")
            if counts["possible"]:
                ui.label(
                    "Possible duplicates: the account already holds the same amount within a "
                    "few days (shown beside each). They are skipped unless you keep them."
                ).classes("text-warning text-body2")
            if parsed.balance_lines:
                lines = ", ".join(str(n) for n in parsed.balance_lines[:10])
                ui.label(f"Balance lines, not transactions: line {lines}").classes(
                    "text-grey-7 text-body2"
                )
            if plan.errors:
                with ui.column().classes("gap-0"):
                    for problem in plan.errors[:ERROR_LIMIT]:
                        ui.label(str(problem)).classes("text-negative text-body2")
                    if len(plan.errors) > ERROR_LIMIT:
                        ui.label(f"… and {len(plan.errors) - ERROR_LIMIT} more")
            ordered = sorted(plan.rows, key=lambda p: ORDER[p.status])
            shown = ordered[:TABLE_LIMIT]
            if len(ordered) > TABLE_LIMIT:
                ui.label(f"Showing the first {TABLE_LIMIT} of {len(ordered)} rows.")
            self.table = ui.table(
                columns=ROW_COLUMNS,
                rows=[self._row(p, plan.currency) for p in shown],
                row_key="line",
                selection="multiple",
                pagination=25,
            ).classes("w-full")
            self.table.add_slot("body-cell-amount", MONEY_CELL)
            with ui.row().classes("gap-2"):
                ui.button("Edit selected", icon="edit", on_click=self._edit).props("outline")
                ui.button("Keep selected duplicates", on_click=self._keep).props("outline")
                ui.button("Leave out selected", on_click=self._leave_out).props("outline")
                ui.button("Put back selected", on_click=self._put_back).props("outline")
                ui.button("Import selected matches as new", on_click=self._as_new).props("outline")
            self.skip = ui.checkbox(
                f"Skip the {words.count(len(plan.errors), 'row')} with errors", value=False
            )
            self.skip.visible = bool(plan.errors)
            total = counts["new"] + counts["match"]
            self.import_button = ui.button(
                f"Import {total} into {plan.account}",
                icon="download_done",
                on_click=self.on_import,
            )
            if total == 0:
                self.import_button.disable()

    def _selected_lines(self) -> set[int]:
        return {row["line"] for row in self.table.selected}

    async def _keep(self) -> None:
        self.upload.keep |= self._selected_lines()
        self.upload.excluded -= self._selected_lines()
        await self.on_change()

    async def _leave_out(self) -> None:
        self.upload.excluded |= self._selected_lines()
        await self.on_change()

    async def _put_back(self) -> None:
        lines = self._selected_lines()
        self.upload.excluded -= lines
        self.upload.as_new -= lines
        self.upload.keep -= lines
        for line in lines:
            self.upload.payees.pop(line, None)
            self.upload.categories.pop(line, None)
        await self.on_change()

    async def _as_new(self) -> None:
        self.upload.as_new |= self._selected_lines()
        await self.on_change()

    def _edit(self) -> None:
        """Set the payee and/or category of the selected rows."""
        lines = self._selected_lines()
        if not lines:
            ui.notify("Select the rows to edit first.")
            return
        first = next(r for r in self.table.selected)
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(f"Edit {words.count(len(lines), 'row')}").classes("text-h6")
            payee = ui.input("Payee", value=first["payee"] if len(lines) == 1 else "")
            category = category_select(self.options, label="Category")
            ui.label("Empty fields leave the rows as they are.").classes("text-grey-7")

            async def save() -> None:
                for line in lines:
                    if (payee.value or "").strip():
                        self.upload.payees[line] = payee.value
                    if category.value is not None:
                        self.upload.categories[line] = category.value
                dialog.close()
                await self.on_change()

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Apply", on_click=save)
        dialog.open()
