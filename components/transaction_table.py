"""The transaction table: paged and sorted on the server, money right-aligned, negative red."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import events, ui

from fintrack import currency, money
from fintrack.filters import PAGE_SIZES, SORTS
from fintrack.transaction_list import TransactionRow

COLUMNS = [
    {"name": "date", "label": "Date", "field": "date", "sortable": True, "align": "left"},
    {"name": "account", "label": "Account", "field": "account", "align": "left"},
    {"name": "payee", "label": "Payee", "field": "payee", "sortable": True, "align": "left"},
    {"name": "category", "label": "Category", "field": "category", "align": "left"},
    {"name": "tags", "label": "Tags", "field": "tags", "align": "left"},
    {"name": "amount", "label": "Amount", "field": "amount", "sortable": True, "align": "right"},
    {"name": "cleared", "label": "Cleared", "field": "cleared", "align": "center"},
    {"name": "actions", "label": "", "field": "id", "align": "right"},
]

AMOUNT_CELL = r"""
<q-td :props="props" class="text-right tabular-nums"
      :class="props.row.amount < 0 ? 'text-negative' : ''">{{ props.row.amount_text }}
  <div v-if="props.row.original_text" class="text-caption text-grey-7">
    ({{ props.row.original_text }}) {{ props.row.rate_text }}</div>
</q-td>
"""
CLEARED_CELL = r"""
<q-td :props="props">
  <q-checkbox dense :model-value="props.row.cleared" :aria-label="'Cleared ' + props.row.payee"
    @update:model-value="value => $parent.$emit('toggle_cleared', {id: props.row.id, value})" />
</q-td>
"""
ACTIONS_CELL = r"""
<q-td :props="props">
  <q-btn flat round dense icon="edit" :aria-label="'Edit ' + props.row.payee"
    @click.stop="() => $parent.$emit('edit', props.row.id)" />
</q-td>
"""
# On a phone the rows become cards: payee and amount, then date and category; a tap edits.
CARD_ITEM = r"""
<div class="q-pa-xs col-12">
  <q-card flat bordered class="cursor-pointer" tabindex="0" role="button"
    @click="() => $parent.$emit('edit', props.row.id)"
    @keydown.enter="() => $parent.$emit('edit', props.row.id)">
    <q-card-section class="q-py-sm">
      <div class="row no-wrap items-baseline">
        <div class="col ellipsis text-weight-medium">{{ props.row.payee || '(no payee)' }}</div>
        <div class="q-ml-sm tabular-nums" :class="props.row.amount < 0 ? 'text-negative' : ''">
          {{ props.row.amount_text }}</div>
      </div>
      <div v-if="props.row.original_text" class="text-caption text-grey-7 text-right">
        ({{ props.row.original_text }}) {{ props.row.rate_text }}</div>
      <div class="row no-wrap text-caption text-grey-8">
        <div class="col ellipsis">{{ props.row.category }}</div>
        <div class="q-ml-sm tabular-nums">{{ props.row.date }}</div>
      </div>
    </q-card-section>
  </q-card>
</div>
"""


def category_text(row: TransactionRow) -> str:
    """What the category column says: the path, "Split", or the other side of a transfer."""
    if row.transfer_account:
        arrow = "to" if row.amount < 0 else "from"
        return f"Transfer {arrow} {row.transfer_account}"
    if row.is_split:
        return "Split"
    return row.category


def other_amount(row: TransactionRow) -> tuple[str, str]:
    """The amount in another currency beside the booked one, and the rate the two imply:
    a purchase's original amount, or the other side of a transfer between currencies."""
    other, code = row.original_amount, row.original_currency
    if row.transfer_amount is not None and row.transfer_currency != row.currency:
        other, code = row.transfer_amount, row.transfer_currency
    if other is None or not code:
        return "", ""
    text = f"{money.format_amount(abs(other), code, symbol=False)} {code}"
    if row.transfer_amount is not None:
        return text, currency.rate_text(row.amount, row.currency, other, code)
    return text, currency.rate_text(other, code, row.amount, row.currency)


