"""Odd URL parameters never break a page or the CSV download: they are ignored or cleaned.

`page=²` is a digit to Python's `str.isdigit` but not to `int`; a 20-digit id overflows the
database's integers; a NUL byte is refused by PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from nicegui.testing import User
from sqlalchemy.orm import Session

from fintrack import db, export, transaction_list, transactions
from fintrack.filters import TransactionFilters, page_number, page_size
from fintrack.models import Account
from tests.ui.conftest import log_in

ODD = {
    "page": "²",
    "size": "٣",
    "category": "9" * 20,
    "account": "1,99999999999999999999,-3,²",
    "q": "rent\x00",
    "tag": "trip\x00",
    "min": "9" * 30,
    "max": "1" + "0" * 40,
    "start": "2026-13-45",
}


def test_odd_parameters_are_ignored_or_cleaned() -> None:
    filters = TransactionFilters.from_query_params(ODD)
    assert filters.category_id is None
    assert filters.account_ids == [1]
    assert (filters.text, filters.tag) == ("rent", "trip")
    assert (filters.amount_min, filters.amount_max, filters.start) == (None, None, None)
    assert page_number("²") == 1
    assert page_number("9" * 20) == 1
    assert page_number("3") == 3
    assert page_size("٣", 50) == 50
    assert page_size("100", 50) == 100
    assert len(TransactionFilters.from_query_params({"q": "x" * 10_000}).text) == 500


def test_a_nul_typed_into_the_search_box_never_reaches_the_database(session: Session) -> None:
    session.add(Account(id=1, name="Checking", currency="EUR"))
    session.flush()
    transactions.create_transaction(
        session, transactions.TransactionInput(1, dt.date(2026, 1, 5), -1200, "Rent")
    )
    found, _ = transaction_list.find(session, TransactionFilters(text="rent\x00"))
    assert [row.payee for row in found.rows] == ["Rent"]


def test_the_export_takes_odd_parameters_on_every_database(session: Session) -> None:
    session.add(Account(id=1, name="Checking", currency="EUR"))
    session.flush()
    transactions.create_transaction(
        session, transactions.TransactionInput(1, dt.date(2026, 1, 5), -1200, "Rent")
    )
    out = io.StringIO()
    rows = export.export_transactions_csv(
        session, out, TransactionFilters.from_query_params({**ODD, "q": "", "tag": ""})
    )
    assert rows == 1


@pytest.mark.usefixtures("app_env")
async def test_the_transactions_page_and_download_answer_odd_addresses(user: User) -> None:
    with db.session() as s:
        s.add(Account(name="Checking", currency="EUR"))
    await log_in(user)
    await user.should_see("Log out", retries=50)
    query = "page=%C2%B2&size=%D9%A3&category=" + "9" * 20 + "&account=99999999999999999999"
    await user.open(f"/transactions?{query}&q=rent%00")
    await user.should_see("0 transactions")
    response = await user.http_client.get(f"/api/export/transactions.csv?{query}&q=%00")
    assert response.status_code == 200
    assert response.text.startswith("date,account")
