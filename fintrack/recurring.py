"""Recurring transactions: schedules, their dates, posting without a scheduler, suggestions.

There is no cron job. `catch_up` posts every due occurrence of the auto-posting schedules
when the app starts and when a page opens. An occurrence row (primary key schedule and due
date) is inserted before its transaction in the same database transaction, so two requests
or two processes catching up at once post each occurrence exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise, takewhile
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from fintrack import db, money, payees
from fintrack.errors import InputError
from fintrack.models import (
    INTERVAL_UNITS,
    Account,
    Category,
    RecurringOccurrence,
    RecurringSchedule,
    Transaction,
)
from fintrack.periods import add_months, month_end, parse_date
from fintrack.transactions import (
    LedgerError,
    SplitInput,
    TransactionInput,
    create_transaction,
    delete_transactions,
)

log = logging.getLogger(__name__)

LAST_DAY = 31  # day_of_month 31 means the month's last day in shorter months
OVERDUE_DAYS = 90
CATCH_UP_EVERY_SECONDS = 60.0
ANNOUNCE_DAYS = 7
# What became of a due date: posted by a person, posted by catch-up, or skipped.
POSTED, AUTO_POSTED, SKIPPED = "posted", "auto", "skipped"


class RecurringError(InputError):
    """Input a person can fix; `field` names the input that is wrong."""


# ---------------------------------------------------------------------------------------------
# Schedule arithmetic: pure functions over plain dates.


@dataclass(frozen=True)
class Rule:
    """When a schedule falls due: every `every` units from `start`, until `end` or `max_count`.

    For months and years `day_of_month` picks the day (31 = the month's last day); without it
    the start date's day is used, clamped to shorter months.
    """

    start: dt.date
    unit: str = "month"
    every: int = 1
    day_of_month: int | None = None
    end: dt.date | None = None
    max_count: int | None = None


def _months_step(rule: Rule) -> int:
    return rule.every * (12 if rule.unit == "year" else 1)


def _on_day(rule: Rule, month: dt.date) -> dt.date:
    """The schedule's day in the given month, clamped to the month's length."""
    day = rule.day_of_month or rule.start.day
    return month.replace(day=min(day, month_end(month).day))


def _first_month(rule: Rule) -> dt.date:
    """First day of the month of the first occurrence (the next month if the day has passed)."""
    month = rule.start.replace(day=1)
    if _on_day(rule, month) < rule.start:
        month = add_months(month, 12 if rule.unit == "year" else 1)
    return month


def nth_date(rule: Rule, index: int) -> dt.date:
    """The index-th occurrence (0 = first) ignoring the end date and count."""
    if rule.unit in ("day", "week"):
        days = rule.every * (7 if rule.unit == "week" else 1)
        return rule.start + dt.timedelta(days=days * index)
    return _on_day(rule, add_months(_first_month(rule), _months_step(rule) * index))


def _first_index_near(rule: Rule, day: dt.date) -> int:
    """An occurrence index at or just before `day`, so long series need not be walked."""
    if day <= rule.start:
        return 0
    if rule.unit in ("day", "week"):
        step = rule.every * (7 if rule.unit == "week" else 1)
        return (day - rule.start).days // step
    months = (day.year - rule.start.year) * 12 + day.month - rule.start.month
    return max(0, months // _months_step(rule) - 1)


def _from(rule: Rule, first: dt.date) -> Iterator[dt.date]:
    """Due dates on or after `first`, in order, until the end date or count runs out."""
    index = _first_index_near(rule, first)
    while rule.max_count is None or index < rule.max_count:
        due = nth_date(rule, index)
        if rule.end is not None and due > rule.end:
            return
        if due >= first:
            yield due
        index += 1


def occurrences(rule: Rule, first: dt.date, last: dt.date) -> list[dt.date]:
    """Due dates from `first` to `last` (both included), honouring end date and count."""
    return list(takewhile(lambda due: due <= last, _from(rule, first)))


def next_date(rule: Rule, after: dt.date) -> dt.date | None:
    """The first due date strictly after `after`, or None when the schedule has ended."""
    return next(_from(rule, after + dt.timedelta(days=1)), None)


def rule_of(schedule: RecurringSchedule) -> Rule:
    """The date rule of a stored schedule."""
    return Rule(
        start=schedule.start_date,
        unit=schedule.interval_unit,
        every=schedule.interval_count,
        day_of_month=schedule.day_of_month,
        end=schedule.end_date,
        max_count=schedule.max_count,
    )


def describe(rule: Rule) -> str:
    """`Every 2 weeks`, `Every month on the last day, 12 times`, ... for lists."""
    text = f"Every {rule.every} {rule.unit}s" if rule.every > 1 else f"Every {rule.unit}"
    if rule.unit in ("month", "year"):
        day = rule.day_of_month or rule.start.day
        text += " on the last day" if day == LAST_DAY else f" on day {day}"
    if rule.max_count:
        text += f", {rule.max_count} times"
    if rule.end:
        text += f", until {rule.end.isoformat()}"
    return text


# ---------------------------------------------------------------------------------------------
# Schedules: validation and storage.


@dataclass
class ScheduleInput:
    """A schedule as typed in a form; text fields are parsed and checked by `save_schedule`.

    `amount` is signed minor units, as the ledger keeps them: the form turns the size a
    person typed and the direction they chose into it with `money.signed`.
    """

    name: str
    account_id: int | None
    amount: int
    start_date: dt.date | str
    interval_unit: str = "month"
    interval_count: int | float | str = 1
    day_of_month: int | None = None
    end_date: dt.date | str | None = None
    max_count: int | float | str | None = None
    payee: str = ""
    category_id: int | None = None
    transfer_account_id: int | None = None
    splits: list[SplitInput] = field(default_factory=list)
    notes: str | None = None
    auto_post: bool = True


def _date(value: dt.date | str | None, name: str, required: bool) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not (value or "").strip():
        if required:
            raise RecurringError(name, "Enter a date as YYYY-MM-DD.")
        return None
    try:
        return parse_date(value)
    except ValueError as error:
        raise RecurringError(name, str(error)) from None


def _whole(value: int | float | str | None, name: str, required: bool) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecurringError(name, "Enter a whole number.")
        return None
    try:
        number = float(value)
        whole = int(number)
    except (ValueError, OverflowError):
        raise RecurringError(name, f'"{value}" is not a whole number.') from None
    if number != whole or whole < 1:
        raise RecurringError(name, "Enter a whole number of at least 1.")
    return whole


def _validated(session: Session, data: ScheduleInput) -> dict[str, Any]:
    """The schedule's column values, or RecurringError naming the first wrong field."""
    name = " ".join((data.name or "").split())
    if not name:
        raise RecurringError("name", "Give the schedule a name.")
    account = session.get(Account, data.account_id) if data.account_id is not None else None
    if account is None:
        raise RecurringError("account", "Choose an account.")
    amount = data.amount
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise RecurringError("amount", "Enter an amount other than zero.")
    try:
        money.check_bounds(amount, account.currency)
    except money.MoneyError as error:
        raise RecurringError("amount", f"The amount is too large: {error}.") from None
    if data.interval_unit not in INTERVAL_UNITS:
        raise RecurringError("interval_unit", "Choose days, weeks, months or years.")
    every = _whole(data.interval_count, "interval", required=True)
    start = _date(data.start_date, "start_date", required=True)
    end = _date(data.end_date, "end_date", required=False)
    if end is not None and start is not None and end < start:
        raise RecurringError("end_date", "The end date is before the start date.")
    max_count = _whole(data.max_count, "max_count", required=False)
    day = data.day_of_month if data.interval_unit in ("month", "year") else None
    if day is not None and not 1 <= day <= LAST_DAY:
        raise RecurringError("day_of_month", "Choose a day from 1 to 31.")
    transfer_id = data.transfer_account_id
    if transfer_id is not None:
        other = session.get(Account, transfer_id)
        if transfer_id == account.id:
            raise RecurringError("transfer_account", "A transfer needs two different accounts.")
        if other is None:
            raise RecurringError("transfer_account", "Choose an existing account.")
        if other.currency != account.currency:
            raise RecurringError(
                "transfer_account", "Scheduled transfers need accounts in the same currency."
            )
    if data.category_id is not None and session.get(Category, data.category_id) is None:
        raise RecurringError("category", "That category does not exist.")
    splits = None
    if data.splits and transfer_id is None:
        for line in data.splits:
            if line.category_id is not None and session.get(Category, line.category_id) is None:
                raise RecurringError("splits", "A split line's category does not exist.")
        if sum(line.amount for line in data.splits) != amount:
            raise RecurringError("splits", "The split lines must add up to the amount.")
        splits = [
            {"category_id": line.category_id, "amount": line.amount, "memo": line.memo}
            for line in data.splits
        ]
    return {
        "name": name[:120],
        "account_id": account.id,
        "transfer_account_id": transfer_id,
        "payee": (data.payee or "").strip()[:255],
        "amount": amount,
        "category_id": None if (splits or transfer_id) else data.category_id,
        "template_splits": splits,
        "notes": (data.notes or "").strip() or None,
        "interval_unit": data.interval_unit,
        "interval_count": every,
        "day_of_month": day,
        "start_date": start,
        "end_date": end,
        "max_count": max_count,
        "auto_post": bool(data.auto_post),
        "active": True,
    }


RHYTHM = ("start_date", "interval_unit", "interval_count", "day_of_month")


def _continue_after_history(
    session: Session, schedule: RecurringSchedule, values: dict[str, Any]
) -> None:
    """A changed rhythm applies after the last date already dealt with, never to the past.

    The start moves to the new rhythm's first date after that one, and a count keeps only
    what is left of it; a schedule with nothing left stops.
    """
    last, dealt_with = session.execute(
        select(func.max(RecurringOccurrence.due_date), func.count()).where(
            RecurringOccurrence.schedule_id == schedule.id
        )
    ).one()
    if last is None or values["start_date"] > last:
        return
    if values["interval_unit"] in ("month", "year") and values["day_of_month"] is None:
        values["day_of_month"] = values["start_date"].day
    rule = Rule(
        start=values["start_date"],
        unit=values["interval_unit"],
        every=values["interval_count"],
        day_of_month=values["day_of_month"],
        end=values["end_date"],
    )
    following = next_date(rule, last)
    remaining = None
    if values["max_count"] is not None:
        remaining = values["max_count"] - dealt_with
        values["max_count"] = max(remaining, 1)
    values["start_date"] = following or last + dt.timedelta(days=1)
    values["active"] = following is not None and (remaining is None or remaining > 0)


def _past_dates(
    session: Session, values: dict[str, Any], schedule_id: int | None, today: dt.date
) -> list[dt.date]:
    """Due dates before today that saving these values leaves neither posted nor skipped."""
    # A reminder posts nothing by itself: its past dates show as overdue until dealt with.
    if not (values["active"] and values["auto_post"]) or values["start_date"] >= today:
        return []
    rule = Rule(
        start=values["start_date"],
        unit=values["interval_unit"],
        every=values["interval_count"],
        day_of_month=values["day_of_month"],
        end=values["end_date"],
        max_count=values["max_count"],
    )
    handled = (
        _handled(session, [schedule_id], values["start_date"])[schedule_id]
        if schedule_id
        else set()
    )
    # Today's date is not past: catch-up posts it (and announces it) as on any other day.
    yesterday = today - dt.timedelta(days=1)
    return [due for due in occurrences(rule, values["start_date"], yesterday) if due not in handled]


def _values(
    session: Session, data: ScheduleInput, schedule_id: int | None
) -> tuple[RecurringSchedule, dict[str, Any]]:
    values = _validated(session, data)
    schedule = session.get(RecurringSchedule, schedule_id) if schedule_id else RecurringSchedule()
    if schedule is None:
        raise RecurringError("name", "That schedule no longer exists.")
    if schedule_id and any(getattr(schedule, key) != values[key] for key in RHYTHM):
        _continue_after_history(session, schedule, values)
    return schedule, values


def preview_past(
    session: Session, data: ScheduleInput, today: dt.date, schedule_id: int | None = None
) -> list[dt.date]:
    """The due dates before today that saving the schedule would post (with `post_past=True`)
    or skip; empty when it starts today or later. RecurringError names a bad field."""
    _, values = _values(session, data, schedule_id)
    return _past_dates(session, values, schedule_id, today)


def save_schedule(
    session: Session,
    data: ScheduleInput,
    schedule_id: int | None = None,
    *,
    today: dt.date | None = None,
    post_past: bool | None = None,
) -> int:
    """Create (or, with `schedule_id`, change) a schedule; RecurringError names a bad field.

    Nothing is back-posted without consent: when due dates before today are open (see
    `preview_past`), `post_past` must say whether they are posted now (each on its due date)
    or skipped; without it RecurringError("post_past") asks. Changing when an existing
    schedule falls due never re-posts or re-reminds past dates.
    """
    today = today or dt.date.today()
    schedule, values = _values(session, data, schedule_id)
    past = _past_dates(session, values, schedule_id, today)
    if past and post_past is None:
        raise RecurringError(
            "post_past",
            f"{len(past)} date(s) from {past[0].isoformat()} to {past[-1].isoformat()} are "
            "already due: choose whether to post them or skip them.",
        )
    for key, value in values.items():
        setattr(schedule, key, value)
    session.add(schedule)
    session.flush()
    for due in past:
        try:
            _record(session, schedule, due, due if post_past else None)
        except LedgerError as error:
            raise RecurringError(error.field, error.message) from None
    return schedule.id


def delete_schedule(session: Session, schedule_id: int) -> None:
    """Remove a schedule; transactions it already posted stay in the ledger."""
    schedule = session.get(RecurringSchedule, schedule_id)
    if schedule is not None:
        session.delete(schedule)
        session.flush()


def schedule_input(session: Session, schedule_id: int) -> ScheduleInput:
    """A stored schedule as form input, for editing; RecurringError when it is gone."""
    schedule = session.get(RecurringSchedule, schedule_id)
    if schedule is None:
        raise RecurringError("name", "That schedule no longer exists.")
    return ScheduleInput(
        name=schedule.name,
        account_id=schedule.account_id,
        amount=schedule.amount,
        start_date=schedule.start_date,
        interval_unit=schedule.interval_unit,
        interval_count=schedule.interval_count,
        day_of_month=schedule.day_of_month,
        end_date=schedule.end_date,
        max_count=schedule.max_count,
        payee=schedule.payee,
        category_id=schedule.category_id,
        transfer_account_id=schedule.transfer_account_id,
        splits=[SplitInput(**line) for line in schedule.template_splits or []],
        notes=schedule.notes,
        auto_post=schedule.auto_post,
    )


@dataclass(frozen=True)
class ScheduleView:
    """A schedule as the list shows it."""

    id: int
    name: str
    description: str
    account_name: str
    transfer_account_name: str | None
    payee: str
    amount: int
    currency: str
    auto_post: bool
    next_due: dt.date | None


def _handled(session: Session, schedule_ids: list[int], since: dt.date) -> dict[int, set[dt.date]]:
    """Due dates from `since` on that were posted or skipped, per schedule."""
    rows = session.execute(
        select(RecurringOccurrence.schedule_id, RecurringOccurrence.due_date).where(
            RecurringOccurrence.schedule_id.in_(schedule_ids),
            RecurringOccurrence.due_date >= since,
        )
    )
    handled: dict[int, set[dt.date]] = defaultdict(set)
    for schedule_id, due in rows:
        handled[schedule_id].add(due)
    return handled


def _handled_counts(session: Session, schedule_ids: list[int], today: dt.date) -> dict[int, int]:
    """How many due dates from each schedule's start up to today were posted or skipped."""
    return dict(
        session.execute(
            select(RecurringOccurrence.schedule_id, func.count())
            .join(RecurringSchedule, RecurringSchedule.id == RecurringOccurrence.schedule_id)
            .where(
                RecurringOccurrence.schedule_id.in_(schedule_ids),
                RecurringOccurrence.due_date >= RecurringSchedule.start_date,
                RecurringOccurrence.due_date <= today,
            )
            .group_by(RecurringOccurrence.schedule_id)
        ).all()
    )


def _with_account_names() -> Select:
    """Schedules with their account's name and currency and the transfer account's name."""
    other = aliased(Account)
    return (
        select(RecurringSchedule, Account.name, Account.currency, other.name)
        .join(Account, Account.id == RecurringSchedule.account_id)
        .outerjoin(other, other.id == RecurringSchedule.transfer_account_id)
    )


def _first_open(rule: Rule, handled: set[dt.date], since: dt.date) -> dt.date | None:
    """The first due date on or after `since` that was neither posted nor skipped."""
    return next((due for due in _from(rule, since) if due not in handled), None)


def list_schedules(session: Session, today: dt.date) -> list[ScheduleView]:
    """Every schedule with its next open due date (overdue reminders included)."""
    rows = session.execute(
        _with_account_names().order_by(RecurringSchedule.name, RecurringSchedule.id)
    ).all()
    ids = [row[0].id for row in rows]
    window = today - dt.timedelta(days=OVERDUE_DAYS)
    handled = _handled(session, ids, window)
    views = []
    for schedule, account_name, currency, transfer_name in rows:
        rule = rule_of(schedule)
        since = max(window, rule.start)
        views.append(
            ScheduleView(
                id=schedule.id,
                name=schedule.name,
                description=describe(rule),
                account_name=account_name,
                transfer_account_name=transfer_name,
                payee=schedule.payee,
                amount=schedule.amount,
                currency=currency,
                auto_post=schedule.auto_post,
                next_due=_first_open(rule, handled[schedule.id], since)
                if schedule.active
                else None,
            )
        )
    return views


# ---------------------------------------------------------------------------------------------
# Upcoming items, posting, skipping, catch-up.


@dataclass(frozen=True)
class UpcomingItem:
    """One due date of a schedule that has not been posted or skipped yet."""

    schedule_id: int
    name: str
    due_date: dt.date
    amount: int
    currency: str
    account_name: str
    transfer_account_name: str | None
    payee: str
    category_id: int | None
    auto_post: bool
    overdue: bool


def upcoming(session: Session, today: dt.date, days: int = 30) -> list[UpcomingItem]:
    """Open due dates of active schedules from up to 90 days ago to `days` ahead, by date."""
    rows = session.execute(
        _with_account_names().where(
            RecurringSchedule.active.is_(True),
            RecurringSchedule.start_date <= today + dt.timedelta(days=days),
        )
    ).all()
    ids = [row[0].id for row in rows]
    window = today - dt.timedelta(days=OVERDUE_DAYS)
    handled = _handled(session, ids, window)
    items = []
    for schedule, account_name, currency, transfer_name in rows:
        for due in occurrences(rule_of(schedule), window, today + dt.timedelta(days=days)):
            if due in handled[schedule.id]:
                continue
            items.append(
                UpcomingItem(
                    schedule_id=schedule.id,
                    name=schedule.name,
                    due_date=due,
                    amount=schedule.amount,
                    currency=currency,
                    account_name=account_name,
                    transfer_account_name=transfer_name,
                    payee=schedule.payee,
                    category_id=schedule.category_id,
                    auto_post=schedule.auto_post,
                    overdue=due < today,
                )
            )
    items.sort(key=lambda item: (item.due_date, item.name.lower(), item.schedule_id))
    return items


def _template(schedule: RecurringSchedule, on: dt.date) -> TransactionInput:
    return TransactionInput(
        account_id=schedule.account_id,
        date=on,
        amount=schedule.amount,
        payee=schedule.payee or schedule.name,
        category_id=schedule.category_id,
        notes=schedule.notes,
        splits=[SplitInput(**line) for line in schedule.template_splits or []],
        transfer_account_id=schedule.transfer_account_id,
    )


def _schedule(session: Session, schedule_id: int, due: dt.date) -> RecurringSchedule:
    schedule = session.get(RecurringSchedule, schedule_id)
    if schedule is None:
        raise RecurringError("schedule", "That schedule no longer exists.")
    if due not in occurrences(rule_of(schedule), due, due):
        raise RecurringError("due_date", f"{schedule.name} is not due on {due.isoformat()}.")
    return schedule


def _record(
    session: Session,
    schedule: RecurringSchedule,
    due: dt.date,
    on: dt.date | None,
    status: str = POSTED,
) -> int | None:
    """Insert the occurrence row first, then post; None when it was already dealt with.

    The savepoint keeps a conflict (another request got there first) from undoing the rest
    of the caller's work.
    """
    try:
        with session.begin_nested():
            occurrence = RecurringOccurrence(
                schedule_id=schedule.id, due_date=due, status=status if on else SKIPPED
            )
            session.add(occurrence)
            session.flush()
            if on is None:
                return 0
            occurrence.transaction_id = create_transaction(session, _template(schedule, on))
            session.flush()
            return occurrence.transaction_id
    except IntegrityError:
        return None


def post_occurrence(
    session: Session, schedule_id: int, due: dt.date, on: dt.date | None = None
) -> int | None:
    """Post one due date now (early or late); returns the transaction id, None if done before.

    The transaction is dated on the due date, so rent due on the 1st stays in its month,
    unless the person picks another date `on`.
    """
    schedule = _schedule(session, schedule_id, due)
    try:
        return _record(session, schedule, due, on or due)
    except LedgerError as error:
        raise RecurringError(error.field, error.message) from None


def undo_posting(session: Session, schedule_id: int, due: dt.date) -> bool:
    """Take back one posting: its transaction goes, and the due date counts as skipped so
    catch-up does not post it again. False when that date was not posted."""
    occurrence = session.get(RecurringOccurrence, (schedule_id, due))
    if occurrence is None or occurrence.status not in (POSTED, AUTO_POSTED):
        return False
    if occurrence.transaction_id is not None:
        delete_transactions(session, [occurrence.transaction_id])
    occurrence = session.get(RecurringOccurrence, (schedule_id, due))
    occurrence.status, occurrence.transaction_id = SKIPPED, None
    session.flush()
    return True


def skip_occurrence(session: Session, schedule_id: int, due: dt.date) -> bool:
    """Mark one due date as skipped, so it is never posted; False if it was dealt with before."""
    return _record(session, _schedule(session, schedule_id, due), due, None) is not None


def catch_up(session: Session, today: dt.date) -> int:
    """Post every due occurrence of the active auto-posting schedules that was neither posted
    nor skipped yet; returns how many were posted.

    One GROUP BY counts what each schedule has dealt with; only a schedule with fewer rows
    than due dates has its dates looked at, so a run with nothing to do stays cheap.

    Safe to run at once from several requests or processes: each occurrence is posted once.
    A schedule the ledger refuses (say, its account was archived) is logged and left open.
    """
    schedules = session.scalars(
        select(RecurringSchedule)
        .where(
            RecurringSchedule.active.is_(True),
            RecurringSchedule.auto_post.is_(True),
            RecurringSchedule.start_date <= today,
        )
        .order_by(RecurringSchedule.id)
    ).all()
    done = _handled_counts(session, [s.id for s in schedules], today)
    # Held so the ledger's account look-ups hit the identity map instead of the database.
    accounts = session.scalars(select(Account)).all()
    posted = 0
    for schedule in schedules:
        due_dates = occurrences(rule_of(schedule), schedule.start_date, today)
        if done.get(schedule.id, 0) >= len(due_dates):
            continue
        handled = _handled(session, [schedule.id], schedule.start_date)[schedule.id]
        for due in due_dates:
            if due in handled:
                continue
            try:
                if _record(session, schedule, due, due, AUTO_POSTED) is not None:
                    posted += 1
            except LedgerError as error:
                log.warning("schedule %s not posted for %s: %s", schedule.id, due, error)
                break
    del accounts
    return posted


@dataclass(frozen=True)
class Posting:
    """A transaction catch-up posted on its own, announced so the person can undo it."""

    schedule_id: int
    name: str
    due_date: dt.date
    transaction_id: int
    amount: int
    currency: str
    account_name: str


def auto_postings(session: Session, today: dt.date, days: int = ANNOUNCE_DAYS) -> list[Posting]:
    """What catch-up posted on its own for due dates in the last `days` days, newest first."""
    rows = session.execute(
        select(
            RecurringOccurrence,
            RecurringSchedule.name,
            Transaction.amount,
            Account.currency,
            Account.name,
        )
        .join(RecurringSchedule, RecurringSchedule.id == RecurringOccurrence.schedule_id)
        .join(Transaction, Transaction.id == RecurringOccurrence.transaction_id)
        .join(Account, Account.id == Transaction.account_id)
        .where(
            RecurringOccurrence.status == AUTO_POSTED,
            RecurringOccurrence.due_date > today - dt.timedelta(days=days),
        )
        .order_by(RecurringOccurrence.due_date.desc(), RecurringSchedule.name)
    ).all()
    return [
        Posting(o.schedule_id, name, o.due_date, o.transaction_id, amount, currency, account)
        for o, name, amount, currency, account in rows
    ]


_last_run: float | None = None
_run_lock = threading.Lock()


def catch_up_now(every_seconds: float = CATCH_UP_EVERY_SECONDS) -> int:
    """Catch up in a session of its own, at most once per `every_seconds` in this process.

    Never raises: a failure is logged and the page that asked carries on.
    """
    global _last_run
    with _run_lock:
        now = time.monotonic()
        if _last_run is not None and now - _last_run < every_seconds:
            return 0
        _last_run = now
    try:
        with db.session() as session:
            posted = catch_up(session, dt.date.today())
        if posted:
            log.info("recurring catch-up posted %d transaction(s)", posted)
        return posted
    except Exception:
        log.warning("recurring catch-up failed", exc_info=True)
        return 0


# ---------------------------------------------------------------------------------------------
# Suggestions: likely recurring payments found in the history.

LOOKBACK_DAYS = 1200
RECENT_ROWS = 12
MIN_TIMES = 3
STALE_DAYS = 400  # a yearly payment not seen for longer has stopped
AMOUNT_TOLERANCE_PERCENT = 10
# Gaps (in days) that count as one week, one month and one year between payments.
PATTERNS = (("week", 6, 8), ("month", 26, 35), ("year", 355, 375))


@dataclass(frozen=True)
class Suggestion:
    """A payment that looks regular and is not a schedule yet."""

    account_id: int
    account_name: str
    currency: str
    payee: str
    amount: int
    category_id: int | None
    interval_unit: str
    day_of_month: int | None
    times: int
    last_date: dt.date
    next_date: dt.date


def _pattern(dates: list[dt.date]) -> str | None:
    gaps = [(b - a).days for a, b in pairwise(dates)]
    for unit, low, high in PATTERNS:
        if gaps and all(low <= gap <= high for gap in gaps):
            return unit
    return None


def _recent_run(rows: list[Any]) -> list[Any]:
    """The latest payments, newest first, whose amounts stay within 10 % of the newest one."""
    newest = rows[0].amount
    run = []
    for row in rows:
        if abs(row.amount - newest) * 100 > abs(newest) * AMOUNT_TOLERANCE_PERCENT:
            break
        run.append(row)
    return run


def suggestions(session: Session, today: dt.date) -> list[Suggestion]:
    """Payees paid at a regular interval (weekly, monthly, yearly), similar amounts, 3+ times.

    SQL groups each account's payments per normalised payee and keeps the groups that could
    be regular (3+ times, not more often than weekly, paid within about a year), then ranks
    their latest few payments; Python checks amounts and gaps of each.
    """
    since = today - dt.timedelta(days=LOOKBACK_DAYS)
    partition = (Transaction.account_id, Transaction.payee_norm)
    considered = (
        func.coalesce(Transaction.transfer_id, 0) == 0,
        Transaction.payee_norm != "",
        Transaction.date.between(since, today),
    )
    candidates = session.execute(
        select(*partition)
        .where(*considered)
        .group_by(*partition)
        .having(
            func.count() >= MIN_TIMES,
            func.count() <= LOOKBACK_DAYS // 6,
            func.max(Transaction.date) >= today - dt.timedelta(days=STALE_DAYS),
        )
    ).all()
    if not candidates:
        return []
    ranked = (
        select(
            Transaction.account_id,
            Transaction.payee_norm,
            Transaction.payee,
            Transaction.date,
            Transaction.amount,
            Transaction.category_id,
            func.row_number()
            .over(partition_by=partition, order_by=(Transaction.date.desc(), Transaction.id.desc()))
            .label("rank"),
        )
        # By payee first: the payee index finds a few payees' rows without a scan.
        .where(Transaction.payee_norm.in_({key for _, key in candidates}), *considered)
        .subquery()
    )
    rows = session.execute(
        select(ranked, Account.name.label("account_name"), Account.currency)
        .join(Account, Account.id == ranked.c.account_id)
        .where(ranked.c.rank <= RECENT_ROWS)
        .order_by(ranked.c.account_id, ranked.c.payee_norm, ranked.c.rank)
    ).all()
    scheduled = {
        (account_id, payees.normalize(payee or name))
        for account_id, payee, name in session.execute(
            select(RecurringSchedule.account_id, RecurringSchedule.payee, RecurringSchedule.name)
        )
    }
    wanted = {tuple(key) for key in candidates}
    groups: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for row in rows:
        if (row.account_id, row.payee_norm) in wanted:
            groups[(row.account_id, row.payee_norm)].append(row)
    found = []
    for key, group in groups.items():
        if key in scheduled:
            continue
        suggestion = _suggest(_recent_run(group), today)
        if suggestion is not None:
            found.append(suggestion)
    found.sort(key=lambda s: (s.next_date, s.payee.lower()))
    return found


def _suggest(run: list[Any], today: dt.date) -> Suggestion | None:
    if len(run) < MIN_TIMES:
        return None
    dates = sorted(row.date for row in run)
    unit = _pattern(dates)
    if unit is None:
        return None
    newest = run[0]
    day = None
    if unit in ("month", "year"):
        day = statistics.median_low(d.day for d in dates)
        if day >= 28 and all(d.day >= 28 for d in dates):
            day = LAST_DAY
    rule = Rule(start=dates[-1], unit=unit, day_of_month=day)
    upcoming_date = next_date(rule, dates[-1])
    if upcoming_date is None or (today - upcoming_date).days > 14:
        return None  # stopped: the last expected payment is long overdue
    return Suggestion(
        account_id=newest.account_id,
        account_name=newest.account_name,
        currency=newest.currency,
        payee=newest.payee,
        amount=newest.amount,
        category_id=newest.category_id,
        interval_unit=unit,
        day_of_month=day,
        times=len(run),
        last_date=dates[-1],
        next_date=upcoming_date,
    )


def accept_suggestion(session: Session, suggestion: Suggestion) -> int:
    """Turn a suggestion into a reminder schedule starting at its next expected date."""
    return save_schedule(
        session,
        ScheduleInput(
            name=suggestion.payee,
            account_id=suggestion.account_id,
            amount=suggestion.amount,
            start_date=suggestion.next_date,
            interval_unit=suggestion.interval_unit,
            day_of_month=suggestion.day_of_month,
            payee=suggestion.payee,
            category_id=suggestion.category_id,
            auto_post=False,
        ),
    )
