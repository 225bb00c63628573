"""The recurring schedule form: amount and direction, interval, splits; errors at their fields."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from components import core
from components.category_select import category_select
from components.dates import DateInput
from components.form import Form
from components.money import MoneyInput
from fintrack import money, recurring
from fintrack.categories import CategoryOption
from fintrack.errors import InputError
from fintrack.transactions import SplitInput

UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
DAYS = {0: "Same day as the start", **{d: str(d) for d in range(1, 31)}, 31: "Last day"}


class ScheduleForm(Form[recurring.ScheduleInput]):
    """The schedule form: reads a `recurring.ScheduleInput`, shows refusals at its fields."""

    def __init__(
        self,
        account_names: dict[int, str],
        currencies: dict[int, str],
        options: list[CategoryOption],
    ) -> None:
        super().__init__()
        self.currencies = currencies
        self.options = options
        self.editing: int | None = None
        # Not editable here, but kept when a schedule is edited and saved again.
        self.kept_notes: str | None = None
        self.split_rows: list[tuple[ui.row, ui.select, MoneyInput]] = []
        with ui.row().classes("w-full items-start gap-3"):
            self.name = ui.input("Name").classes("w-48").mark("schedule-name")
            self.account = (
                ui.select(account_names, label="Account", on_change=self._account_changed)
                .classes("w-48")
                .mark("schedule-account")
            )
            self.direction = ui.toggle(
                {money.OUT: "Expense", money.IN: "Income"}, value=money.OUT
            ).props("no-caps dense")
            self.amount = MoneyInput("Amount", size=True).classes("w-36").mark("schedule-amount")
            self.payee = ui.input("Payee").classes("w-48")
            self.category = category_select(options, label="Category").classes("w-56")
            self.transfer = ui.select(account_names, label="Transfer to", clearable=True).classes(
                "w-48"
            )
        with ui.row().classes("w-full items-start gap-3"):
            self.every = (
                ui.number("Every", value=1, min=0, step=1).classes("w-20").mark("schedule-every")
            )
            self.unit = ui.select(UNITS, value="month", label="Unit").classes("w-28")
            self.day = ui.select(DAYS, value=0, label="Day of month").classes("w-48")
            self.day.bind_visibility_from(self.unit, "value", lambda u: u in ("month", "year"))
            self.start = DateInput("Start date", dt.date.today()).classes("w-36")
            self.end = DateInput("End date").classes("w-36").mark("schedule-end")
            self.times = ui.number("Number of times", min=0, step=1).classes("w-36")
            self.auto = ui.switch("Post automatically", value=True)
        self.split_box = ui.column().classes("w-full gap-0")
        with ui.row().classes("items-center gap-3"):
            ui.button("Add split line", icon="call_split", on_click=lambda: self.add_split()).props(
                "flat dense"
            )
            self.split_error = (
                ui.label().classes("text-negative text-caption").props('role="alert"')
            )
        self.fields = {
            "name": self.name,
            "account_id": self.account,
            "amount": self.amount,
            "category_id": self.category,
            "transfer_account_id": self.transfer,
            "interval_count": self.every,
            "interval_unit": self.unit,
            "day_of_month": self.day,
            "start_date": self.start,
            "end_date": self.end,
            "max_count": self.times,
            "splits": core.LabelField(self.split_error),
        }

    def _account_changed(self, event: ValueChangeEventArguments) -> None:
        self.amount.currency = self.currencies.get(event.value, self.amount.currency)
        for _, _, line_amount in self.split_rows:
            line_amount.currency = self.amount.currency

    def add_split(self, category_id: int | None = None, amount: int | None = None) -> None:
        """One more category line; the lines must add up to the amount."""
        with self.split_box, ui.row().classes("items-start gap-3") as row:
            category = category_select(self.options, category_id, label="Split category").classes(
                "w-56"
            )
            line_amount = MoneyInput(
                "Line amount", self.amount.currency, amount, size=True
            ).classes("w-36")
            ui.button(icon="close", on_click=lambda: self._remove_split(row)).props(
                'flat round dense aria-label="Remove split line"'
            )
        self.split_rows.append((row, category, line_amount))

    def _remove_split(self, row: ui.row) -> None:
        self.split_rows = [line for line in self.split_rows if line[0] is not row]
        self.split_box.remove(row)

    @property
    def _direction(self) -> str:
        # A transfer always leaves the account it is scheduled on.
        return money.OUT if self.transfer.value is not None else self.direction.value

    def _splits(self) -> list[SplitInput]:
        lines = []
        for _, category, line_amount in self.split_rows:
            if line_amount.minor is None:
                raise InputError("splits", "Enter an amount on every split line.")
            lines.append(
                SplitInput(category.value, money.signed(line_amount.minor, self._direction))
            )
        return lines

    def data(self) -> recurring.ScheduleInput:
        """The schedule the fields say."""
        return recurring.ScheduleInput(
            name=self.name.value or "",
            account_id=self.account.value,
            amount=money.signed(self.amount_at("amount", "Enter an amount."), self._direction),
            start_date=self.date_at("start_date", required=True),
            interval_unit=self.unit.value,
            interval_count=self.whole_at("interval_count", "Enter a whole number."),
            day_of_month=self.day.value or None,
            end_date=self.date_at("end_date"),
            max_count=self.whole_at("max_count"),
            payee=self.payee.value or "",
            category_id=self.category.value,
            transfer_account_id=self.transfer.value,
            auto_post=bool(self.auto.value),
            splits=self._splits(),
            notes=self.kept_notes,
        )

    def _clear_splits(self) -> None:
        self.split_rows = []
        self.split_box.clear()

    def fill(self, schedule_id: int, data: recurring.ScheduleInput, currency: str) -> None:
        self.editing = schedule_id
        self.amount.currency = currency
        self.kept_notes = data.notes
        self._clear_splits()
        for line in data.splits:
            self.add_split(line.category_id, abs(line.amount))
        self.name.value = data.name
        self.account.value = data.account_id
        self.amount.value = money.format_input(abs(data.amount), currency)
        self.direction.value = money.direction_of(data.amount)
        self.payee.value = data.payee
        self.category.value = data.category_id
        self.transfer.value = data.transfer_account_id
        self.every.value = data.interval_count
        self.unit.value = data.interval_unit
        self.day.value = data.day_of_month or 0
        self.start.date = data.start_date
        self.end.date = data.end_date
        self.times.value = data.max_count
        self.auto.value = data.auto_post

    def reset(self) -> None:
        self.editing = None
        self.kept_notes = None
        self._clear_splits()
        for element in (self.name, self.amount, self.payee, self.end):
            element.value = ""
        self.category.value = None
        self.transfer.value = None
        self.times.value = None
        self.clear_errors()
