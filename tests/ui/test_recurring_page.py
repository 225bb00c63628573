"""The recurring page through the simulated user: create, refuse bad input, post, suggestions."""

from __future__ import annotations

import datetime as dt

import pytest
from nicegui.testing import User
from sqlalchemy import func, select

from components import catch_up
from fintrack import db, display, payees, recurring, recurring_views
from fintrack.models import Account, RecurringSchedule, Transaction
from tests import builders as build


def _schedules() -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(RecurringSchedule))


async def _fill(user: User, start: dt.date) -> None:
    user.find(marker="schedule-name").type("Rent")
    user.find(marker="schedule-account").click()
    user.find("Checking").click()
    user.find(marker="schedule-amount").type("950")
    user.find("Start date").clear().type(start.isoformat())


async def test_create_schedule_and_see_it_upcoming(logged_in: User) -> None:
    build.saved(build.account)
    due = dt.date.today() + dt.timedelta(days=5)
    await logged_in.open("/recurring")
    await logged_in.should_see("Nothing due in the next 30 days.")
    await _fill(logged_in, due)
    logged_in.find("Save schedule").click()
    await logged_in.should_see("Schedule saved")
    await logged_in.should_see(due.isoformat())
    await logged_in.should_see("Checking · posts automatically")
    await logged_in.should_see("-€950.00")
    assert _schedules() == 1


async def test_end_before_start_and_a_missing_or_zero_interval_are_refused_next_to_the_field(
    logged_in: User,
) -> None:
    build.saved(build.account)
    await logged_in.open("/recurring")
    await _fill(logged_in, dt.date(2026, 6, 1))
    logged_in.find(marker="schedule-end").type("2026-05-01")
    logged_in.find("Save schedule").click()
    await logged_in.should_see("The end date is before the start date.")
    logged_in.find(marker="schedule-end").clear()
    # The form asks for a number before the core is called; the core checks its range.
    logged_in.find(marker="schedule-every").clear()
    logged_in.find("Save schedule").click()
    await logged_in.should_see("Enter a whole number.")
    await logged_in.should_not_see("The end date is before the start date.")
    logged_in.find(marker="schedule-every").type("0")
    logged_in.find("Save schedule").click()
    await logged_in.should_see("Enter a whole number of at least 1.")
    await logged_in.should_not_see("The end date is before the start date.")
    assert _schedules() == 0


async def test_post_a_reminder_now_from_the_upcoming_list(logged_in: User) -> None:
    account_id = build.saved(build.account)
    today = dt.date.today()
    with db.session() as s:
        recurring.save_schedule(
            s,
            recurring.ScheduleInput(
                name="Water bill",
                account_id=account_id,
                amount=-4_200,
                start_date=today + dt.timedelta(days=3),
                auto_post=False,
            ),
        )
    await logged_in.open("/recurring")
    await logged_in.should_see("Checking · reminder")
    logged_in.find("Post now").click()
    await logged_in.should_see("Post Water bill")
    logged_in.find(marker="post-confirm").click()
    await logged_in.should_see("Posted Water bill")
    await logged_in.should_not_see("Checking · reminder")
    with db.session() as s:
        posted = s.execute(select(Transaction.date, Transaction.amount)).all()
    # Paid early, booked on its due date: the bill stays in the month it belongs to.
    assert posted == [(today + dt.timedelta(days=3), -4_200)]


async def test_suggestion_becomes_a_schedule_with_one_click(logged_in: User) -> None:
    account_id = build.saved(build.account)
    last = dt.date.today() - dt.timedelta(days=3)
    with db.session() as s:
        for weeks in range(4):
            s.add(
                Transaction(
                    account_id=account_id,
                    date=last - dt.timedelta(weeks=weeks),
                    amount=-1_500,
                    payee="Window Cleaner",
                    payee_norm=payees.normalize("Window Cleaner"),
                )
            )
    await logged_in.open("/recurring")
    await logged_in.should_see("Looks recurring")
    await logged_in.should_see("every week · 4 times")
    logged_in.find("Make schedule").click()
    await logged_in.should_see("Window Cleaner is now a schedule")
    await logged_in.should_not_see("Looks recurring")
    assert _schedules() == 1


async def test_background_catch_up_posts_what_fell_due_and_the_next_page_says_so(
    logged_in: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = build.saved(build.account)
    today = dt.date.today()
    with db.session() as s:
        recurring.save_schedule(
            s,
            recurring.ScheduleInput(
                name="Parking",
                account_id=account_id,
                amount=-300,
                start_date=today,
                interval_unit="day",
            ),
            post_past=True,
        )
    # The app caught up when it started a moment ago; with no pause between catch-ups, run
    # what its background loop runs once a minute.
    monkeypatch.setattr(catch_up, "INTERVAL_SECONDS", 0)
    assert await catch_up.catch_up_once() == 1
    await logged_in.open("/recurring")
    await logged_in.should_see("Recurring: posted 1 transaction that fell due.")
    await logged_in.should_see(f"next {(today + dt.timedelta(days=1)).isoformat()}")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transaction)) == 1


