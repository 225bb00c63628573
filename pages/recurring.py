"""Recurring `/recurring`: schedules, the next 30 days, posting or skipping by hand, suggestions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import ui
from nicegui.events import ValueChangeEventArguments
from sqlalchemy.orm import Session

from components import core
from components.category_select import category_select
from components.dates import date_problem
from components.dialogs import confirm
from components.frame import frame
from components.money import MoneyInput, amount_label
from fintrack import (
    categories,
    money,
    periods,
    recurring,
    recurring_hints,
    recurring_views,
    search,
)
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

    def data(self) -> recurring.ScheduleInput:
        """The schedule the fields say; RecurringError names a field that cannot be read."""
        return recurring.ScheduleInput(
            name=self.name.value or "",
            account_id=self.account.value,
            amount=self._amount(),
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
            self.add_split(line.category_id, abs(line.amount))
        self.name.value = data.name
        self.account.value = data.account_id
        self.amount.value = money.format_plain(abs(data.amount), currency)
        self.direction.value = money.direction_of(data.amount)
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


@dataclass
class _Lists:
    upcoming: list[recurring_views.UpcomingItem]
    schedules: list[recurring_views.ScheduleView]
    suggestions: list[recurring_hints.Suggestion]
    posted: list[recurring_views.Posting]


def _load(s: Session, today: dt.date) -> _Lists:
    return _Lists(
        recurring_views.upcoming(s, today),
        recurring_views.list_schedules(s, today),
        recurring_hints.suggestions(s, today),
        recurring_views.auto_postings(s, today),
    )


def _choices(s: Session) -> tuple[list[search.AccountChoice], list[CategoryOption]]:
    return search.account_choices(s, open_only=True), categories.options(s)


def _save(
    s: Session, data: recurring.ScheduleInput, editing: int | None, post_past: bool | None
) -> bool:
    """Save the schedule; False (nothing written) while a start in the past awaits a choice."""
    try:
        recurring.save_schedule(s, data, editing, post_past=post_past)
    except recurring.RecurringError as error:
        if error.field != "post_past":
            raise
        s.rollback()
        return False
    return True


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
    content = core.Panel(lambda s: _load(s, dt.date.today()), lambda lists: render(lists))

    def reset_form() -> None:
        form.reset()
        panel.text = "New schedule"

    async def save(post_past: bool | None = None) -> None:
        form.clear_errors()
        try:
            data = form.data()
        except recurring.RecurringError as error:
            form.show_error(error)
            return
        saved = await core.change(
            _save,
            data,
            form.editing,
            post_past,
            fields={**form.errors, "splits": core.LabelField(form.split_error)},
            busy=[save_button],
        )
        if saved is None:
            return
        if not saved.value:
            await ask_about_past(data)
            return
        ui.notify("Schedule saved", type="positive")
        reset_form()
        await content.refresh()

    async def ask_about_past(data: recurring.ScheduleInput) -> None:
        """A start in the past: show what would be back-posted and let the person choose."""
        previewed = await core.load(recurring.preview_past, data, dt.date.today(), form.editing)
        if previewed is None:
            return
        dates = previewed.value
        currency = currencies.get(data.account_id or 0, "EUR")
        with ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full"):
            ui.label(f"{len(dates)} date(s) are already past").classes("text-h6")
            ui.label(
                f"{data.name} starts before today. Post these now, each on its due date, "
                "or skip them and start with the next one?"
            )
            with ui.column().classes("gap-0").mark("past-dates"):
                for due in dates:
                    with ui.row().classes("gap-4"):
                        ui.label(due.isoformat()).classes("tabular-nums")
                        amount_label(int(data.amount), currency)

            async def choose(post_them: bool) -> None:
                dialog.close()
                await save(post_them)

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Skip them", on_click=lambda: choose(False)).props("outline")
                ui.button(f"Post {len(dates)}", on_click=lambda: choose(True))
        dialog.open()

    async def edit(schedule_id: int) -> None:
        loaded = await core.load(recurring.schedule_input, schedule_id)
        if loaded is None:
            return
        data = loaded.value
        form.fill(schedule_id, data, currencies.get(data.account_id, "EUR"))
        panel.text = f"Edit {data.name}"
        panel.open()

    def delete(view: recurring_views.ScheduleView) -> None:
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

    def post(item: recurring_views.UpcomingItem) -> None:
        """Post one due date, dated on its due date unless the person picks another day."""
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(f"Post {item.name}").classes("text-h6")
            day = ui.input(
                "Date", value=item.due_date.isoformat(), validation=date_problem
            ).classes("w-40")

            async def go() -> None:
                if not day.validate():
                    return
                posted = await core.change(
                    recurring.post_occurrence,
                    item.schedule_id,
                    item.due_date,
                    periods.parse_date(day.value),
                    fields=core.Only(day),
                    busy=[button],
                    done=f"Posted {item.name} for {item.due_date.isoformat()}",
                    what="post",
                )
                if posted is None:
                    return
                dialog.close()
                await content.refresh()

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                button = ui.button("Post", on_click=go).mark("post-confirm")
        dialog.open()

    async def undo(posting: recurring_views.Posting) -> None:
        if await core.change(
            recurring.undo_posting,
            posting.schedule_id,
            posting.due_date,
            done=f"{posting.name} of {posting.due_date.isoformat()} taken back",
            what="undo",
        ):
            await content.refresh()

    def skip(item: recurring_views.UpcomingItem) -> None:
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

    async def accept(suggestion: recurring_hints.Suggestion) -> None:
        if await core.change(
            recurring_hints.accept_suggestion,
            suggestion,
            done=f"{suggestion.payee} is now a schedule (reminder)",
        ):
            await content.refresh()

    def render(lists: _Lists) -> None:
        if lists.posted:
            _posted_card(lists.posted, undo)
        _upcoming_card(lists.upcoming, post, skip)
        _schedules_card(lists.schedules, edit, delete)
        if lists.suggestions:
            _suggestions_card(lists.suggestions, accept)


def _posted_card(
    postings: list[recurring_views.Posting],
    undo: Callable[[recurring_views.Posting], Awaitable[None]],
) -> None:
    with ui.card().classes("w-full").mark("auto-posted"):
        ui.label(f"Posted automatically (last {recurring_views.ANNOUNCE_DAYS} days)").classes(
            "text-h6"
        )
        for posting in postings:
            with ui.row().classes("w-full items-center no-wrap gap-3"):
                ui.label(posting.due_date.isoformat()).classes("tabular-nums")
                ui.label(f"{posting.name} · {posting.account_name}").classes("grow")
                amount_label(posting.amount, posting.currency)
                ui.button("Undo", on_click=lambda _, p=posting: undo(p)).props("flat dense")


def _upcoming_card(
    items: list[recurring_views.UpcomingItem],
    post: Callable[[recurring_views.UpcomingItem], None],
    skip: Callable[[recurring_views.UpcomingItem], None],
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
    views: list[recurring_views.ScheduleView],
    edit: Callable[[int], Awaitable[None]],
    delete: Callable[[recurring_views.ScheduleView], None],
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
    hints: list[recurring_hints.Suggestion],
    accept: Callable[[recurring_hints.Suggestion], Awaitable[None]],
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
