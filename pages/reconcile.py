"""The account page's reconciliation: the bank's balance at a date against the cleared
transactions, the uncleared ones that may explain a difference, and, at zero, marking the
cleared ones reconciled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from nicegui import ui
from sqlalchemy.orm import Session

from components import core
from components.dates import DateInput
from components.money import MONEY_CELL, MoneyInput
from fintrack import display, money, reconcile, words
from fintrack.accounts import AccountBalance
from fintrack.models import LIABILITY_KINDS, Account

UNCLEARED_COLUMNS = [
    {"name": "date", "label": "Date", "field": "date", "align": "left"},
    {"name": "payee", "label": "Payee", "field": "payee", "align": "left"},
    {"name": "amount", "label": "Amount", "field": "amount", "align": "right"},
]


def _compare(s: Session, account_id: int, typed: int, on: dt.date) -> reconcile.Reconciliation:
    statement = reconcile.statement_amount(s.get(Account, account_id), typed)
    return reconcile.reconciliation(s, account_id, statement, on)


def _tick(
    s: Session, account_id: int, ids: list[int], typed: int, on: dt.date
) -> reconcile.Reconciliation:
    """Mark the ticked rows cleared and compare again, in one transaction."""
    reconcile.mark_cleared(s, account_id, ids, True)
    return _compare(s, account_id, typed, on)


async def _nothing() -> None:
    return None


class ReconcileSection:
    """A button and a card it opens; `on_done` redraws whatever shows the transactions."""

    def __init__(self, account: AccountBalance) -> None:
        self.account = account
        self.on_done: Callable[[], Awaitable[object]] = _nothing
        self.result: reconcile.Reconciliation | None = None
        owed = account.kind in LIABILITY_KINDS
        ui.button("Reconcile", icon="fact_check", on_click=self.open).props("outline")
        with ui.card().classes("w-full") as self.card:
            ui.label("Reconcile with a bank statement").classes("text-h6")
            with ui.row().classes("items-start gap-3"):
                self.day = DateInput("Statement date", dt.date.today(), required=True).classes(
                    "w-40"
                )
                self.balance = MoneyInput(
                    "Amount owed on the statement" if owed else "Balance on the statement",
                    currency=account.currency,
                ).classes("w-56")
                ui.button("Compare", on_click=self._compare)
            self.outcome = ui.column().classes("w-full")
        self.card.set_visibility(False)

    def open(self) -> None:
        """Show the card."""
        self.card.set_visibility(True)

    def _inputs(self) -> tuple[int, dt.date] | None:
        on = self.day.date
        if on is None:
            return None
        typed = self.balance.minor
        if typed is None:
            if not (self.balance.value or "").strip():
                self.balance.error = "Type the balance the bank shows"
            return None
        return typed, on

    async def _compare(self) -> None:
        inputs = self._inputs()
        if inputs is None:
            return
        self.typed, self.on = inputs
        compared = await core.load(_compare, self.account.id, self.typed, self.on)
        if compared is not None:
            self.result = compared.value
            self._show()

    def _show(self) -> None:
        result, currency = self.result, self.account.currency
        self.outcome.clear()
        with self.outcome:
            with ui.row().classes("gap-6"):
                ui.label(f"Bank: {money.format_amount(result.statement, currency)}")
                ui.label(
                    f"Cleared in fintrack: {money.format_amount(result.cleared_balance, currency)}"
                )
                ui.label(f"Difference: {money.format_amount(result.difference, currency)}").classes(
                    "text-positive" if not result.difference else "text-negative"
                ).mark("difference")
            if result.uncleared:
                ui.label(
                    f"{words.count(result.uncleared_count, 'uncleared transaction')} up to "
                    f"{display.date(result.date)} "
                    f"({money.format_amount(result.uncleared_total, currency)}): tick the ones "
                    "the statement shows."
                ).classes("text-body2")
                self.table = ui.table(
                    columns=UNCLEARED_COLUMNS,
                    rows=[
                        {
                            "id": u.id,
                            "date": display.date(u.date),
                            "payee": u.payee,
                            "amount": money.format_amount(u.amount, currency),
                        }
                        for u in result.uncleared
                    ],
                    row_key="id",
                    selection="multiple",
                ).classes("w-full")
                self.table.add_slot("body-cell-amount", MONEY_CELL)
                ui.button("Mark selected as cleared", on_click=self._tick).props("outline")
            if result.difference:
                ui.label("Nothing is reconciled until the difference is zero.").classes(
                    "text-grey-7"
                )
                return
            ui.button(
                f"Finish: mark {words.count(result.to_reconcile, 'transaction')} reconciled",
                on_click=self._finish,
            ).props("color=positive")

    async def _tick(self) -> None:
        ids = [row["id"] for row in self.table.selected]
        if not ids:
            ui.notify("Select the transactions the statement shows first.")
            return
        ticked = await core.change(_tick, self.account.id, ids, self.typed, self.on)
        if ticked is None:
            return
        self.result = ticked.value
        self._show()
        await self.on_done()

    async def _finish(self) -> None:
        assert self.result is not None
        finished = await core.change(
            reconcile.commit,
            self.account.id,
            self.result.statement,
            self.on,
            fields=core.Only(self.balance),
        )
        if finished is None:
            return
        self.outcome.clear()
        with self.outcome:
            ui.label(
                f"Reconciled {words.count(finished.value, 'transaction')} up to "
                f"{display.date(self.on)}."
            ).classes("text-positive")
        await self.on_done()
