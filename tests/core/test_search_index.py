"""PostgreSQL serves the free-text search from its trigram index (migration 0002)."""

import os

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fintrack import search
from fintrack.filters import TransactionFilters
from fintrack.models import Transaction


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_text_search_can_use_the_trigram_index(session: Session) -> None:
    where = search.conditions(session, TransactionFilters(text="bakery"))
    query = (
        select(Transaction.id)
        .where(*where)
        .compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    )
    # An empty table would be scanned anyway; forbid that to see whether the index fits.
    session.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in session.connection().exec_driver_sql(f"EXPLAIN {query}"))
    assert "ix_transactions_search_trgm" in plan
