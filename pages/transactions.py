"""Transactions `/transactions`: find, add, edit, delete; the filters live in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

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
from fintrack import bulk_edits, categories, transaction_list, transactions, words
from fintrack.accounts import AccountChoice, account_choices
from fintrack.filters import SORTS, TransactionFilters, page_number, page_size

DEFAULT_SIZE = 50


@dataclass
class View:
    """TransactionFilters plus the table's page and order: everything the URL holds."""

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


class TransactionsPage:
    """`/transactions`: the filter bar, the totals and the table of what the filters find."""

    def __init__(self) -> None:
        query = ui.context.client.request.query_params
        params = dict(query)
        # Several accounts may come as `account=1,2` or as `account=1&account=2`.
        params["account"] = ",".join(query.getlist("account"))
        self.view = View.from_params(params)
        with frame("Transactions", "/transactions", on_added=self.refresh):
            core.Panel(_choices, self.build)

    async def build(self, choices: _Choices) -> None:
        """The controls, once the choices of accounts, categories and tags are loaded."""
        self.category_options = choices.categories
        self.filter_bar = FilterBar(
            self.view.filters,
            choices.accounts,
            choices.categories,
            choices.tags,
            self.apply,
            self.clear,
        )
        with ui.row().classes("w-full items-center gap-4"):
            ui.button(
                "Add transaction",
                icon="add",
                on_click=lambda: self.dialog.open(account_id=self.shown()),
            ).props("no-caps")
            self.totals = ui.row().classes("items-center gap-6 grow")
            ui.button("Export CSV", icon="table_view", on_click=self.export).props(
                "flat no-caps"
            ).tooltip("Download the transactions this filter finds")
        self.bulk = ui.row().classes("w-full items-center gap-2")
        view = self.view
        self.table = TransactionTable(
            on_request=self.show,
            on_edit=lambda transaction_id: self.dialog.open(transaction_id),
            on_cleared=self.set_cleared,
            on_select=self.show_bulk,
            page_size=view.size,
            sort=view.sort,
            descending=view.descending,
        )
        self.dialog = TransactionDialog(on_saved=self.refresh)
        await self.refresh(initial=True)

    def shown(self) -> int | None:
        """The account the list is filtered to, when it is exactly one: new ones go there."""
        ids = self.view.filters.account_ids
        return ids[0] if len(ids) == 1 else None

    def show_totals(self, summaries: list[transaction_list.ListTotals], total: int) -> None:
        self.totals.clear()
        with self.totals:
            ui.label(words.count(total, "transaction")).classes("font-medium")
            for summary in summaries:
                with ui.row().classes("items-center gap-2"):
                    ui.label(f"{summary.currency}:").classes("text-grey-7")
                    ui.label("In")
                    amount_label(summary.inflow, summary.currency)
                    ui.label("Out")
                    amount_label(summary.outflow, summary.currency)
                    ui.label("Net")
                    amount_label(summary.net, summary.currency).classes("font-medium")

    async def refresh(self, initial: bool = False, new_entry: bool = False) -> None:
        """Find the transactions of the current view and show them; the URL follows, in a
        new history entry for a new filter (so Back undoes it)."""
        view = self.view
        loaded = await core.load(
            _find,
            view,
            fields={"text": self.filter_bar.search},
        )
        if loaded is None:
            self.clear()
            return
        found, summaries = loaded.value
        filtered = bool(view.filters.to_query_params())
        self.table.show(
            found.rows, found.total, view.page, view.size, view.sort, view.descending, filtered
        )
        self.show_totals(summaries, found.total)
        self.show_bulk([])
        if new_entry:
            ui.navigate.history.push(view.url())
        elif not initial:
            ui.navigate.history.replace(view.url())

    def export(self) -> None:
        params = self.view.filters.to_query_params()
        ui.download.from_url(
            "/api/export/transactions.csv" + (f"?{urlencode(params)}" if params else "")
        )

    def clear(self) -> None:
        """A filter that cannot be read finds nothing: no rows of an earlier search stay, and
        the address no longer says that search (the message is under the filter)."""
        view = self.view
        self.table.show([], 0, 1, view.size, view.sort, view.descending)
        self.show_totals([], 0)
        self.show_bulk([])
        typed = (self.filter_bar.search.value or "").strip()
        params = {"q": typed} if typed else {}
        ui.navigate.history.replace("/transactions" + (f"?{urlencode(params)}" if params else ""))

    async def apply(self, filters: TransactionFilters) -> None:
        self.view.filters = filters
        self.view.page = 1
        await self.refresh(new_entry=True)

    async def show(self, page: int, size: int, sort: str, descending: bool) -> None:
        view = self.view
        view.page, view.size, view.sort, view.descending = page, size, sort, descending
        await self.refresh()

    async def set_cleared(self, transaction_id: int, value: bool) -> None:
        if await core.change(transactions.set_cleared, transaction_id, value) is None:
            return
        self.table.table.rows = [
            {**row, "cleared": value} if row["id"] == transaction_id else row
            for row in self.table.table.rows
        ]

    def show_bulk(self, ids: list[int]) -> None:
        self.bulk.clear()
        if not ids:
            return
        with self.bulk:
            ui.label(f"{len(ids)} selected").classes("font-medium")
            target = category_select(self.category_options, label="Set category").classes("w-56")
            ui.button("Apply", on_click=lambda: self.bulk_category(ids, target.value)).props("flat")
            tag = ui.input("Tag").classes("w-32")
            ui.button("Add tag", on_click=lambda: self.bulk_tag(ids, tag.value, True)).props("flat")
            ui.button("Remove tag", on_click=lambda: self.bulk_tag(ids, tag.value, False)).props(
                "flat"
            )
            ui.button("Delete", icon="delete", on_click=lambda: self.bulk_delete(ids)).props(
                "flat color=negative"
            )

    async def bulk_category(self, ids: list[int], category_id: int | None) -> None:
        changed = await core.change(bulk_edits.set_category, ids, category_id)
        if changed is None:
            return
        ui.notify(
            f"Category set on {changed.value} of {len(ids)} (transfers and splits keep theirs)."
        )
        await self.refresh()

    async def bulk_tag(self, ids: list[int], name: str, add: bool) -> None:
        tagging = bulk_edits.add_tag if add else bulk_edits.remove_tag
        changed = await core.change(tagging, ids, name or "")
        if changed is None:
            return
        ui.notify(f"{'Tagged' if add else 'Untagged'} {words.count(changed.value, 'transaction')}.")
        await self.refresh()

    def bulk_delete(self, ids: list[int]) -> None:
        async def delete() -> None:
            removed = await reconciled.change(
                transactions.delete_transactions, ids, action="Delete anyway", what="delete"
            )
            if removed is None:
                return
            ui.notify(f"Deleted {words.count(removed.value, 'transaction')}.")
            await self.refresh()

        many = "s" if len(ids) != 1 else ""
        confirm(
            f"Delete {len(ids)} transaction{many}?",
            f"The {len(ids)} selected transaction{many} will be "
            "removed; for a transfer, its other side goes too.",
            "Delete",
            lambda: background_tasks.create(
                delete(), name="bulk delete", context=self.bulk.parent_slot
            ),
        )
