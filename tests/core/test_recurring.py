"""Recurring schedules: date arithmetic, validation, upcoming items, posting, catch-up, hints."""

from __future__ import annotations

import calendar
import datetime as dt
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import payees, recurring, recurring_hints, recurring_views, schedule_rules
from fintrack.models import (
    Account,
    Category,
    RecurringOccurrence,
    RecurringSchedule,
    Split,
    Transaction,
)
from fintrack.recurring import ScheduleInput
from fintrack.schedule_rules import Rule, occurrences
from fintrack.transactions import SplitInput
from tests import builders as build

dates = st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31))


# --- schedule arithmetic ---------------------------------------------------------------------


def test_monthly_on_day_31_falls_back_to_each_months_last_day() -> None:
    rule = Rule(start=dt.date(2024, 1, 31), unit="month", day_of_month=31)
    assert occurrences(rule, dt.date(2024, 1, 1), dt.date(2024, 5, 31)) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
    ]


def test_yearly_on_leap_day_lands_on_feb_28_in_other_years() -> None:
    rule = Rule(start=dt.date(2024, 2, 29), unit="year")
    assert occurrences(rule, dt.date(2024, 1, 1), dt.date(2028, 12, 31)) == [
        dt.date(2024, 2, 29),
        dt.date(2025, 2, 28),
        dt.date(2026, 2, 28),
        dt.date(2027, 2, 28),
        dt.date(2028, 2, 29),
    ]


def test_day_of_month_before_start_day_begins_next_month() -> None:
    rule = Rule(start=dt.date(2026, 3, 20), unit="month", every=2, day_of_month=5, max_count=3)
    assert occurrences(rule, dt.date(2000, 1, 1), dt.date(2030, 1, 1)) == [
        dt.date(2026, 4, 5),
        dt.date(2026, 6, 5),
        dt.date(2026, 8, 5),
    ]


def test_next_date_across_a_long_interval_and_after_the_last_one() -> None:
    rule = Rule(start=dt.date(2024, 2, 29), unit="year", every=4, max_count=2)
    assert schedule_rules.next_date(rule, dt.date(2024, 3, 1)) == dt.date(2028, 2, 29)
    assert schedule_rules.next_date(rule, dt.date(2028, 2, 29)) is None


def test_describe_reads_like_a_sentence() -> None:
    rule = Rule(start=dt.date(2026, 1, 31), unit="month", every=2, day_of_month=31, max_count=4)
    assert schedule_rules.describe(rule) == "Every 2 months on the last day, 4 times"


@settings(max_examples=80, deadline=None)
@given(
    start=dates,
    every=st.integers(1, 5),
    day=st.one_of(st.none(), st.integers(1, 31)),
    unit=st.sampled_from(["month", "year"]),
)
def test_month_and_year_dates_hit_the_chosen_day_or_the_months_end(
    start: dt.date, every: int, day: int | None, unit: str
) -> None:
    rule = Rule(start=start, unit=unit, every=every, day_of_month=day)
    found = occurrences(rule, start, start + dt.timedelta(days=366 * 6 * every))
    anchor = day or start.day
    step = every * (12 if unit == "year" else 1)
    assert found and found[0] >= start
    for earlier, later in pairwise(found):
        months = (later.year - earlier.year) * 12 + later.month - earlier.month
        assert months == step
    for due in found:
        assert due.day == min(anchor, calendar.monthrange(due.year, due.month)[1])


@settings(max_examples=80, deadline=None)
@given(start=dates, every=st.integers(1, 30), unit=st.sampled_from(["day", "week"]))
def test_day_and_week_dates_are_evenly_spaced(start: dt.date, every: int, unit: str) -> None:
    rule = Rule(start=start, unit=unit, every=every)
    found = occurrences(rule, start, start + dt.timedelta(days=400))
    step = every * (7 if unit == "week" else 1)
    assert found[0] == start
    assert all((b - a).days == step for a, b in pairwise(found))
    assert len(found) == 400 // step + 1


