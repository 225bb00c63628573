"""Two sessions turning the same transaction into a transfer leave one linked pair."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from fintrack import transactions as tx
from fintrack.models import Account, Transaction

DAY = dt.date(2026, 3, 14)


def _waiting_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        return bool(connection.scalar(text(query)))


# SQLite lets one writer in at a time: the race needs PostgreSQL.
@pytest.mark.skipif("TEST_DATABASE_URL" not in os.environ, reason="needs TEST_DATABASE_URL")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_simultaneous_conversions_into_a_transfer_leave_one_pair(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        accounts = [Account(name=name, currency="EUR") for name in ("Checking", "Savings", "Cash")]
        session.add_all(accounts)
        session.flush()
        checking, savings, cash = (a.id for a in accounts)
        row_id = tx.create_transaction(
            session, tx.TransactionInput(account_id=checking, date=DAY, amount=-5000, payee="Move")
        )

    def convert(session: Session, to_account: int) -> None:
        data = tx.get_transaction(session, row_id)
        data.transfer_account_id = to_account
        tx.update_transaction(session, row_id, data)

    failures: list[BaseException] = []

    def second() -> None:
        try:
            with Session(engine) as session, session.begin():
                convert(session, cash)
        except BaseException as error:
            failures.append(error)

    with Session(engine) as first:
        first.begin()
        convert(first, savings)
        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        first.commit()
    thread.join(timeout=30)

    assert failures == []
    with Session(engine) as session:
        rows = session.execute(select(Transaction.id, Transaction.transfer_id)).all()
        links = dict(rows)
        assert len(rows) == 2
        assert all(links[links[i]] == i for i in links)
        assert session.get(Transaction, links[row_id]).account_id == cash
