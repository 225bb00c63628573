"""When a recurring schedule falls due: pure date arithmetic over plain dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import takewhile

from fintrack.models import RecurringSchedule
from fintrack.periods import add_months, month_end

LAST_DAY = 31  # day_of_month 31 means the month's last day in shorter months


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


def due_from(rule: Rule, first: dt.date) -> Iterator[dt.date]:
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
    return list(takewhile(lambda due: due <= last, due_from(rule, first)))


def next_date(rule: Rule, after: dt.date) -> dt.date | None:
    """The first due date strictly after `after`, or None when the schedule has ended."""
    return next(due_from(rule, after + dt.timedelta(days=1)), None)


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