def table_row(row: TransactionRow) -> dict[str, Any]:
    """A row as the table shows it (money stays integer minor units; the text is formatted)."""
    original_text, rate_text = other_amount(row)
    return {
        "id": row.id,
        "date": row.date.isoformat(),
        "account": row.account,
        "payee": row.payee,
        "category": category_text(row),
        "tags": ", ".join(row.tags),
        "amount": row.amount,
        "amount_text": money.format_amount(row.amount, row.currency),
        "original_text": original_text,
        "rate_text": rate_text,
        "cleared": row.cleared,
    }


class TransactionTable:
    """A ui.table that asks `on_request(page, size, sort, descending)` for each page it shows."""

    def __init__(
        self,
        on_request: Callable[[int, int, str, bool], Awaitable[None] | None],
        on_edit: Callable[[int], Awaitable[None] | None],
        on_cleared: Callable[[int, bool], Awaitable[None] | None],
        on_select: Callable[[list[int]], None],
        page_size: int = 50,
        sort: str = "date",
        descending: bool = True,
    ) -> None:
        self.on_request = on_request
        self.table = ui.table(
            columns=COLUMNS,
            rows=[],
            row_key="id",
            selection="multiple",
            pagination={
                "page": 1,
                "rowsPerPage": page_size,
                "rowsNumber": 0,
                "sortBy": sort,
                "descending": descending,
            },
        ).classes("w-full fintrack-rows")
        self.table.props(f':rows-per-page-options="{list(PAGE_SIZES)}" flat bordered')
        self.table.props('no-data-label="No transactions to show."')
        self.table.add_slot("body-cell-amount", AMOUNT_CELL)
        self.table.add_slot("body-cell-cleared", CLEARED_CELL)
        self.table.add_slot("body-cell-actions", ACTIONS_CELL)
        self.table.props(':grid="Quasar.Screen.lt.sm"')
        self.table.add_slot("item", CARD_ITEM)
        self.table.on("request", self._request)
        self.table.on("edit", lambda e: on_edit(int(e.args)))
        # A click on a row opens it, except on its checkboxes and buttons.
        self.table.on(
            "rowClick",
            lambda e: on_edit(int(e.args)),
            js_handler="(evt, row) => { if (!evt.target.closest('.q-checkbox, .q-btn')) "
            "emit(row.id) }",
        )
        self.table.on(
            "toggle_cleared", lambda e: on_cleared(int(e.args["id"]), bool(e.args["value"]))
        )
        self.table.on_select(lambda e: on_select([int(r["id"]) for r in e.selection]))

    def _request(self, event: events.GenericEventArguments) -> Awaitable[None] | None:
        pagination = event.args["pagination"]
        sort = pagination.get("sortBy") or "date"
        size = int(pagination.get("rowsPerPage") or 50)
        return self.on_request(
            int(pagination.get("page") or 1),
            size if size in PAGE_SIZES else 50,
            sort if sort in SORTS else "date",
            bool(pagination.get("descending")),
        )

    def show(
        self,
        rows: list[TransactionRow],
        total: int,
        page: int,
        size: int,
        sort: str,
        desc: bool,
        filtered: bool = False,
    ) -> None:
        """Show one page of rows and tell the pager how many there are in all; `filtered`
        says whether an empty list means "none match" or "none yet"."""
        empty = (
            "No transactions match these filters."
            if filtered
            else "No transactions yet: add one, or import a bank file."
        )
        self.table.props(f'no-data-label="{empty}"')
        self.table.rows = [table_row(row) for row in rows]
        self.table.pagination = {
            "page": page,
            "rowsPerPage": size,
            "rowsNumber": total,
            "sortBy": sort,
            "descending": desc,
        }
        self.table.selected = []

    @property
    def selected_ids(self) -> list[int]:
        """Ids of the rows ticked on this page."""
        return [int(row["id"]) for row in self.table.selected]
