"""Suggestions: payments in the history that look recurring and are not a schedule yet."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import payees
from fintrack.flows import not_transfer
from fintrack.models import Account, RecurringSchedule, Transaction
from fintrack.recurring import ScheduleInput, save_schedule
from fintrack.schedule_rules import LAST_DAY, Rule, next_date

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
        not_transfer(),
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
