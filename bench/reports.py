"""Dashboard speed: every aggregate the dashboard shows, computed together, over demo data."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fintrack import dashboard, db, demo
from fintrack.models import Transaction

RUNS = 10


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Transaction)) or 0


def settle(session: Session) -> None:
    """What autovacuum does soon after a bulk load (inserts trigger it too): statistics for
    the planner, and the visibility map that lets index-only scans skip the table."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE) transactions"))
        connection.execute(text("ANALYZE"))


def figures(session: Session, transactions: int = 100_000) -> dict:
    """Median milliseconds of `dashboard.dashboard` (cards, donut, monthly bars, net worth).

    An empty database is first filled with `transactions` demo rows; otherwise the rows
    already there are measured, and their count is reported.
    """
    if _count(session) == 0:
        if session.get_bind().dialect.name == "postgresql":
            # A million rows load for longer than the app lets one statement run.
            session.execute(text("SET statement_timeout = 0"))
        demo.generate(session, transactions=transactions, seed=1)
        session.commit()
    settle(session)
    rows = _count(session)
    today = dt.date.today()
    dashboard.dashboard(session, "this_month", today)  # warm caches and connections
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        dashboard.dashboard(session, "this_month", today)
        times.append(time.perf_counter() - started)
        session.rollback()
    return {
        "dashboard_aggregates_ms": round(statistics.median(times) * 1000, 1),
        "dashboard_aggregates_max_ms": round(max(times) * 1000, 1),
        "dashboard_transactions": rows,
        "dashboard_database": session.get_bind().dialect.name,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="database URL (migrated on start)")
    parser.add_argument("--transactions", type=int, default=100_000)
    args = parser.parse_args()
    db.migrate(args.url)
    with Session(db.init(args.url)) as session:
        print(json.dumps(figures(session, args.transactions)))


if __name__ == "__main__":
    main()
