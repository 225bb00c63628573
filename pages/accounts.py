"""Accounts `/accounts` (balances, net worth, new account) and `/accounts/{id}` (the register)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from nicegui import ui
from sqlalchemy.orm import Session

from components import core
from components.dates import DateInput
from components.dialogs import confirm
from components.form import Form
from components.frame import frame
from components.money import MONEY_CELL, MoneyInput, amount_label
from components.transaction_dialog import TransactionDialog
from components.transaction_table import CLEARED_CELL
from fintrack import accounts, display, money
from fintrack import currency as fx
from fintrack import transactions as ledger
from fintrack.accounts import AccountBalance, AccountInput
from fintrack.models import LIABILITY_KINDS
from fintrack.preferences import default_currency
from pages.reconcile import ReconcileSection

NAME_SLOT = r"""
<q-td :props="props"><a :href="'/accounts/' + props.row.id" class="text-primary">
  {{ props.value }}</a></q-td>
"""
# Columns shown from 600 px up: on a phone a row keeps what fits (name and balance).
WIDE = {"classes": "gt-xs", "headerClasses": "gt-xs"}
ACCOUNT_COLUMNS = [
    {"name": "name", "label": "Account", "field": "name", "align": "left", "sortable": True},
    {"name": "kind", "label": "Kind", "field": "kind", "align": "left", "sortable": True, **WIDE},
    {
        "name": "institution",
        "label": "Institution",
        "field": "institution",
        "align": "left",
        **WIDE,
    },
    {
        "name": "transactions",
        "label": "Transactions",
        "field": "transactions",
        "align": "right",
        **WIDE,
    },
    {"name": "balance", "label": "Balance", "field": "balance", "align": "right"},
]
REGISTER_COLUMNS = [
    {"name": "date", "label": "Date", "field": "date", "align": "left"},
    {"name": "payee", "label": "Payee", "field": "payee", "align": "left"},
    {"name": "category", "label": "Category", "field": "category", "align": "left", **WIDE},
    {"name": "cleared", "label": "Cleared", "field": "cleared", "align": "center"},
    {"name": "amount", "label": "Amount", "field": "amount", "align": "right"},
    {"name": "balance", "label": "Balance", "field": "balance", "align": "right", **WIDE},
]


class AccountForm(Form[AccountInput]):
    """Fields of an account; shows fintrack's AccountError next to the field it names."""

    def __init__(self, currency: str, current: AccountBalance | None = None) -> None:
        super().__init__()
        currency = current.currency if current else currency
        with ui.row().classes("w-full items-start gap-3"):
            self.name = ui.input("Name", value=current.name if current else "").classes("w-56")
            self.kind = ui.select(
                accounts.KIND_LABELS, value=current.kind if current else "checking", label="Kind"
            ).classes("w-44")
            self.currency = ui.input("Currency", value=currency).classes("w-24")
            opening = current.opening_balance if current else 0
            self.opening = MoneyInput(
                "Opening balance", currency=currency, value=opening or None, size=True
            ).classes("w-40")
            # Money owed is typed as a positive amount: "Owed" stores it as negative.
            owed = opening < 0 or (opening == 0 and self.kind.value in LIABILITY_KINDS)
            self.direction = ui.toggle(
                {money.IN: "Owned", money.OUT: "Owed"}, value=money.OUT if owed else money.IN
            ).props("no-caps dense")
            self._label_opening()
            self.opening_date = DateInput(
                "Opening date", current.opening_date if current else None
            ).classes("w-36")
        with ui.row().classes("w-full items-start gap-3"):
            self.institution = ui.input(
                "Institution", value=(current.institution if current else "") or ""
            ).classes("w-56")
            self.notes = ui.input("Notes", value=(current.notes if current else "") or "").classes(
                "grow"
            )
        self.fields = {
            "name": self.name,
            "kind": self.kind,
            "currency": self.currency,
            "opening_balance": self.opening,
            "opening_date": self.opening_date,
        }
        self.name.on_value_change(lambda: setattr(self.name, "error", None))
        self.currency.on_value_change(self._currency_changed)
        self.kind.on_value_change(self._kind_changed)

    def _kind_changed(self) -> None:
        if not (self.opening.value or "").strip():
            liability = self.kind.value in LIABILITY_KINDS
            self.direction.value = money.OUT if liability else money.IN
        self._label_opening()

    def _label_opening(self) -> None:
        liability = self.kind.value in LIABILITY_KINDS
        self.opening.label = "Amount owed" if liability else "Opening balance"

    def _currency_changed(self) -> None:
        self.currency.error = None
        self.opening.currency = (self.currency.value or "").strip().upper() or "EUR"

    def reset(self, currency: str) -> None:
        """Empty the form for the next new account (nothing of the last one stays)."""
        self.name.value = ""
        self.kind.value = "checking"
        self.currency.value = currency
        self.opening.value = ""
        self.direction.value = money.IN
        self.opening_date.value = ""
        self.institution.value = ""
        self.notes.value = ""
        self.clear_errors()

    def data(self) -> AccountInput:
        """The typed account."""
        return AccountInput(
            name=self.name.value or "",
            kind=self.kind.value or "",
            currency=self.currency.value or "",
            opening_balance=money.signed(
                self.amount_at("opening_balance") or 0, self.direction.value
            ),
            opening_date=self.date_at("opening_date"),
            institution=self.institution.value,
            notes=self.notes.value,
        )


