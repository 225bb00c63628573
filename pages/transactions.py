"""Transactions `/transactions`: find, add, edit, delete; the filters live in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from nicegui import background_tasks, ui
from sqlalchemy.orm import Session

from components import core, reconciled
from components.category_select import category_select
from components.dialogs import confirm
from components.filter_bar import FilterBar
from components.frame import frame
from components.money import amount_label
from components.transaction_dialog import TransactionDialog
from components.transaction_table import TransactionTable
from fintrack import categories, transaction_list, transactions
from fintrack.accounts import AccountChoice, account_choices
from fintrack.filters import SORTS, TransactionFilters, page_number, page_size
from fintrack.query import QueryError

DEFAULT_SIZE = 50


@dataclass
class View:
    """Filters plus the table's page and order: everything the URL holds."""

    filters: TransactionFilters
    page: int = 1
    size: int = DEFAULT_SIZE
    sort: str = "date"
    descending: bool = True

    @classmethod
    def from_params(cls, params: dict[str, str]) -> View:
        sort = params.get("sort", "-date")
        return cls(
            filters=TransactionFilters.from_query_params(params),
            page=page_number(params.get("page", "")),
            size=page_size(params.get("size", ""), DEFAULT_SIZE),
            sort=sort.lstrip("-") if sort.lstrip("-") in SORTS else "date",
            descending=sort.startswith("-") if sort.lstrip("-") in SORTS else True,
        )

    def url(self) -> str:
        params = self.filters.to_query_params()
        if self.page > 1:
            params["page"] = str(self.page)
        if self.size != DEFAULT_SIZE:
            params["size"] = str(self.size)
        if (self.sort, self.descending) != ("date", True):
            params["sort"] = ("-" if self.descending else "") + self.sort
        return "/transactions" + (f"?{urlencode(params)}" if params else "")


