"""The bulk writer: many chunks in one write, nothing of it left on the session afterwards."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fintrack import bulk
from fintrack.models import Transaction, table_of, utcnow
from tests import builders as build

COLUMNS = (
    "account_id",
    "date",
    "amount",
    "payee",
    "payee_norm",
    "cleared",
    "is_split",
    "created_at",
    "updated_at",
)


def test_many_chunks_land_whole_and_the_session_keeps_its_settings(session: Session) -> None:
    account = build.account(session, "Checking")
    day = dt.date(2026, 1, 5)
    now = utcnow()
    rows = [
        (account, day, -(n + 1), f"Shop {n}", "shop", True, False, now, now)
        for n in range(bulk.CHUNK + 7)
    ]
    before = session.execute(text("SHOW plan_cache_mode")).scalar() if _postgres(session) else None

    written = bulk.write(session, table_of(Transaction), COLUMNS, rows)

    assert written == bulk.CHUNK + 7
    total = session.scalar(select(func.sum(Transaction.amount)))
    assert total == -sum(range(1, bulk.CHUNK + 8))
    if before is not None:
        # The write plans foreign-key checks once; the app's queries plan each time again.
        assert (
            session.execute(text("SHOW plan_cache_mode")).scalar() == before == "force_custom_plan"
        )


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
