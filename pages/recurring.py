"""Recurring `/recurring`: schedules, the next 30 days, posting or skipping by hand, suggestions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from nicegui import ui
from nicegui.events import ValueChangeEventArguments
from sqlalchemy.orm import Session

from components import core
from components.category_select import category_select
from components.dialogs import confirm
from components.frame import frame
from components.money import MoneyInput, amount_label
from fintrack import categories, money, recurring, search
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
            self.amount = MoneyInput("Amount").classes("w-36").mark("schedule-amount")
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
                "Start date", value=dt.date.today().isoformat(), placeholder="YYYY-MM-DD"
            ).classes("w-36")
            self.end = (
                ui.input("End date", placeholder="YYYY-MM-DD").classes("w-36").mark("schedule-end")
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
            "account": self.account,
            "amount": self.amount,
            "category": self.category,
            "transfer_account": self.transfer,
            "interval": self.every,
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
            line_amount = MoneyInput("Line amount", self.amount.currency, amount).classes("w-36")
            ui.button(icon="close", on_click=lambda: self._remove_split(row)).props(
                'flat round dense aria-label="Remove split line"'
            )
        self.split_rows.append((row, category, line_amount))

    def _remove_split(self, row: ui.row) -> None:
        self.split_rows = [line for line in self.split_rows if line[0] is not row]
        self.split_box.remove(row)

    def _splits(self) -> list[SplitInput]:
        lines = []
        for _, category, line_amount in self.split_rows:
            if line_amount.minor is None:
                raise recurring.RecurringError("splits", "Enter an amount on every split line.")
            lines.append(SplitInput(category.value, line_amount.minor))
        return lines

    def data(self) -> recurring.ScheduleInput:
        return recurring.ScheduleInput(
            name=self.name.value or "",
            account_id=self.account.value,
            amount=self.amount.value or "",
            start_date=self.start.value or "",
            interval_unit=self.unit.value,
            interval_count=self.every.value if self.every.value is not None else "",
            day_of_month=self.day.value or None,
            end_date=self.end.value or None,
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
            self.add_split(line.category_id, line.amount)
        self.name.value = data.name
        self.account.value = data.account_id
        self.amount.value = money.format_plain(int(data.amount), currency)
        self.payee.value = data.payee
        self.category.value = data.category_id
        self.transfer.value = data.transfer_account_id
        self.every.value = data.interval_count
        self.unit.value = data.interval_unit
        self.day.value = data.day_of_month or 0
        self.start.value = str(data.start_date)
        self.end.value = str(data.end_date or "")
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


def _load(
    s: Session, today: dt.date
) -> tuple[list[recurring.UpcomingItem], list[recurring.ScheduleView], list[recurring.Suggestion]]:
    return (
        recurring.upcoming(s, today),
        recurring.list_schedules(s, today),
        recurring.suggestions(s, today),
    )


def _choices(s: Session) -> tuple[list[search.AccountChoice], list[CategoryOption]]:
    return search.account_choices(s, open_only=True), categories.options(s)


@ui.page("/recurring")
def recurring_page() -> None:
    with frame("Recurring", "/recurring"):
        core.Panel(_choices, lambda choices: _recurring(*choices))


def _recurring(active: list[search.AccountChoice], options: list[CategoryOption]) -> None:
    names = {a.id: a.name for a in active}
    currencies = {a.id: a.currency for a in active}
    with (
        ui.expansion("New schedule", icon="add", value=True)
        .classes("w-full")
        .props("header-class=text-subtitle1") as panel,
        ui.card().classes("w-full"),
    ):
        form = ScheduleForm(names, currencies, options)
        with ui.row().classes("gap-2"):
            save_button = ui.button("Save schedule", on_click=lambda: save())
            ui.button("Clear", on_click=lambda: reset_form()).props("flat")
    content = core.Panel(lambda s: _load(s, dt.date.today()), lambda loaded: render(*loaded))

    def reset_form() -> None:
        form.reset()
        panel.text = "New schedule"

    async def save() -> None:
        form.clear_errors()
        try:
            data = form.data()
        except recurring.RecurringError as error:
            form.show_error(error)
            return
        saved = await core.change(
            recurring.save_schedule,
            data,
            form.editing,
            fields={**form.errors, "splits": core.LabelField(form.split_error)},
            busy=[save_button],
            done="Schedule saved",
        )
        if saved is None:
            return
        reset_form()
        await content.refresh()

    async def edit(schedule_id: int) -> None:
        loaded = await core.load(recurring.schedule_input, schedule_id)
        if loaded is None:
            return
        data = loaded.value
        form.fill(schedule_id, data, currencies.get(data.account_id, "EUR"))
        panel.text = f"Edit {data.name}"
        panel.open()

    def delete(view: recurring.ScheduleView) -> None:
        async def go() -> None:
            if await core.change(recurring.delete_schedule, view.id, what="delete"):
                await content.refresh()

        confirm(
            f"Delete the schedule {view.name}?",
            f"{view.name} ({view.description}) will no longer post or remind. "
            "Transactions it already posted stay in the ledger.",
            "Delete schedule",
            go,
        )

    async def post(item: recurring.UpcomingItem) -> None:
        posted = await core.change(
            recurring.post_occurrence,
            item.schedule_id,
            item.due_date,
            dt.date.today(),
            done=f"Posted {item.name} for {item.due_date.isoformat()}",
            what="post",
        )
        if posted is not None:
            await content.refresh()

    def skip(item: recurring.UpcomingItem) -> None:
        async def go() -> None:
            if await core.change(
                recurring.skip_occurrence, item.schedule_id, item.due_date, what="skip"
            ):
                await content.refresh()

        confirm(
            f"Skip {item.name} on {item.due_date.isoformat()}?",
            f"{item.name} due {item.due_date.isoformat()} will not be posted; "
            "later dates stay as they are.",
            "Skip",
            go,
        )

    async def accept(suggestion: recurring.Suggestion) -> None:
        if await core.change(
            recurring.accept_suggestion,
            suggestion,
            done=f"{suggestion.payee} is now a schedule (reminder)",
        ):
            await content.refresh()

    def render(
        items: list[recurring.UpcomingItem],
        views: list[recurring.ScheduleView],
        hints: list[recurring.Suggestion],
    ) -> None:
        _upcoming_card(items, post, skip)
        _schedules_card(views, edit, delete)
        if hints:
            _suggestions_card(hints, accept)


def _upcoming_card(
    items: list[recurring.UpcomingItem],
    post: Callable[[recurring.UpcomingItem], Awaitable[None] | None],
    skip: Callable[[recurring.UpcomingItem], None],
) -> None:
    with ui.card().classes("w-full"):
        ui.label("Upcoming (next 30 days)").classes("text-h6")
        if not items:
            ui.label("Nothing due in the next 30 days.").classes("text-grey-7")
        for item in items:
            with ui.row().classes("w-full items-center no-wrap gap-3"):
                ui.label(item.due_date.isoformat()).classes(
                    "tabular-nums " + ("text-negative" if item.overdue else "")
                )
                with ui.column().classes("gap-0 grow"):
                    ui.label(item.name)
                    target = (
                        f" → {item.transfer_account_name}" if item.transfer_account_name else ""
                    )
                    kind = "posts automatically" if item.auto_post else "reminder"
                    overdue = " · overdue" if item.overdue else ""
                    ui.label(f"{item.account_name}{target} · {kind}{overdue}").classes(
                        "text-caption text-grey-7"
                    )
                amount_label(item.amount, item.currency)
                ui.button("Post now", on_click=lambda _, x=item: post(x)).props("flat dense")
                ui.button("Skip", on_click=lambda _, x=item: skip(x)).props("flat dense")


def _schedules_card(
    views: list[recurring.ScheduleView],
    edit: Callable[[int], Awaitable[None] | None],
    delete: Callable[[recurring.ScheduleView], None],
) -> None:
    with ui.card().classes("w-full"):
        ui.label("Schedules").classes("text-h6")
        if not views:
            ui.label("No schedules yet: add one above, or take a suggestion below.").classes(
                "text-grey-7"
            )
        for view in views:
            with ui.row().classes("w-full items-center no-wrap gap-3"):
                with ui.column().classes("gap-0 grow"):
                    ui.label(view.name)
                    target = (
                        f" → {view.transfer_account_name}" if view.transfer_account_name else ""
                    )
                    ui.label(f"{view.description} · {view.account_name}{target}").classes(
                        "text-caption text-grey-7"
                    )
                ui.label(f"next {view.next_due.isoformat()}" if view.next_due else "ended").classes(
                    "text-grey-7 tabular-nums"
                )
                amount_label(view.amount, view.currency)
                ui.button(icon="edit", on_click=lambda _, i=view.id: edit(i)).props(
                    f'flat round dense aria-label="Edit {view.name}"'
                ).mark("edit-schedule")
                ui.button(icon="delete", on_click=lambda _, v=view: delete(v)).props(
                    f'flat round dense aria-label="Delete {view.name}"'
                )


def _suggestions_card(
    hints: list[recurring.Suggestion],
    accept: Callable[[recurring.Suggestion], Awaitable[None] | None],
) -> None:
    with ui.card().classes("w-full"):
        ui.label("Looks recurring").classes("text-h6")
        for hint in hints:
            with ui.row().classes("w-full items-center no-wrap gap-3"):
                with ui.column().classes("gap-0 grow"):
                    ui.label(hint.payee)
                    ui.label(
                        f"every {hint.interval_unit} · {hint.times} times · {hint.account_name}"
                        f" · next expected {hint.next_date.isoformat()}"
                    ).classes("text-caption text-grey-7")
                amount_label(hint.amount, hint.currency)
                ui.button("Make schedule", on_click=lambda _, h=hint: accept(h)).props("flat dense")
