"""Ledger speed: demo insert rate, balances, category totals, the transaction list and totals."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import accounts, demo, periods, rates, reports, transaction_list
from fintrack.filters import TransactionFilters
from fintrack.models import Account, Category, Transaction

RUNS = 20
SLOW_RUNS = 5  # for a query whose warm-up call already took over a second
DEEP_PAGE = 1000


def timed(call: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds of `runs` calls, after one warm-up call."""
    started = time.perf_counter()
    call()
    if time.perf_counter() - started > 1:
        runs = min(runs, SLOW_RUNS)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    return round(statistics.median(times), 2), round(p95, 2)


def _fill(session: Session, transactions: int) -> dict[str, Any]:
    """Load demo data into an empty database; the rate includes the commit.

    The shipped ECB history is loaded first, as a running app does in the background: its
    one-time load is `bench.rates`' figure (`rates_seed_ms`), not part of writing the demo.
    """
    rates.ensure_seeded(session)
    session.commit()
    started = time.perf_counter()
    summary = demo.generate(session, transactions=transactions, seed=1)
    session.commit()
    seconds = time.perf_counter() - started
    return {
        "demo_seconds": round(seconds, 2),
        "insert_rows_per_s": int(summary.transactions / seconds),
    }


def _search_calls(session: Session) -> dict[str, Callable[[], Any]]:
    """The transaction-list queries."""
    food = session.scalar(select(Category.id).where(Category.name == "Food"))
    everything = TransactionFilters()
    text = TransactionFilters(text="rewe")
    subtree = TransactionFilters(category_id=food)
    return {
        "list_first_page": lambda: transaction_list.list_transactions(session, everything, 1, 50),
        "list_deep_page": lambda: transaction_list.list_transactions(
            session, everything, DEEP_PAGE, 50
        ),
        "list_text_search": lambda: transaction_list.list_transactions(session, text, 1, 50),
        "list_text_search_deep": lambda: transaction_list.list_transactions(session, text, 100, 50),
        "list_category_subtree": lambda: transaction_list.list_transactions(
            session, subtree, 1, 50
        ),
        "totals_unfiltered": lambda: transaction_list.summarize(session, everything),
        "totals_text_search": lambda: transaction_list.summarize(session, text),
        "totals_category_subtree": lambda: transaction_list.summarize(session, subtree),
    }


def figures(session: Session, transactions: int = 100_000) -> dict[str, Any]:
    """Insert rate (on an empty database) and median/p95 milliseconds of the ledger queries."""
    result: dict[str, Any] = {"database": session.get_bind().dialect.name}
    if session.scalar(select(Transaction.id).limit(1)) is None:
        result.update(_fill(session, transactions))
    result["transactions"] = session.scalar(select(func.count()).select_from(Transaction))
    year = periods.preset("last_12_months", dt.date.today())
    assert year.start is not None and year.end is not None
    twelve = reports.ReportFilters(year.start, year.end)
    months = periods.columns(periods.month_start(year.start), periods.month_start(year.end))
    checking = session.scalar(select(Account.id).order_by(Account.id).limit(1))
    calls: dict[str, Callable[[], Any]] = {
        "account_balances": lambda: accounts.balances(session),
        "net_worth": lambda: accounts.net_worth(session),
        "period_report_12m": lambda: reports.period_report(session, twelve, months),
        "account_register_first_page": lambda: accounts.account_register(session, checking, 1),
        "account_register_deep_page": lambda: accounts.account_register(session, checking, 300),
        **_search_calls(session),
    }
    for name, call in calls.items():
        median, p95 = timed(call)
        result[f"{name}_median_ms"] = median
        result[f"{name}_p95_ms"] = p95
        session.rollback()
    return result
