"""Catch-up from several requests at the same moment posts every occurrence exactly once."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from fintrack import recurring
from fintrack.models import Account, RecurringOccurrence, Transaction

WORKERS = 6
TODAY = dt.date(2026, 5, 30)


def _schedules(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        account = Account(name="Checking", currency="EUR")
        session.add(account)
        session.flush()
        for name, unit in (("Coffee", "day"), ("Rent", "month"), ("Gym", "week")):
            recurring.save_schedule(
                session,
                recurring.ScheduleInput(
                    name=name,
                    account_id=account.id,
                    amount=-500,
                    start_date=dt.date(2026, 5, 1),
                    interval_unit=unit,
                ),
                today=dt.date(2026, 4, 30),
            )


def test_simultaneous_catch_ups_post_each_occurrence_once(engine: Engine) -> None:
    _schedules(engine)
    due = 30 + 1 + 5  # daily in May to the 30th, the rent on the 1st, Fridays in May
    barrier = threading.Barrier(WORKERS)
    posted: list[int] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(engine) as session, session.begin():
                barrier.wait(timeout=10)
                posted.append(recurring.catch_up(session, TODAY))
        except OperationalError as error:
            # SQLite lets one writer in and refuses the others; PostgreSQL must queue them.
            if engine.dialect.name != "sqlite":
                failures.append(error)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    if engine.dialect.name == "postgresql":
        assert len(posted) == WORKERS
    assert sum(posted) == due
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Transaction)) == due
        assert session.scalar(select(func.count()).select_from(RecurringOccurrence)) == due
        dates = session.execute(
            select(Transaction.payee, Transaction.date, func.count())
            .group_by(Transaction.payee, Transaction.date)
            .having(func.count() > 1)
        ).all()
        assert dates == []