@settings(max_examples=80, deadline=None)
@given(
    start=dates,
    every=st.integers(1, 4),
    unit=st.sampled_from(["day", "week", "month", "year"]),
    day=st.one_of(st.none(), st.integers(1, 31)),
    count=st.one_of(st.none(), st.integers(1, 12)),
    end_after=st.one_of(st.none(), st.integers(0, 2000)),
    split_after=st.integers(0, 3000),
)
def test_windows_add_up_and_respect_end_date_and_count(
    start: dt.date,
    every: int,
    unit: str,
    day: int | None,
    count: int | None,
    end_after: int | None,
    split_after: int,
) -> None:
    end = start + dt.timedelta(days=end_after) if end_after is not None else None
    rule = Rule(start, unit, every, day, end, count)
    horizon = start + dt.timedelta(days=3000)
    everything = occurrences(rule, start - dt.timedelta(days=40), horizon)
    middle = start + dt.timedelta(days=split_after)
    assert (
        occurrences(rule, start, middle) + occurrences(rule, middle + dt.timedelta(days=1), horizon)
        == everything
    )
    assert everything == sorted(set(everything))
    assert all(d >= start for d in everything)
    if end is not None:
        assert all(d <= end for d in everything)
    if count is not None:
        assert len(everything) <= count
        if end is None and unit in ("day", "week"):
            assert len(everything) == count
    if everything:
        assert schedule_rules.next_date(rule, everything[0] - dt.timedelta(days=1)) == everything[0]


# --- schedules in the database -----------------------------------------------------------------


@pytest.fixture
def accounts(session: Session) -> tuple[Account, Account]:
    checking = Account(name="Checking", currency="EUR")
    savings = Account(name="Savings", currency="EUR")
    session.add_all([checking, savings])
    session.flush()
    return checking, savings


def rent(account: Account, **changes: object) -> ScheduleInput:
    data = ScheduleInput(
        name="Rent",
        account_id=account.id,
        amount=-95_000,
        start_date=dt.date(2026, 1, 31),
        day_of_month=31,
        payee="Landlord",
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


# The day the test schedules are saved: before they start, so nothing is due yet.
SAVED = dt.date(2025, 12, 1)


def save(session: Session, data: ScheduleInput, schedule_id: int | None = None, **kw) -> int:
    kw.setdefault("today", SAVED)
    return recurring.save_schedule(session, data, schedule_id, **kw)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": dt.date(2025, 12, 31)}, "end_date"),
        ({"interval_count": 0}, "interval_count"),
        ({"amount": 0}, "amount"),
        ({"amount": 10**18}, "amount"),
        ({"name": "  "}, "name"),
        ({"start_date": dt.date(1026, 1, 31)}, "start_date"),
        ({"end_date": dt.date(9999, 1, 1)}, "end_date"),
        ({"max_count": 0}, "max_count"),
        ({"transfer_account_id": "same"}, "transfer_account_id"),
        ({"transfer_account_id": "dollars"}, "transfer_account_id"),
        ({"splits": [SplitInput(None, -100)]}, "splits"),
    ],
)
def test_bad_schedule_input_names_the_field_and_saves_nothing(
    session: Session, accounts: tuple[Account, Account], changes: dict, field: str
) -> None:
    checking, _ = accounts
    if changes.get("transfer_account_id") == "same":
        changes["transfer_account_id"] = checking.id
    if changes.get("transfer_account_id") == "dollars":
        changes["transfer_account_id"] = build.account(session, "Dollars", currency="USD")
    with pytest.raises(recurring.RecurringError) as error:
        save(session, rent(checking, **changes))
    assert error.value.field == field
    assert count(session, RecurringSchedule) == 0