def _ask_about_transfers(
    consequence: str, transfers: int, delete: Callable[[bool | None], Awaitable[None]]
) -> None:
    """Deleting an account with transfers: the person decides what becomes of the other
    sides, which live in other accounts."""
    with ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full"):
        ui.label("Delete account?").classes("text-h6")
        ui.label(consequence)
        ui.label(
            f"{transfers:,} of them {'is a transfer' if transfers == 1 else 'are transfers'} "
            "with other accounts. Their other sides can go too, or stay there as plain "
            "amounts without a category."
        )
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=dialog.close).props("flat")

            async def choose(keep: bool) -> None:
                dialog.close()
                await delete(keep)

            for label, keep in (("Keep other sides", True), ("Delete other sides too", False)):
                ui.button(label, on_click=lambda keep=keep: choose(keep)).props("color=negative")
    dialog.open()


def _account_rows(listed: list[AccountBalance]) -> list[dict]:
    return [
        {
            "id": a.id,
            "name": a.name + (" (archived)" if a.archived else ""),
            "kind": accounts.KIND_LABELS.get(a.kind, a.kind),
            "institution": a.institution or "",
            "transactions": a.transactions,
            "balance": money.format_amount(a.balance, a.currency),
            "archived": a.archived,
        }
        for a in listed
    ]


def _load_list(s: Session) -> tuple[list[AccountBalance], dict[str, int]]:
    listed = accounts.balances(s)
    return listed, accounts.net_worth_of(listed)


class AccountsPage:
    """`/accounts`: net worth and the list of accounts, and the form for a new one."""

    def __init__(self) -> None:
        with frame("Accounts", "/accounts"):
            core.Panel(default_currency, self.build)

    def build(self, currency: str) -> None:
        self.currency = currency
        self.show_archived = ui.switch(
            "Show archived accounts", on_change=lambda: self.view.refresh()
        )
        self.view = core.Panel(_load_list, self.show)
        with ui.card().classes("w-full"):
            ui.label("New account").classes("text-h6")
            self.form = AccountForm(currency)
            self.button = ui.button("Add account", icon="add", on_click=self.add)

    def show(self, loaded: tuple[list[AccountBalance], dict[str, int]]) -> None:
        listed, worth = loaded
        with ui.row().classes("items-center gap-6"):
            ui.label("Net worth").classes("text-subtitle1")
            if not worth:
                ui.label("No accounts yet. Add one below.").classes("text-grey-7")
            for currency, total in worth.items():
                amount_label(total, currency).classes("text-h6").mark(f"net-worth-{currency}")
        shown = [a for a in listed if self.show_archived.value or not a.archived]
        # One honest empty state: the line above says there are none yet.
        if not shown:
            if listed:
                ui.label("Every account is archived: switch on Show archived accounts.").classes(
                    "text-grey-7"
                )
            return
        table = ui.table(columns=ACCOUNT_COLUMNS, rows=_account_rows(shown), row_key="id").classes(
            "w-full"
        )
        table.add_slot("body-cell-balance", MONEY_CELL)
        table.add_slot("body-cell-name", NAME_SLOT)

    async def add(self) -> None:
        data = self.form.read()
        if data is None:
            return
        added = await self.form.submit(
            accounts.create_account,
            data,
            busy=[self.button],
            done=f"Account {data.name.strip()} added",
        )
        if added is None:
            return
        self.form.reset(self.currency)
        await self.view.refresh()


def other_text(row: accounts.RegisterRow, currency: str) -> str:
    """` (13.50 USD, 1 USD = 0.914074 EUR)` after an amount that has one in another currency."""
    if row.other_amount is None or not row.other_currency:
        return ""
    code = row.other_currency
    other = f"{money.format_amount(abs(row.other_amount), code, symbol=False)} {code}"
    return f" ({other}, {fx.rate_text(row.other_amount, code, row.amount, currency)})"


def _register_rows(page: accounts.RegisterPage, currency: str) -> list[dict]:
    return [
        {
            "id": r.id,
            "date": display.date(r.date),
            "payee": r.payee,
            "category": r.category,
            "amount": money.format_amount(r.amount, currency) + other_text(r, currency),
            "balance": money.format_amount(r.balance, currency),
            "cleared": r.cleared,
        }
        for r in page.rows
    ]


class AccountPage:
    """`/accounts/{id}`: one account's balance, actions, reconciliation and register."""

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id
        with frame("Account", "/accounts"):
            core.Panel(self.load, _account)

    def load(self, s: Session) -> AccountBalance | None:
        return accounts.get_account(s, self.account_id)