async def test_split_template_must_add_up_then_edits_keep_its_lines(logged_in: User) -> None:
    build.saved(build.account)
    await logged_in.open("/recurring")
    await _fill(logged_in, dt.date.today() + dt.timedelta(days=3))
    logged_in.find("Add split line").click()
    logged_in.find("Add split line").click()
    lines = logged_in.find("Line amount").elements
    lines_in_order = sorted(lines, key=lambda element: element.id)
    lines_in_order[0].value = "900"
    lines_in_order[1].value = "40"
    logged_in.find("Save schedule").click()
    await logged_in.should_see("The split lines must add up to the amount.")
    assert _schedules() == 0

    lines_in_order[1].value = "50"
    logged_in.find("Save schedule").click()
    await logged_in.should_see("Schedule saved")
    with db.session() as s:
        [splits] = s.scalars(select(RecurringSchedule.template_splits)).all()
    assert [line["amount"] for line in splits] == [-90_000, -5_000]

    await logged_in.should_see(marker="edit-schedule")
    logged_in.find(marker="edit-schedule").click()
    await logged_in.should_see("Edit Rent")
    amounts = sorted(logged_in.find("Line amount").elements, key=lambda element: element.id)
    assert [element.value for element in amounts] == ["900.00", "50.00"]


async def _gym(user: User, start: dt.date) -> None:
    user.find(marker="schedule-name").type("Gym")
    user.find(marker="schedule-account").click()
    user.find("Checking").click()
    user.find(marker="schedule-amount").type("50")
    user.find("Start date").clear().type(start.isoformat())
    user.find("Save schedule").click()


async def test_a_gym_started_three_months_ago_asks_before_posting(logged_in: User) -> None:
    build.saved(build.account)
    start = dt.date.today() - dt.timedelta(days=95)
    await logged_in.open("/recurring")
    await _gym(logged_in, start)
    dates = _past(start)
    assert len(dates) >= 3 and (dt.date.today() - dates[0]).days > recurring_views.OVERDUE_DAYS
    await logged_in.should_see(f"{len(dates)} dates are already past")
    for due in dates:  # the oldest lies beyond the 90 days Upcoming shows
        await logged_in.should_see(due.isoformat())
    await logged_in.should_see("-€50.00")
    assert _schedules() == 0
    logged_in.find("Skip them").click()
    await logged_in.should_see("Schedule saved")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transaction)) == 0
    await logged_in.should_not_see("overdue")


async def test_posting_the_past_books_expenses_on_their_due_dates(logged_in: User) -> None:
    build.saved(build.account)
    start = dt.date.today() - dt.timedelta(days=95)
    await logged_in.open("/recurring")
    await _gym(logged_in, start)
    await logged_in.should_see("are already past")
    logged_in.find(f"Post {len(_past(start))}").click()
    await logged_in.should_see("Schedule saved")
    with db.session() as s:
        posted = s.execute(select(Transaction.date, Transaction.amount)).all()
    assert sorted(posted) == [(d, -5_000) for d in _past(start)]


def _first_account() -> int:
    with db.session() as s:
        return s.scalar(select(Account.id))


def _past(start: dt.date) -> list[dt.date]:
    with db.session() as s:
        return recurring.preview_past(
            s,
            recurring.ScheduleInput("Gym", _first_account(), -5_000, start),
            dt.date.today(),
        )


async def test_what_catch_up_posted_is_announced_and_can_be_undone(
    logged_in: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = build.saved(build.account)
    today = dt.date.today()
    with db.session() as s:
        recurring.save_schedule(
            s,
            recurring.ScheduleInput(
                name="Parking", account_id=account_id, amount=-300, start_date=today
            ),
        )
    # What the background loop runs once a minute.
    monkeypatch.setattr(catch_up, "INTERVAL_SECONDS", 0)
    assert await catch_up.catch_up_once() == 1
    await logged_in.open("/recurring")
    await logged_in.should_see("Posted automatically")
    await logged_in.should_see("Parking · Checking")
    logged_in.find("Undo").click()
    await logged_in.should_see(f"Parking of {today.isoformat()} taken back")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transaction)) == 0


async def test_start_date_is_typed_and_shown_in_the_chosen_format(logged_in: User) -> None:
    display.use(display.Formats(date="11/29/2026"))
    build.saved(build.account)
    due = dt.date.today() + dt.timedelta(days=5)
    await logged_in.open("/recurring")
    await _fill(logged_in, due)
    logged_in.find("Start date").clear()
    logged_in.find("Save schedule").click()
    await logged_in.should_see("Enter a date as MM/DD/YYYY.")
    logged_in.find("Start date").type(due.strftime("%m/%d/%Y"))
    logged_in.find("Save schedule").click()
    await logged_in.should_see("Schedule saved")
    await logged_in.should_see(due.strftime("%m/%d/%Y"))
    with db.session() as s:
        assert s.scalar(select(RecurringSchedule.start_date)) == due
