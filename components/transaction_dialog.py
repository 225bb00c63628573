"""Adding and editing one transaction, transfer or split, quickly with the keyboard.

Enter in a text field saves, Escape cancels. Amounts are typed without a sign: Expense,
Income or Transfer says which way the money goes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from nicegui import background_tasks, ui

from components import core, reconciled
from components.category_select import category_select
from components.dates import DateInput
from components.dialogs import confirm
from components.form import Form
from components.money import MoneyInput
from components.original_amount import OriginalAmount, typed_minor
from components.payee_input import PayeeInput
from components.transaction_data import Context, load, save_transaction
from fintrack import currency, display, money, payees, transactions

KINDS = {"expense": "Expense", "income": "Income", "transfer": "Transfer"}


class _SplitLine:
    def __init__(self, dialog: TransactionDialog, line: transactions.SplitInput | None) -> None:
        with ui.row().classes("w-full items-start gap-2 no-wrap") as self.row:
            self.category = category_select(
                dialog.context.categories,
                value=line.category_id if line else None,
                label="Line category",
            ).classes("grow")
            self.amount = MoneyInput(
                "Line amount",
                currency=dialog.currency,
                value=line.amount if line else None,
                size=True,
                on_change=dialog.update_remaining,
            ).classes("w-32")
            self.memo = ui.input("Memo", value=(line.memo or "") if line else "").classes("w-32")
            for field in (self.amount, self.memo):
                field.on("keydown.enter", dialog.save)
            ui.button(icon="close", on_click=lambda: dialog.remove_line(self)).props(
                'flat round dense aria-label="Remove line"'
            )


class TransactionDialog(Form[transactions.TransactionInput]):
    """One dialog per page; `open(id)` edits, `open()` adds. `on_saved` runs after a change."""

    def __init__(self, on_saved: Callable[[], Awaitable[None] | None]) -> None:
        super().__init__()
        self.on_saved = on_saved
        # Escape asks before it drops typed data (see `_escape`).
        self.dialog = ui.dialog().props("no-esc-dismiss")
        # Escape anywhere (in a field too) while the dialog is open: see `_escape`.
        ui.keyboard(
            lambda e: self._escape() if e.key.escape and e.action.keydown else None, ignore=[]
        )
        self.initial: tuple | None = None
        self.transaction_id: int | None = None
        self.context = Context([], [], None)
        self.lines: list[_SplitLine] = []

    @property
    def currency(self) -> str:
        """The currency of the chosen account."""
        return self._currency_of(self.account.value)

    def _currency_of(self, account_id: int | None) -> str:
        return next((a.currency for a in self.context.accounts if a.id == account_id), "EUR")

    async def open(self, transaction_id: int | None = None, account_id: int | None = None) -> None:
        """Show the dialog for a new transaction or for editing `transaction_id`."""
        loaded = await core.load(load, transaction_id)
        if loaded is None:
            return
        self.transaction_id, self.context = loaded.value
        self.lines = []
        self.dialog.clear()
        self.initial = None
        with self.dialog, ui.card().classes("w-[36rem] max-w-full gap-1"):
            if all(a.archived for a in self.context.accounts) and transaction_id is None:
                ui.label("Add an account first.").classes("text-h6")
                ui.link("Go to accounts", "/accounts")
            else:
                self._build(account_id)
        self.dialog.open()

    def _build(self, account_id: int | None) -> None:
        existing = self.context.existing
        accounts = {a.id: a.name for a in self.context.accounts if not a.archived}
        if existing is None:
            kind, this_account = "expense", account_id or self.context.last_account
            other_account = None
        else:
            accounts.update({a.id: a.name for a in self.context.accounts})
            kind = (
                "transfer"
                if existing.transfer_account_id
                else ("income" if existing.amount > 0 else "expense")
            )
            this_account, other_account = existing.account_id, existing.transfer_account_id
        this_account = this_account if this_account in accounts else next(iter(accounts))

        title = "New transaction" if existing is None else "Edit transaction"
        ui.label(title).classes("text-h6")
        self.kind = ui.toggle(KINDS, value=kind, on_change=self._kind_changed).props("no-caps")
        with ui.row().classes("w-full items-start gap-2 no-wrap"):
            self.amount = (
                MoneyInput(
                    currency=self._currency_of(this_account),
                    value=existing.amount if existing else None,
                    size=True,
                    on_change=self._amount_changed,
                )
                .props("autofocus")
                .classes("grow")
            )
            self.date = DateInput(
                value=existing.date if existing else self.context.last_date or dt.date.today(),
                required=True,
                picker=True,
            ).classes("w-40")
        with ui.row().classes("w-full items-start gap-2 no-wrap"):
            self.account = ui.select(
                accounts, value=this_account, label="Account", on_change=self._account_changed
            ).classes("grow")
            self.to_account = ui.select(
                accounts, value=other_account, label="To account", on_change=self._account_changed
            ).classes("grow")
        self.received = MoneyInput(
            "Amount received",
            currency=self._currency_of(other_account),
            value=existing.transfer_amount if existing else None,
            size=True,
            on_change=self.show_rates,
        ).classes("w-full")
        self.transfer_rate = ui.label().classes("text-caption text-grey-7").props('role="status"')
        self.payee = PayeeInput(existing.payee if existing else "", self._suggest_category).input
        self.payee.on("blur", self._suggest_category)
        self.category = category_select(
            self.context.categories, value=existing.category_id if existing else None
        ).classes("w-full")
        self.rules_hint = ui.label("Left empty, your rules pick the category.").classes(
            "text-caption text-grey-7"
        )
        self.rules_hint.set_visibility(existing is None)
        self.split_box = ui.column().classes("w-full gap-1")
        with self.split_box:
            self.lines_box = ui.column().classes("w-full gap-1")
            with ui.row().classes("w-full items-center"):
                ui.button("Add line", icon="add", on_click=lambda: self.add_line(None)).props(
                    "flat dense no-caps"
                )
                ui.space()
                self.remaining = ui.label().props('role="status"')
        self.split_button = ui.button("Split", icon="call_split", on_click=self._start_split)
        self.split_button.props("flat dense no-caps")
        self.original = OriginalAmount(self.context.original, self.show_rates)
        self.tags = ui.input(
            "Tags",
            value=", ".join(existing.tags) if existing else "",
            placeholder="comma separated",
        ).classes("w-full")
        self.notes = ui.input("Notes", value=(existing.notes or "") if existing else "").classes(
            "w-full"
        )
        self.cleared = ui.checkbox("Cleared", value=bool(existing and existing.cleared))
        self.status = ui.label().classes("text-negative").props('role="alert"')
        # Escape on a changed form asks here, in the dialog, before it drops the input.
        with ui.row().classes("w-full items-center gap-2").props('role="alert"') as self.discard:
            ui.label("Discard your changes?").classes("text-weight-medium grow")
            ui.button("Keep editing", on_click=lambda: self.discard.set_visibility(False)).props(
                "flat no-caps"
            )
            ui.button("Discard", on_click=self.dialog.close).props("color=negative no-caps")
        self.discard.visible = False
        with ui.row().classes("w-full justify-end"):
            if existing is not None:
                ui.button("Delete", icon="delete", on_click=self._ask_delete).props(
                    "flat color=negative"
                )
            ui.space()
            ui.button("Cancel", on_click=self.dialog.close).props("flat")
            if existing is None:
                # Saves, and keeps the account and the date for the next one of a pile of receipts.
                ui.button("Add another", on_click=lambda: self.save(again=True)).props(
                    "outline no-caps"
                ).tooltip("Then starts the next one on the same account and date")
            self.save_button = ui.button("Save", on_click=self.save)
        for field in (
            self.amount,
            self.date,
            self.payee,
            self.tags,
            self.notes,
            self.received,
            self.original.amount,
            self.original.currency,
        ):
            field.on("keydown.enter", self.save)
        if existing and existing.splits:
            for line in existing.splits:
                self.add_line(line)
        # Split-line problems show under the lines.
        self.fields = {
            "amount": self.amount,
            "date": self.date,
            "payee": self.payee,
            "category_id": self.category,
            "account_id": self.account,
            "transfer_account_id": self.to_account,
            "transfer_amount": self.received,
            "original_amount": self.original.amount,
            "original_currency": self.original.currency,
            "splits": core.LabelField(self.remaining),
        }
        self._kind_changed()
        self.initial = self._values()

    def _values(self) -> tuple:
        """What the person can change, to tell whether they changed anything."""
        fields = (self.kind, self.amount, self.date, self.account, self.to_account, self.payee)
        more = (self.category, self.tags, self.notes, self.cleared, self.received)
        return (*(f.value for f in (*fields, *more)), len(self.lines))

    def _escape(self) -> None:
        """Escape closes at once when nothing changed, else asks before dropping the input."""
        if not self.dialog.value:
            return
        if self.initial is None or self._values() == self.initial:
            self.dialog.close()
            return
        self.discard.visible = True

    def show_rates(self) -> None:
        """The rate the amounts imply: what a transfer between currencies received against
        what it sent, or a purchase's original amount against the booked one."""
        booked = typed_minor(self.amount)
        received = typed_minor(self.received) if self.received.visible else None
        self.transfer_rate.text = (
            currency.rate_text(booked, self.currency, received, self.received.currency)
            if booked and received
            else ""
        )
        self.original.show_rate(booked, self.currency)

    @property
    def is_transfer(self) -> bool:
        return self.kind.value == "transfer"

    @property
    def is_split(self) -> bool:
        return bool(self.lines) and not self.is_transfer

    @property
    def sign(self) -> int:
        """-1 when money leaves the account (expense, transfer), 1 for income."""
        return 1 if self.kind.value == "income" else -1

    def _kind_changed(self) -> None:
        transfer = self.is_transfer
        self.account.props(f'label="{"From account" if transfer else "Account"}"')
        self.to_account.set_visibility(transfer)
        self.category.set_visibility(not transfer and not self.lines)
        self.rules_hint.set_visibility(self.context.existing is None and self.category.visible)
        self.split_box.set_visibility(not transfer and bool(self.lines))
        self.split_button.set_visibility(not transfer and not self.lines)
        self.original.box.set_visibility(not transfer)
        self._account_changed()

    def _account_changed(self) -> None:
        self.amount.currency = self.currency
        for line in self.lines:
            line.amount.currency = self.currency
        other = self._currency_of(self.to_account.value)
        self.received.currency = other
        differs = self.is_transfer and self.to_account.value is not None and other != self.currency
        self.received.set_visibility(differs)
        self.transfer_rate.set_visibility(differs)
        self.update_remaining()
        self.show_rates()

    async def _suggest_category(self) -> None:
        if self.is_transfer or self.lines or self.category.value is not None:
            return
        suggestion = await core.load(payees.suggest_category, self.payee.value or "")
        if suggestion is not None and suggestion.value is not None:
            self.category.value = suggestion.value

    def _start_split(self) -> None:
        # The first line starts with the whole amount and category, so splitting off is one step.
        total = self._total()
        first = transactions.SplitInput(self.category.value, total) if total else None
        self.add_line(first)
        self.add_line(None)
        self.category.value = None
        self._kind_changed()

    def add_line(self, line: transactions.SplitInput | None) -> None:
        """Add a split line (empty, or filled from `line`)."""
        with self.lines_box:
            self.lines.append(_SplitLine(self, line))
        self.update_remaining()

    def remove_line(self, line: _SplitLine) -> None:
        """Drop a split line; with none left the transaction has one category again."""
        self.lines.remove(line)
        self.lines_box.remove(line.row)
        self._kind_changed()

    def _total(self) -> int | None:
        minor = self.amount.minor
        return None if minor is None else self.sign * abs(minor)

    def _line_amount(self, line: _SplitLine) -> int:
        return self.sign * (line.amount.minor or 0)

    def _amount_changed(self) -> None:
        self.update_remaining()
        self.show_rates()

    def update_remaining(self) -> None:
        """Show how much of the total the split lines have not yet placed."""
        if not self.lines:
            return
        total = self._total() or 0
        left = total - sum(self._line_amount(line) for line in self.lines)
        if left == 0:
            self.remaining.text = "Split lines add up."
            self.remaining.classes(remove="text-negative")
        else:
            self.remaining.text = f"Remaining: {money.format_amount(left, self.currency)}"
            self.remaining.classes("text-negative")

    def clear_errors(self) -> None:
        """Take every message away; the split lines' remainder stands in for their field."""
        super().clear_errors()
        self.update_remaining()

    def data(self) -> transactions.TransactionInput:
        """The transaction the fields say."""
        data = transactions.TransactionInput(
            account_id=self.account.value,
            date=self.date_at("date", required=True),
            amount=self.sign * abs(self.amount_at("amount", "Enter an amount.")),
            payee=self.payee.value or "",
            category_id=None if self.is_transfer or self.is_split else self.category.value,
            notes=self.notes.value or None,
            cleared=bool(self.cleared.value),
            tags=(self.tags.value or "").split(","),
        )
        if self.is_split:
            data.splits = [
                transactions.SplitInput(
                    line.category.value, self._line_amount(line), line.memo.value or None
                )
                for line in self.lines
            ]
        if self.is_transfer:
            data.transfer_account_id = self.chosen(
                "transfer_account_id", "Choose the account the money goes to."
            )
            if self.received.visible:
                data.transfer_amount = abs(
                    self.amount_at("transfer_amount", "Enter the amount received.")
                )
        else:
            # Read only to stop here, at its field, when it does not read; the value itself
            # goes to the core with the booked amount's sign (see `save`).
            self.amount_at("original_amount")
        return data

    async def save(self, *, again: bool = False) -> None:
        """Validate, write in one database transaction, close and tell the page; `again`
        opens a new one on the same account and date."""
        data = self.read()
        if data is None:
            return
        saved = await self.submit(
            save_transaction,
            self.transaction_id,
            data,
            self.original.value(self.sign),
            through=reconciled.change,
            busy=[self.save_button],
        )
        if saved is None:
            return
        ui.notify("Saved", type="positive")
        await self._saved()
        if again:
            # Stays open: closing and opening at once would leave the browser's dialog confused.
            await self.open(account_id=data.account_id)
        else:
            self.dialog.close()

    async def _saved(self) -> None:
        result = self.on_saved()
        if result is not None:
            await result

    def _ask_delete(self) -> None:
        existing = self.context.existing
        if existing is None or self.transaction_id is None:
            return
        what = (
            f"{display.date(existing.date)} {existing.payee or 'no payee'} "
            f"{money.format_amount(existing.amount, self._currency_of(existing.account_id))}"
        )
        extra = " Both sides of the transfer go." if existing.transfer_account_id else ""
        confirm(
            "Delete this transaction?",
            f"{what} will be removed.{extra}",
            "Delete",
            lambda: background_tasks.create(
                self._delete(), name="delete transaction", context=self.dialog.parent_slot
            ),
        )

    async def _delete(self) -> None:
        if self.transaction_id is None:
            return
        deleted = await reconciled.change(
            transactions.delete_transaction,
            self.transaction_id,
            action="Delete anyway",
            what="delete",
        )
        if deleted is None:
            return
        self.dialog.close()
        ui.notify("Deleted")
        await self._saved()
