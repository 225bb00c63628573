"""The recurring schedule form: amount and direction, interval, splits; errors at their fields."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from components.category_select import category_select
from components.money import MoneyInput
from fintrack import display, money, recurring
from fintrack.categories import CategoryOption
from fintrack.transactions import SplitInput

UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
DAYS = {0: "Same day as the start", **{d: str(d) for d in range(1, 31)}, 31: "Last day"}


class ScheduleForm:
    """The schedule form; `errors` maps fintrack's field names to the inputs that show them."""

    def __init__(
        self,
        account_names: dict[int, str],
        currencies: dict[int, str],
        options: list[CategoryOption],
    ) -> None:
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
            self.start = ui.input(
                "Start date", value=display.date(dt.date.today()), placeholder=display.date_mask()
            ).classes("w-36")
            self.end = (
                ui.input("End date", placeholder=display.date_mask())
                .classes("w-36")
                .mark("schedule-end")
            )
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
        self.errors = {
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
                raise recurring.RecurringError("splits", "Enter an amount on every split line.")
            lines.append(
                SplitInput(category.value, money.signed(line_amount.minor, self._direction))
            )
        return lines

    def _amount(self) -> int:
        if not (self.amount.value or "").strip():
            raise recurring.RecurringError("amount", "Enter an amount.")
        if self.amount.minor is None:
            raise recurring.RecurringError("amount", self.amount.error or "Enter an amount.")
        return money.signed(self.amount.minor, self._direction)

    @staticmethod
    def _date(element: ui.input, name: str) -> dt.date | None:
        """The date typed in the chosen format; RecurringError naming the field otherwise."""
        if not (element.value or "").strip():
            return None
        try:
            return display.parse_date(element.value)
        except ValueError as error:
            raise recurring.RecurringError(name, str(error)) from None

    def _start(self) -> dt.date:
        start = self._date(self.start, "start_date")
        if start is None:
            raise recurring.RecurringError("start_date", f"Enter a date as {display.date_mask()}.")
        return start

    def data(self) -> recurring.ScheduleInput:
        """The schedule the fields say; RecurringError names a field that cannot be read."""
        return recurring.ScheduleInput(
            name=self.name.value or "",
            account_id=self.account.value,
            amount=self._amount(),
            start_date=self._start(),
            interval_unit=self.unit.value,
            interval_count=self.every.value if self.every.value is not None else "",
            day_of_month=self.day.value or None,
            end_date=self._date(self.end, "end_date"),
            max_count=self.times.value or None,
            payee=self.payee.value or "",
            category_id=self.category.value,
            transfer_account_id=self.transfer.value,
            auto_post=bool(self.auto.value),
            splits=self._splits(),
            notes=self.kept_notes,
        )

    def show_error(self, error: recurring.RecurringError) -> None:
        self.clear_errors()
        if error.field == "splits":
            self.split_error.text = str(error)
        else:
            self.errors.get(error.field, self.name).error = str(error)

    def clear_errors(self) -> None:
        for element in self.errors.values():
            element.error = None
        self.split_error.text = ""

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
        self.start.value = _shown(data.start_date)
        self.end.value = _shown(data.end_date)
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


def _shown(day: dt.date | str | None) -> str:
    return display.date(day) if isinstance(day, dt.date) else day or ""