def test_catch_up_posts_each_due_date_once_with_day_31_fallback(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    save(session, rent(checking))
    assert recurring.catch_up(session, dt.date(2026, 4, 29)) == 3
    assert recurring.catch_up(session, dt.date(2026, 4, 29)) == 0
    assert recurring.catch_up(session, dt.date(2026, 4, 30)) == 1
    posted = session.execute(
        select(Transaction.date, Transaction.amount, Transaction.payee).order_by(Transaction.date)
    ).all()
    assert posted == [
        (dt.date(2026, 1, 31), -95_000, "Landlord"),
        (dt.date(2026, 2, 28), -95_000, "Landlord"),
        (dt.date(2026, 3, 31), -95_000, "Landlord"),
        (dt.date(2026, 4, 30), -95_000, "Landlord"),
    ]
    assert count(session, RecurringOccurrence) == 4


def test_changing_a_schedules_day_never_reposts_history(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    schedule_id = save(session, rent(checking))
    assert recurring.catch_up(session, dt.date(2026, 3, 31)) == 3
    save(session, rent(checking, day_of_month=15), schedule_id)
    assert recurring_views.upcoming(session, dt.date(2026, 4, 10), days=10)[0].due_date == dt.date(
        2026, 4, 15
    )
    assert recurring.catch_up(session, dt.date(2026, 4, 20)) == 1
    dates = session.scalars(select(Transaction.date).order_by(Transaction.date)).all()
    assert dates[-2:] == [dt.date(2026, 3, 31), dt.date(2026, 4, 15)]
    assert len(dates) == 4


def test_changing_the_rhythm_keeps_what_is_left_of_the_count(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    schedule_id = save(session, rent(checking, max_count=4))
    assert recurring.catch_up(session, dt.date(2026, 2, 28)) == 2
    save(session, rent(checking, max_count=4, day_of_month=15), schedule_id)
    assert recurring.catch_up(session, dt.date(2026, 12, 31)) == 2
    dates = session.scalars(select(Transaction.date).order_by(Transaction.date)).all()
    assert dates[2:] == [dt.date(2026, 3, 15), dt.date(2026, 4, 15)]
    save(session, rent(checking, max_count=4, day_of_month=20), schedule_id)
    [view] = recurring_views.list_schedules(session, dt.date(2026, 12, 31))
    assert view.next_due is None  # all four dealt with: the schedule has ended
    assert recurring.catch_up(session, dt.date(2027, 12, 31)) == 0


def test_posting_ahead_of_an_open_date_does_not_lose_it_while_the_app_sleeps(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    coffee = rent(checking, name="Coffee", start_date=dt.date(2026, 1, 1))
    coffee.interval_unit = "day"
    schedule_id = save(session, coffee)
    assert recurring.catch_up(session, dt.date(2026, 1, 1)) == 1
    recurring.post_occurrence(session, schedule_id, dt.date(2026, 1, 4), on=dt.date(2026, 1, 1))
    recurring.skip_occurrence(session, schedule_id, dt.date(2026, 1, 5))
    # Asleep until the 7th: the 2nd, 3rd, 6th and 7th are posted, the 4th and 5th are not again.
    assert recurring.catch_up(session, dt.date(2026, 1, 7)) == 4
    assert count(session, Transaction) == 6


def test_reminders_are_not_posted_but_listed_as_upcoming_and_overdue(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    save(session, rent(checking, auto_post=False))
    assert recurring.catch_up(session, dt.date(2026, 3, 10)) == 0
    items = recurring_views.upcoming(session, dt.date(2026, 3, 10), days=30)
    assert [(i.due_date, i.overdue) for i in items] == [
        (dt.date(2026, 1, 31), True),
        (dt.date(2026, 2, 28), True),
        (dt.date(2026, 3, 31), False),
    ]
    assert items[0].amount == -95_000 and items[0].account_name == "Checking"


def test_post_early_and_skip_by_hand(session: Session, accounts: tuple[Account, Account]) -> None:
    checking, _ = accounts
    schedule_id = save(session, rent(checking, start_date=dt.date(2026, 3, 31)))
    today = dt.date(2026, 4, 20)
    recurring.catch_up(session, today)
    transaction_id = recurring.post_occurrence(session, schedule_id, dt.date(2026, 4, 30))
    # Posted early, still dated on its due date: the rent stays in its month.
    assert session.get(Transaction, transaction_id).date == dt.date(2026, 4, 30)
    assert recurring.skip_occurrence(session, schedule_id, dt.date(2026, 5, 31))
    assert recurring.post_occurrence(session, schedule_id, dt.date(2026, 4, 30)) is None
    assert not recurring.skip_occurrence(session, schedule_id, dt.date(2026, 5, 31))
    assert recurring.catch_up(session, dt.date(2026, 6, 1)) == 0
    assert count(session, Transaction) == 2
    upcoming = recurring_views.upcoming(session, today, days=75)
    assert [item.due_date for item in upcoming] == [dt.date(2026, 6, 30)]
    with pytest.raises(recurring.RecurringError):
        recurring.post_occurrence(session, schedule_id, dt.date(2026, 6, 15))


def test_template_transfer_and_splits_post_as_the_ledger_expects(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, savings = accounts
    food, home = Category(name="Food"), Category(name="Home")
    session.add_all([food, home])
    session.flush()
    save(
        session,
        rent(checking, name="Save", amount=-10_000, transfer_account_id=savings.id, max_count=2),
    )
    save(
        session,
        rent(
            checking,
            name="Shop",
            amount=-3_000,
            splits=[SplitInput(food.id, -1_000), SplitInput(home.id, -2_000)],
            end_date=dt.date(2026, 2, 15),
        ),
    )
    assert recurring.catch_up(session, dt.date(2026, 12, 31)) == 3
    balances = dict(
        session.execute(
            select(Transaction.account_id, func.sum(Transaction.amount)).group_by(
                Transaction.account_id
            )
        ).all()
    )
    assert balances == {checking.id: -20_000 - 3_000, savings.id: 20_000}
    assert sorted(session.scalars(select(Split.amount))) == [-2_000, -1_000]


def test_catch_up_keeps_posting_other_schedules_when_one_is_refused(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    bad = save(session, rent(checking, name="Broken"))
    save(session, rent(checking, name="Fine"))
    # Changed behind the form's back into a transfer to its own account: the ledger refuses.
    session.get(RecurringSchedule, bad).transfer_account_id = checking.id
    session.flush()
    assert recurring.catch_up(session, dt.date(2026, 2, 28)) == 2
    assert count(session, RecurringOccurrence) == 2


def test_list_schedules_shows_next_open_date(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    save(session, rent(checking))
    recurring.catch_up(session, dt.date(2026, 2, 28))
    [view] = recurring_views.list_schedules(session, dt.date(2026, 2, 28))
    assert view.next_due == dt.date(2026, 3, 31)
    assert view.description == "Every month on the last day"


def test_deleting_a_schedule_keeps_what_it_posted(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    schedule_id = save(session, rent(checking))
    recurring.catch_up(session, dt.date(2026, 2, 28))
    recurring.delete_schedule(session, schedule_id)
    session.expire_all()
    assert count(session, RecurringSchedule) == 0
    assert count(session, RecurringOccurrence) == 0
    assert count(session, Transaction) == 2


def gym(account: Account, today: dt.date) -> ScheduleInput:
    """The schedule of the finding: 50 a month, started three months ago, posted automatically."""
    start = today - dt.timedelta(days=95)
    return rent(account, name="Gym", amount=-5_000, start_date=start, day_of_month=None)


def test_a_schedule_starting_in_the_past_asks_before_posting_anything(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    today = dt.date(2026, 11, 29)
    data = gym(checking, today)

    past = recurring.preview_past(session, data, today)
    assert past == [
        dt.date(2026, 8, 26),
        dt.date(2026, 9, 26),
        dt.date(2026, 10, 26),
        dt.date(2026, 11, 26),
    ]
    assert (today - past[0]).days > recurring_views.OVERDUE_DAYS  # older than Upcoming shows
    with pytest.raises(recurring.RecurringError) as error:
        recurring.save_schedule(session, data, today=today)
    assert error.value.field == "post_past"
    assert "4 dates" in error.value.message
    assert count(session, RecurringSchedule) == 0 and count(session, Transaction) == 0


def test_skipping_the_past_posts_nothing_now_or_later(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    today = dt.date(2026, 11, 29)
    recurring.save_schedule(session, gym(checking, today), today=today, post_past=False)

    assert recurring.catch_up(session, today) == 0
    assert count(session, Transaction) == 0
    assert recurring_views.upcoming(session, today)[0].due_date == dt.date(2026, 12, 26)


def test_posting_the_past_books_each_on_its_due_date_as_money_out(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    today = dt.date(2026, 11, 29)
    recurring.save_schedule(session, gym(checking, today), today=today, post_past=True)

    posted = session.execute(select(Transaction.date, Transaction.amount)).all()
    assert sorted(posted) == [
        (dt.date(2026, 8, 26), -5_000),
        (dt.date(2026, 9, 26), -5_000),
        (dt.date(2026, 10, 26), -5_000),
        (dt.date(2026, 11, 26), -5_000),
    ]
    assert recurring.catch_up(session, today) == 0


def test_catch_up_announces_what_it_posted_and_each_can_be_undone(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    schedule_id = save(session, rent(checking))
    assert recurring.catch_up(session, dt.date(2026, 2, 28)) == 2

    announced = recurring_views.auto_postings(session, dt.date(2026, 3, 1), days=30)
    assert [(p.name, p.due_date, p.amount) for p in announced] == [
        ("Rent", dt.date(2026, 2, 28), -95_000),
        ("Rent", dt.date(2026, 1, 31), -95_000),
    ]
    assert recurring.undo_posting(session, schedule_id, dt.date(2026, 2, 28))
    assert count(session, Transaction) == 1
    # Undone stays undone: catch-up does not post that date again.
    assert recurring.catch_up(session, dt.date(2026, 3, 1)) == 0
    assert count(session, Transaction) == 1
    assert not recurring.undo_posting(session, schedule_id, dt.date(2026, 2, 28))


def test_post_now_keeps_the_due_date_unless_another_is_picked(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    schedule_id = save(session, rent(checking, start_date=dt.date(2026, 4, 1), day_of_month=1))
    kept = recurring.post_occurrence(session, schedule_id, dt.date(2026, 5, 1))
    moved = recurring.post_occurrence(
        session, schedule_id, dt.date(2026, 6, 1), on=dt.date(2026, 5, 28)
    )
    assert session.get(Transaction, kept).date == dt.date(2026, 5, 1)
    assert session.get(Transaction, moved).date == dt.date(2026, 5, 28)


# --- suggestions -------------------------------------------------------------------------------


def pay(session: Session, account: Account, day: dt.date, amount: int, payee: str) -> None:
    session.add(
        Transaction(
            account_id=account.id,
            date=day,
            amount=amount,
            payee=payee,
            payee_norm=payees.normalize(payee),
        )
    )


def test_suggestions_find_monthly_and_weekly_payments_only(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    for month, amount in ((1, -1_299), (2, -1_299), (3, -1_350), (4, -1_299)):
        pay(
            session, checking, dt.date(2026, month, 14 + month % 2), amount, f"NETFLIX {month}00123"
        )
    for week in range(4):
        pay(session, checking, dt.date(2026, 4, 2) + dt.timedelta(weeks=week), -2_000, "Cleaner")
    for day in (3, 9, 24, 30):  # irregular
        pay(session, checking, dt.date(2026, 4, day), -4_500, "Grocer")
    for month in (1, 2, 3):  # amounts all over the place
        pay(session, checking, dt.date(2026, month, 1), -1_000 * month, "Gym")
    session.flush()

    today = dt.date(2026, 4, 28)
    found = recurring_hints.suggestions(session, today)
    assert [(payees.normalize(s.payee), s.interval_unit, s.times) for s in found] == [
        ("cleaner", "week", 4),
        ("netflix", "month", 4),
    ]
    netflix = found[1]
    assert (netflix.amount, netflix.next_date) == (-1_299, dt.date(2026, 5, 14))

    schedule_id = recurring_hints.accept_suggestion(session, netflix)
    assert [s.interval_unit for s in recurring_hints.suggestions(session, today)] == ["week"]
    schedule = session.get(RecurringSchedule, schedule_id)
    assert (schedule.amount, schedule.start_date, schedule.auto_post) == (
        -1_299,
        dt.date(2026, 5, 14),
        False,
    )


def test_suggestions_ignore_payments_that_stopped(
    session: Session, accounts: tuple[Account, Account]
) -> None:
    checking, _ = accounts
    for month in (1, 2, 3):
        pay(session, checking, dt.date(2025, month, 5), -999, "Old magazine")
    session.flush()
    assert recurring_hints.suggestions(session, dt.date(2026, 4, 28)) == []


# --- catch-up when the app wakes -------------------------------------------------------------


def test_catch_up_now_runs_at_most_once_a_minute_and_never_raises(
    session: Session,
    accounts: tuple[Account, Account],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    checking, _ = accounts
    today = dt.date.today()
    coffee = rent(checking, name="Coffee", start_date=today - dt.timedelta(days=3))
    coffee.interval_unit = "day"
    recurring.save_schedule(session, coffee, post_past=True)  # the three days before today
    session.commit()
    assert count(session, Transaction) == 3
    assert recurring.catch_up_now(every_seconds=0) == 1  # today's

    recurring.save_schedule(
        session, rent(checking, name="Tea", start_date=today, day_of_month=None)
    )
    session.commit()
    assert recurring.catch_up_now() == 0  # ran a moment ago: Tea waits for the next run
    assert recurring.catch_up_now(every_seconds=0) == 1

    def broken(*_: object) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(recurring, "catch_up", broken)
    assert recurring.catch_up_now(every_seconds=0) == 0
    assert "recurring catch-up failed" in caplog.text
