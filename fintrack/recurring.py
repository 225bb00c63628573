"""Recurring transactions: schedules and posting them without a scheduler.

Their dates are in `schedule_rules`, what the screen lists in `recurring_views`, suggestions
from the history in `recurring_hints`.

There is no cron job. `catch_up` posts every due occurrence of the auto-posting schedules
when the app starts and when a page opens. An occurrence row (primary key schedule and due
date) is inserted before its transaction in the same database transaction, so two requests
or two processes catching up at once post each occurrence exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fintrack import db, money
from fintrack.errors import InputError
from fintrack.models import (
    INTERVAL_UNITS,
    Account,
    Category,
    RecurringOccurrence,
    RecurringSchedule,
)
from fintrack.periods import check_date
from fintrack.recurring_views import (
    AUTO_POSTED,
    POSTED,
    SKIPPED,
    handled_counts,
    handled_dates,
)
from fintrack.schedule_rules import LAST_DAY, Rule, next_date, occurrences, rule_of
from fintrack.transactions import (
    LedgerError,
    SplitInput,
    TransactionInput,
    create_transaction,
    delete_transactions,
)

log = logging.getLogger(__name__)

CATCH_UP_EVERY_SECONDS = 60.0


class RecurringError(InputError):
    """Input a person can fix; `field` names the input that is wrong."""


# ---------------------------------------------------------------------------------------------
# Schedules: validation and storage.


@dataclass
class ScheduleInput:
    """A schedule as a form reads it, typed; `save_schedule` checks the values.

    `amount` is signed minor units, as the ledger keeps them: the form turns the size a
    person typed and the direction they chose into it with `money.signed`.
    """

    name: str
    account_id: int | None
    amount: int
    start_date: dt.date
    interval_unit: str = "month"
    interval_count: int = 1
    day_of_month: int | None = None
    end_date: dt.date | None = None
    max_count: int | None = None
    payee: str = ""
    category_id: int | None = None
    transfer_account_id: int | None = None
    splits: list[SplitInput] = field(default_factory=list)
    notes: str | None = None
    auto_post: bool = True


def _date(value: dt.date | None, name: str) -> dt.date | None:
    try:
        return None if value is None else check_date(value)
    except ValueError as error:
        raise RecurringError(name, str(error)) from None


def _at_least_one(value: int | None, name: str) -> int | None:
    """`value` when it is None or a count of at least 1; RecurringError naming `name` otherwise."""
    if value is not None and value < 1:
        raise RecurringError(name, "Enter a whole number of at least 1.")
    return value


def _validated(session: Session, data: ScheduleInput) -> dict[str, Any]:
    """The schedule's column values, or RecurringError naming the first wrong field."""
    name = " ".join((data.name or "").split())
    if not name:
        raise RecurringError("name", "Give the schedule a name.")
    account = session.get(Account, data.account_id) if data.account_id is not None else None
    if account is None:
        raise RecurringError("account_id", "Choose an account.")
    amount = data.amount
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise RecurringError("amount", "Enter an amount other than zero.")
    try:
        money.check_bounds(amount, account.currency)
    except money.MoneyError as error:
        raise RecurringError("amount", f"The amount is too large: {error}.") from None
    if data.interval_unit not in INTERVAL_UNITS:
        raise RecurringError("interval_unit", "Choose days, weeks, months or years.")
    every = _at_least_one(data.interval_count, "interval_count")
    start = _date(data.start_date, "start_date")
    end = _date(data.end_date, "end_date")
    if end is not None and start is not None and end < start:
        raise RecurringError("end_date", "The end date is before the start date.")
    max_count = _at_least_one(data.max_count, "max_count")
    day = data.day_of_month if data.interval_unit in ("month", "year") else None
    if day is not None and not 1 <= day <= LAST_DAY:
        raise RecurringError("day_of_month", "Choose a day from 1 to 31.")
    transfer_id = data.transfer_account_id
    if transfer_id is not None:
        other = session.get(Account, transfer_id)
        if transfer_id == account.id:
            raise RecurringError("transfer_account_id", "A transfer needs two different accounts.")
        if other is None:
            raise RecurringError("transfer_account_id", "Choose an existing account.")
        if other.currency != account.currency:
            raise RecurringError(
                "transfer_account_id", "Scheduled transfers need accounts in the same currency."
            )
    if data.category_id is not None and session.get(Category, data.category_id) is None:
        raise RecurringError("category_id", "That category does not exist.")
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
    # The count is dealt with below: what is left of it after the dates already handled.
    following = next_date(_rule_of_values(values, counted=False), last)
    remaining = None
    if values["max_count"] is not None:
        remaining = values["max_count"] - dealt_with
        values["max_count"] = max(remaining, 1)
    values["start_date"] = following or last + dt.timedelta(days=1)
    values["active"] = following is not None and (remaining is None or remaining > 0)


def _rule_of_values(values: dict[str, Any], counted: bool = True) -> Rule:
    """The date rule of schedule values about to be stored (`rule_of` reads a stored one)."""
    return Rule(
        start=values["start_date"],
        unit=values["interval_unit"],
        every=values["interval_count"],
        day_of_month=values["day_of_month"],
        end=values["end_date"],
        max_count=values["max_count"] if counted else None,
    )


def _past_dates(
    session: Session, values: dict[str, Any], schedule_id: int | None, today: dt.date
) -> list[dt.date]:
    """Due dates before today that saving these values leaves neither posted nor skipped."""
    # A reminder posts nothing by itself: its past dates show as overdue until dealt with.
    if not (values["active"] and values["auto_post"]) or values["start_date"] >= today:
        return []
    rule = _rule_of_values(values)
    handled = (
        handled_dates(session, [schedule_id], values["start_date"])[schedule_id]
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
            f"{len(past)} dates from {past[0].isoformat()} to {past[-1].isoformat()} are "
            "already due: choose whether to post them or skip them."
            if len(past) > 1
            else f"{past[0].isoformat()} is already due: choose whether to post it or skip it.",
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
        raise RecurringError("schedule_id", "That schedule no longer exists.")
    if due not in occurrences(rule_of(schedule), due, due):
        raise RecurringError("due", f"{schedule.name} is not due on {due.isoformat()}.")
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
    # Deleting the transaction removed its occurrence row with it: mark the date skipped anew.
    occurrence = session.get(RecurringOccurrence, (schedule_id, due))
    assert occurrence is not None
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
    done = handled_counts(session, [s.id for s in schedules], today)
    # Held so the ledger's account look-ups hit the identity map instead of the database.
    accounts = session.scalars(select(Account)).all()
    posted = 0
    for schedule in schedules:
        due_dates = occurrences(rule_of(schedule), schedule.start_date, today)
        if done.get(schedule.id, 0) >= len(due_dates):
            continue
        handled = handled_dates(session, [schedule.id], schedule.start_date)[schedule.id]
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