def _find(
    s: Session, view: View
) -> tuple[transaction_list.TransactionPage, list[transaction_list.ListTotals]]:
    found = transaction_list.find(s, view.filters, view.page, view.size, view.sort, view.descending)
    last_page = max(1, -(-found[0].total // view.size))
    if view.page > last_page:
        view.page = last_page
        found = transaction_list.find(
            s, view.filters, view.page, view.size, view.sort, view.descending
        )
    return found


@dataclass
class _Choices:
    accounts: list[AccountChoice]
    categories: list[categories.CategoryOption]
    tags: list[str]


def _choices(s: Session) -> _Choices:
    return _Choices(account_choices(s), categories.options(s), transactions.tag_names(s))


@ui.page("/transactions")
def transactions_page(request: Request) -> None:
    params = dict(request.query_params)
    # Several accounts may come as `account=1,2` or as `account=1&account=2`.
    params["account"] = ",".join(request.query_params.getlist("account"))
    view = View.from_params(params)
    with frame("Transactions", "/transactions"):
        core.Panel(_choices, lambda choices: _build(view, choices))


async def _build(view: View, choices: _Choices) -> None:
    accounts, category_options, tags = choices.accounts, choices.categories, choices.tags
    filter_bar = FilterBar(view.filters, accounts, category_options, tags, lambda f: apply(f))
    with ui.row().classes("w-full items-center gap-4"):
        ui.button(
            "Add transaction", icon="add", on_click=lambda: dialog.open(account_id=shown())
        ).props("no-caps")
        totals = ui.row().classes("items-center gap-6 grow")
        ui.button("Export CSV", icon="table_view", on_click=lambda: export()).props(
            "flat no-caps"
        ).tooltip("Download the transactions this filter finds")
    bulk = ui.row().classes("w-full items-center gap-2")
    table = TransactionTable(
        on_request=lambda *args: show(*args),
        on_edit=lambda transaction_id: dialog.open(transaction_id),
        on_cleared=lambda transaction_id, value: set_cleared(transaction_id, value),
        on_select=lambda ids: show_bulk(ids),
        page_size=view.size,
        sort=view.sort,
        descending=view.descending,
    )
    dialog = TransactionDialog(on_saved=lambda: refresh())

    def shown() -> int | None:
        """The account the list is filtered to, when it is exactly one: new ones go there."""
        ids = view.filters.account_ids
        return ids[0] if len(ids) == 1 else None

    def show_totals(summaries: list[transaction_list.ListTotals], total: int) -> None:
        totals.clear()
        with totals:
            ui.label(f"{total} transaction{'s' if total != 1 else ''}").classes("font-medium")
            for summary in summaries:
                with ui.row().classes("items-center gap-2"):
                    ui.label(f"{summary.currency}:").classes("text-grey-7")
                    ui.label("In")
                    amount_label(summary.inflow, summary.currency)
                    ui.label("Out")
                    amount_label(summary.outflow, summary.currency)
                    ui.label("Net")
                    amount_label(summary.net, summary.currency).classes("font-medium")

    async def refresh(initial: bool = False) -> None:
        loaded = await core.load(
            _find,
            view,
            fields={"search": filter_bar.search},
            expected={QueryError: "search"},
        )
        if loaded is None:
            return
        found, summaries = loaded.value
        table.show(found.rows, found.total, view.page, view.size, view.sort, view.descending)
        show_totals(summaries, found.total)
        show_bulk([])
        if not initial:
            ui.navigate.history.replace(view.url())

    def export() -> None:
        params = view.filters.to_query_params()
        ui.download.from_url(
            "/api/export/transactions.csv" + (f"?{urlencode(params)}" if params else "")
        )

    async def apply(filters: TransactionFilters) -> None:
        view.filters = filters
        view.page = 1
        await refresh()

    async def show(page: int, size: int, sort: str, descending: bool) -> None:
        view.page, view.size, view.sort, view.descending = page, size, sort, descending
        await refresh()

    async def set_cleared(transaction_id: int, value: bool) -> None:
        if await core.change(transactions.set_cleared, transaction_id, value) is None:
            return
        table.table.rows = [
            {**row, "cleared": value} if row["id"] == transaction_id else row
            for row in table.table.rows
        ]

    def show_bulk(ids: list[int]) -> None:
        bulk.clear()
        if not ids:
            return
        with bulk:
            ui.label(f"{len(ids)} selected").classes("font-medium")
            target = category_select(category_options, label="Set category").classes("w-56")
            ui.button("Apply", on_click=lambda: bulk_category(ids, target.value)).props("flat")
            tag = ui.input("Tag").classes("w-32")
            ui.button("Add tag", on_click=lambda: bulk_tag(ids, tag.value, True)).props("flat")
            ui.button("Remove tag", on_click=lambda: bulk_tag(ids, tag.value, False)).props("flat")
            ui.button("Delete", icon="delete", on_click=lambda: bulk_delete(ids)).props(
                "flat color=negative"
            )

    async def bulk_category(ids: list[int], category_id: int | None) -> None:
        changed = await core.change(transactions.bulk_set_category, ids, category_id)
        if changed is None:
            return
        ui.notify(
            f"Category set on {changed.value} of {len(ids)} (transfers and splits keep theirs)."
        )
        await refresh()

    async def bulk_tag(ids: list[int], name: str, add: bool) -> None:
        tagging = transactions.bulk_add_tag if add else transactions.bulk_remove_tag
        changed = await core.change(tagging, ids, name or "")
        if changed is None:
            return
        ui.notify(f"{'Tagged' if add else 'Untagged'} {changed.value} transaction(s).")
        await refresh()

    def bulk_delete(ids: list[int]) -> None:
        async def delete() -> None:
            removed = await reconciled.change(
                transactions.delete_transactions, ids, action="Delete anyway", what="delete"
            )
            if removed is None:
                return
            ui.notify(f"Deleted {removed.value} transaction(s).")
            await refresh()

        confirm(
            f"Delete {len(ids)} transaction{'s' if len(ids) != 1 else ''}?",
            f"The {len(ids)} selected transaction{'s' if len(ids) != 1 else ''} will be "
            "removed; for a transfer, its other side goes too.",
            "Delete",
            lambda: background_tasks.create(delete(), name="bulk delete", context=bulk.parent_slot),
        )

    await refresh(initial=True)
