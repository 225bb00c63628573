"""Exchange rates: loading the shipped ECB history, and every converted total on its own."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bench.reports import settle
from fintrack import budgets, currency, flows, net_worth, periods, rates, reports
from fintrack.models import Rate

RUNS = 10


def _median_ms(session: Session, work: Callable[[], object]) -> float:
    work()  # warm caches and connections
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
        session.rollback()
    return round(statistics.median(times) * 1000, 1)


def figures(session: Session, transactions: int = 100_000) -> dict:
    """Seeding time of the ECB history, then median milliseconds of each converted total over
    the demo data already loaded (accounts in EUR, USD and GBP)."""
    session.execute(delete(Rate))
    started = time.perf_counter()
    seeded = rates.ensure_seeded(session)
    seed_ms = round((time.perf_counter() - started) * 1000, 1)
    session.commit()
    settle(session)
    target = currency.reporting_currency(session)
    today = dt.date.today()
    month = periods.Period(periods.month_start(today), periods.month_end(today))
    year = periods.months_between(periods.add_months(month.start, -11), month.start)
    year_filters = reports.ReportFilters(year[0], month.end)
    return {
        "rates_seed_ms": seed_ms,
        "rates_seeded": seeded,
        "rates_month_summary_ms": _median_ms(
            session,
            lambda: flows.flow_sums(
                session,
                reports.ReportFilters(month.start, month.end),
                by_category=False,
                currency=target,
            ),
        ),
        "rates_income_statement_12m_ms": _median_ms(
            session, lambda: reports.period_report(session, year_filters, year, currency=target)
        ),
        "rates_net_worth_today_ms": _median_ms(
            session, lambda: net_worth.net_worth_at(session, today, target)
        ),
        "rates_net_worth_12m_ms": _median_ms(
            session,
            lambda: net_worth.net_worth_series(session, year[0], month.start, today, target),
        ),
        "rates_budget_month_ms": _median_ms(session, lambda: budgets.month_status(session, today)),
    }