def _account(account: AccountBalance | None) -> None:
    if account is None:
        ui.label("This account does not exist (any more).")
        ui.link("Back to accounts", "/accounts")
        return
    ui.page_title(f"{account.name} · fintrack")
    ui.label(account.name).classes("text-h6")
    with ui.row().classes("items-center gap-6"):
        amount_label(account.balance, account.currency).classes("text-h5").mark("balance")
        ui.label(
            f"{accounts.KIND_LABELS.get(account.kind, account.kind)} · {account.currency}"
            + (f" · {account.institution}" if account.institution else "")
            + (" · archived" if account.archived else "")
        ).classes("text-grey-7")
        ui.link("Show in transactions", "/transactions?" + urlencode({"account": account.id}))
        ui.link("Import a file", "/import?" + urlencode({"account": account.id}))
    _actions(account)
    reconciling = ReconcileSection(account)
    register = Register(account)
    reconciling.on_done = register.view.refresh


def _actions(account: AccountBalance) -> None:
    with ui.row().classes("gap-2"):
        edit = ui.button("Edit", icon="edit", on_click=lambda: editor.set_visibility(True))
        edit.props("outline")

        async def toggle_archive() -> None:
            if await core.change(accounts.archive_account, account.id, not account.archived):
                ui.navigate.reload()

        ui.button(
            "Unarchive" if account.archived else "Archive",
            icon="unarchive" if account.archived else "archive",
            on_click=toggle_archive,
        ).props("outline")

        async def delete(keep_other_sides: bool | None = None) -> None:
            if await core.change(
                accounts.delete_account, account.id, keep_other_sides, what="delete"
            ):
                ui.notify(f"Account {account.name} deleted")
                ui.navigate.to("/accounts")

        async def ask_delete() -> None:
            counted = await core.load(accounts.usage, account.id)
            if counted is None:
                return
            usage = counted.value
            count = usage.transactions
            consequence = (
                f'"{account.name}" and its {count:,} transaction{"" if count == 1 else "s"} '
                "will be deleted. This cannot be undone."
                if count
                else f'"{account.name}" has no transactions and will be deleted.'
            )
            if not usage.transfers:
                confirm("Delete account?", consequence, "Delete", delete)
                return
            _ask_about_transfers(consequence, usage.transfers, delete)

        ui.button("Delete", icon="delete", on_click=ask_delete).props("outline color=negative")

    with ui.card().classes("w-full") as editor:
        ui.label("Edit account").classes("text-h6")
        form = AccountForm(account.currency, account)

        async def save() -> None:
            data = form.read()
            if data is None:
                return
            if await form.submit(accounts.update_account, account.id, data, busy=[button]):
                ui.navigate.reload()

        with ui.row():
            button = ui.button("Save", on_click=save)
            ui.button("Cancel", on_click=lambda: editor.set_visibility(False)).props("flat")
    editor.set_visibility(False)


class Register:
    """The paginated register of one account."""

    def __init__(self, account: AccountBalance) -> None:
        self.account = account
        self.page = 1
        self.dialog = TransactionDialog(on_saved=self.saved)
        if not account.archived:
            ui.button(
                "Add transaction",
                icon="add",
                on_click=lambda: self.dialog.open(account_id=account.id),
            ).props("no-caps")
        self.view = core.Panel(self.load, self.show)

    async def saved(self) -> None:
        # The balance at the top changes too.
        ui.navigate.reload()

    def load(self, s: Session) -> accounts.RegisterPage:
        return accounts.account_register(s, self.account.id, self.page)

    def show(self, page: accounts.RegisterPage) -> None:
        if not page.total:
            ui.label("No transactions in this account yet.").classes("text-grey-7")
            return
        table = ui.table(
            columns=REGISTER_COLUMNS,
            rows=_register_rows(page, self.account.currency),
            row_key="id",
        ).classes("w-full")
        table.props("dense flat bordered hide-pagination")
        table.pagination = {"rowsPerPage": 0}
        table.add_slot("body-cell-amount", MONEY_CELL)
        table.add_slot("body-cell-balance", MONEY_CELL)
        table.add_slot("body-cell-cleared", CLEARED_CELL)
        table.on("toggle_cleared", lambda e: self.set_cleared(table, e.args["id"], e.args["value"]))
        with ui.row().classes("items-center gap-3"):
            ui.pagination(
                1,
                page.pages,
                direction_links=True,
                value=page.page,
                on_change=lambda e: self.go(e.value),
            ).props("max-pages=7 boundary-links")
            ui.label(f"{page.total:,} transactions").classes("text-grey-7")

    async def set_cleared(self, table: ui.table, transaction_id: int, value: bool) -> None:
        if await core.change(ledger.set_cleared, int(transaction_id), bool(value)) is None:
            return
        table.rows = [
            {**row, "cleared": bool(value)} if row["id"] == transaction_id else row
            for row in table.rows
        ]

    async def go(self, number: int) -> None:
        if number != self.page:
            self.page = number
            await self.view.refresh()
