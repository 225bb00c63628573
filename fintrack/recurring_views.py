"""What the recurring screen lists: schedules with their next date, open due dates, and what
catch-up posted by itself; and which due dates have been dealt with."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from fintrack.models import Account, RecurringOccurrence, RecurringSchedule, Transaction
from fintrack.schedule_rules import Rule, describe, due_from, occurrences, rule_of

OVERDUE_DAYS = 90
ANNOUNCE_DAYS = 7
# What became of a due date: posted by a person, posted by catch-up, or skipped.
POSTED, AUTO_POSTED, SKIPPED = "posted", "auto", "skipped"


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


def handled_dates(
    session: Session, schedule_ids: list[int], since: dt.date
) -> dict[int, set[dt.date]]:
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


def handled_counts(session: Session, schedule_ids: list[int], today: dt.date) -> dict[int, int]:
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


def _with_account_names() -> Select[RecurringSchedule, str, str, str]:
    """Schedules with their account's name and currency and the transfer account's name."""
    other = aliased(Account)
    return (
        select(RecurringSchedule, Account.name, Account.currency, other.name)
        .join(Account, Account.id == RecurringSchedule.account_id)
        .outerjoin(other, other.id == RecurringSchedule.transfer_account_id)
    )


def _first_open(rule: Rule, handled: set[dt.date], since: dt.date) -> dt.date | None:
    """The first due date on or after `since` that was neither posted nor skipped."""
    return next((due for due in due_from(rule, since) if due not in handled), None)


def list_schedules(session: Session, today: dt.date) -> list[ScheduleView]:
    """Every schedule with its next open due date (overdue reminders included)."""
    rows = session.execute(
        _with_account_names().order_by(RecurringSchedule.name, RecurringSchedule.id)
    ).all()
    ids = [row[0].id for row in rows]
    window = today - dt.timedelta(days=OVERDUE_DAYS)
    handled = handled_dates(session, ids, window)
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
    handled = handled_dates(session, ids, window)
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
                    # Auto-posting dates are posted by catch-up: only a reminder is overdue.
                    overdue=due < today and not schedule.auto_post,
                )
            )
    items.sort(key=lambda item: (item.due_date, item.name.lower(), item.schedule_id))
    return items


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
            Transaction.id,
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
        Posting(o.schedule_id, name, o.due_date, posted, amount, currency, account)
        for o, name, posted, amount, currency, account in rows
    ]
