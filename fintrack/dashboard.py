"""The dashboard's figures: one period's cards, spending, monthly flows and net worth, in the
reporting currency. Built from the same building blocks as the reports (`fintrack.reports`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from fintrack import periods
from fintrack.categories import CategoryTree
from fintrack.currency import prepare
from fintrack.flows import ReportFilters, SumRow, flow_sums
from fintrack.net_worth import NetWorth, NetWorthPoint, month_index, net_worth_series_in
from fintrack.reports import (
    CategoryTotal,
    Keyed,
    MonthFlow,
    PeriodSummary,
    by_currency,
    category_totals,
    column_flows,
    first_transaction_date,
    positive,
    summarize,
    top_level,
)


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows, in one currency."""

    currency: str
    period: periods.Period
    previous: periods.Period | None
    summary: PeriodSummary
    previous_summary: PeriodSummary | None
    net_worth: int
    previous_net_worth: int | None
    spending: list[CategoryTotal]
    months: list[MonthFlow]
    net_worth_series: list[NetWorthPoint]
    # The period's income and expenses per account currency, before conversion.
    originals: dict[str, PeriodSummary] = field(default_factory=dict)
    # Net worth account by account, with the rates used.
    net_worth_detail: NetWorth | None = None
    # Currencies left out of the figures for want of a rate.
    unconverted: list[str] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        """Whether any figure holds amounts converted from another currency."""
        return any(code != self.currency for code in self.originals) or bool(
            self.net_worth_detail
            and any(a.currency != self.currency for a in self.net_worth_detail.accounts)
        )


def previous_period(period: periods.Period) -> periods.Period | None:
    """The same number of whole months just before a period; None for an open-ended one."""
    if period.start is None or period.end is None:
        return None
    length = len(periods.months_between(period.start, period.end))
    start = periods.add_months(periods.month_start(period.start), -length)
    return periods.Period(start, periods.month_end(periods.add_months(start, length - 1)))


def dashboard(
    session: Session, preset: str = "this_month", today: dt.date | None = None
) -> Dashboard:
    """The dashboard's figures for a named period (see `periods.PRESETS`), in the reporting
    currency: flows converted at their date's rate, balances at the valuation day's.

    Cards compare with the previous period of the same length; the monthly charts cover the
    twelve months up to the period's end (or the whole period when it is longer). Two queries
    do the heavy work: category sums per month over the whole span, and the net worth series.
    """
    today = today or dt.date.today()
    period = periods.preset(preset, today)
    if period.start is None or period.end is None:
        first = first_transaction_date(session) or today
        period = periods.Period(periods.month_start(min(first, today)), periods.month_end(today))
    assert period.start is not None and period.end is not None
    previous = previous_period(period) if preset != "all" else None
    currency = prepare(session)

    last = periods.month_start(min(period.end, today))
    first_month = min(periods.add_months(last, -11), periods.month_start(period.start))
    months = periods.columns(first_month, last)
    span_start = min(first_month, previous.start) if previous and previous.start else first_month
    span = ReportFilters(span_start, max(period.end, periods.month_end(last)))
    sums = flow_sums(session, span, by_month=True, currency=currency)
    rows = sums.rows

    def within(start: dt.date, end: dt.date, of: list[SumRow] = rows) -> list[SumRow]:
        return [r for r in of if month_index(start) <= (r[3] or 0) <= month_index(end)]

    current = within(period.start, period.end)
    original_rows = sums.originals
    originals = {
        code: summarize(values)
        for code, values in by_currency(within(period.start, period.end, original_rows)).items()
    }
    own: Keyed = defaultdict(int)
    for _currency, category_id, kind, _month, signed in current:
        own[(category_id, kind)] += positive(kind, signed)
    totals = category_totals(CategoryTree.load(session), own)

    cutoff = min(periods.month_end(last), today)
    series_start = first_month
    if previous and previous.end:
        series_start = min(first_month, periods.month_start(previous.end))
    worth = net_worth_series_in(session, series_start, last, cutoff, currency)
    series = worth.points
    net_worth = series[-1].net_worth if series else 0
    previous_net_worth = None
    if previous and previous.end:
        month = periods.month_start(previous.end)
        previous_net_worth = next((p.net_worth for p in series if p.month == month), 0)
    return Dashboard(
        currency=currency,
        period=period,
        previous=previous,
        summary=summarize(current),
        previous_summary=summarize(within(previous.start, previous.end))
        if previous and previous.start and previous.end
        else None,
        net_worth=net_worth,
        previous_net_worth=previous_net_worth,
        spending=top_level(totals, "expense"),
        months=column_flows(rows, months),
        net_worth_series=[
            p
            for p in series
            if p.month >= first_month
            and (not periods.is_yearly(months) or p.month.month == 12 or p is series[-1])
        ],
        originals=originals,
        net_worth_detail=worth.latest,
        unconverted=sorted(set(sums.unconverted) | set(worth.unconverted)),
    )
