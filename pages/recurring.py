"""Recurring `/recurring`: schedules, the next 30 days, posting or skipping by hand, suggestions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import ui
from sqlalchemy.orm import Session

from components import core
from components.dates import DateInput
from components.dialogs import confirm
from components.frame import frame
from components.money import amount_label
from components.schedule_form import ScheduleForm
from fintrack import (
    categories,
    display,
    recurring,
    recurring_hints,
    recurring_views,
    words,
)
from fintrack.accounts import AccountChoice, account_choices
from fintrack.categories import CategoryOption


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


def _choices(s: Session) -> tuple[list[AccountChoice], list[CategoryOption]]:
    return account_choices(s, open_only=True), categories.options(s)


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


class RecurringPage:
    """`/recurring`: the schedule form, what is due, the schedules and the suggestions."""

    def __init__(self) -> None:
        with frame("Recurring", "/recurring"):
            core.Panel(_choices, lambda choices: self.build(*choices))

    def build(self, active: list[AccountChoice], options: list[CategoryOption]) -> None:
        names = {a.id: a.name for a in active}
        self.currencies = {a.id: a.currency for a in active}
        with (
            ui.expansion("New schedule", icon="add", value=True)
            .classes("w-full")
            .props("header-class=text-subtitle1") as self.panel,
            ui.card().classes("w-full"),
        ):
            self.form = ScheduleForm(names, self.currencies, options)
            with ui.row().classes("gap-2"):
                self.save_button = ui.button("Save schedule", on_click=lambda: self.save())
                ui.button("Clear", on_click=self.reset_form).props("flat")
        self.view = core.Panel(lambda s: _load(s, dt.date.today()), self.show)

    def reset_form(self) -> None:
        self.form.reset()
        self.panel.text = "New schedule"

    async def save(self, post_past: bool | None = None) -> None:
        data = self.form.read()
        if data is None:
            return
        saved = await self.form.submit(
            _save, data, self.form.editing, post_past, busy=[self.save_button]
        )
        if saved is None:
            return
        if not saved.value:
            await self.ask_about_past(data)
            return
        ui.notify("Schedule saved", type="positive")
        self.reset_form()
        await self.view.refresh()

    async def ask_about_past(self, data: recurring.ScheduleInput) -> None:
        """A start in the past: show what would be back-posted and let the person choose."""
        previewed = await core.load(
            recurring.preview_past, data, dt.date.today(), self.form.editing
        )
        if previewed is None:
            return
        dates = previewed.value
        currency = self.currencies.get(data.account_id or 0, "EUR")
        with ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full"):
            ui.label(
                f"{words.count(len(dates), 'date')} {'is' if len(dates) == 1 else 'are'} "
                "already past"
            ).classes("text-h6")
            ui.label(
                f"{data.name} starts before today. Post these now, each on its due date, "
                "or skip them and start with the next one?"
            )
            with ui.column().classes("gap-0").mark("past-dates"):
                for due in dates:
                    with ui.row().classes("gap-4"):
                        ui.label(display.date(due)).classes("tabular-nums")
                        amount_label(int(data.amount), currency)

            async def choose(post_them: bool) -> None:
                dialog.close()
                await self.save(post_them)

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Skip them", on_click=lambda: choose(False)).props("outline")
                ui.button(f"Post {len(dates)}", on_click=lambda: choose(True))
        dialog.open()

    async def edit(self, schedule_id: int) -> None:
        loaded = await core.load(recurring.schedule_input, schedule_id)
        if loaded is None:
            return
        data = loaded.value
        self.form.fill(schedule_id, data, self.currencies.get(data.account_id, "EUR"))
        self.panel.text = f"Edit {data.name}"
        self.panel.open()
        # The form is above the lists: bring it into view with the focus on its first field.
        self.form.name.run_method("focus")

    def delete(self, view: recurring_views.ScheduleView) -> None:
        async def go() -> None:
            if await core.change(recurring.delete_schedule, view.id, what="delete"):
                await self.view.refresh()

        confirm(
            f"Delete the schedule {view.name}?",
            f"{view.name} ({view.description}) will no longer post or remind. "
            "Transactions it already posted stay in the ledger.",
            "Delete schedule",
            go,
        )

    def post(self, item: recurring_views.UpcomingItem) -> None:
        """Post one due date, dated on its due date unless the person picks another day."""
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(f"Post {item.name}").classes("text-h6")
            day = DateInput(value=item.due_date, required=True).classes("w-40")

            async def go() -> None:
                on = day.date
                if on is None:
                    return
                posted = await core.change(
                    recurring.post_occurrence,
                    item.schedule_id,
                    item.due_date,
                    on,
                    fields=core.Only(day),
                    busy=[button],
                    done=f"Posted {item.name} for {display.date(item.due_date)}",
                    what="post",
                )
                if posted is None:
                    return
                dialog.close()
                await self.view.refresh()

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                button = ui.button("Post", on_click=go).mark("post-confirm")
        dialog.open()

    async def undo(self, posting: recurring_views.Posting) -> None:
        if await core.change(
            recurring.undo_posting,
            posting.schedule_id,
            posting.due_date,
            done=f"{posting.name} of {display.date(posting.due_date)} taken back",
            what="undo",
        ):
            await self.view.refresh()

    def skip(self, item: recurring_views.UpcomingItem) -> None:
        async def go() -> None:
            if await core.change(
                recurring.skip_occurrence, item.schedule_id, item.due_date, what="skip"
            ):
                await self.view.refresh()

        confirm(
            f"Skip {item.name} on {display.date(item.due_date)}?",
            f"{item.name} due {display.date(item.due_date)} will not be posted; "
            "later dates stay as they are.",
            "Skip",
            go,
        )

    async def accept(self, suggestion: recurring_hints.Suggestion) -> None:
        if await core.change(
            recurring_hints.accept_suggestion,
            suggestion,
            done=f"{suggestion.payee} is now a schedule (reminder)",
        ):
            await self.view.refresh()

    def show(self, lists: _Lists) -> None:
        if lists.posted:
            _posted_card(lists.posted, self.undo)
        _upcoming_card(lists.upcoming, self.post, self.skip)
        _schedules_card(lists.schedules, self.edit, self.delete)
        if lists.suggestions:
            _suggestions_card(lists.suggestions, self.accept)


def _posted_card(
    postings: list[recurring_views.Posting],
    undo: Callable[[recurring_views.Posting], Awaitable[None]],
) -> None:
    with ui.card().classes("w-full").mark("auto-posted"):
        ui.label(f"Posted automatically (last {recurring_views.ANNOUNCE_DAYS} days)").classes(
            "text-h6"
        )
        for posting in postings:
            with ui.row().classes("w-full items-center gap-x-3 gap-y-0"):
                ui.label(display.date(posting.due_date)).classes("tabular-nums")
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
            with ui.row().classes("w-full items-center gap-x-3 gap-y-0"):
                ui.label(display.date(item.due_date)).classes(
                    "tabular-nums " + ("text-negative" if item.overdue else "")
                )
                with ui.column().classes("gap-0 grow basis-48"):
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
            with ui.row().classes("w-full items-center gap-x-3 gap-y-0"):
                with ui.column().classes("gap-0 grow basis-48"):
                    ui.label(view.name)
                    target = (
                        f" → {view.transfer_account_name}" if view.transfer_account_name else ""
                    )
                    ui.label(f"{view.description} · {view.account_name}{target}").classes(
                        "text-caption text-grey-7"
                    )
                ui.label(
                    f"next {display.date(view.next_due)}" if view.next_due else "ended"
                ).classes("text-grey-7 tabular-nums")
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
            with ui.row().classes("w-full items-center gap-x-3 gap-y-0"):
                with ui.column().classes("gap-0 grow basis-48"):
                    ui.label(hint.payee)
                    ui.label(
                        f"every {hint.interval_unit} · {hint.times} times · {hint.account_name}"
                        f" · next expected {display.date(hint.next_date)}"
                    ).classes("text-caption text-grey-7")
                amount_label(hint.amount, hint.currency)
                ui.button("Make schedule", on_click=lambda _, h=hint: accept(h)).props("flat dense")
