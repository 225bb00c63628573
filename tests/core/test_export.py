"""CSV export of transactions: header, plain decimals, category paths, tags, splits, transfers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy.orm import Session

from fintrack import export
from fintrack.filters import TransactionFilters
from fintrack.models import (
    Account,
    AppState,
    Budget,
    Category,
    ImportBatch,
    LoginAttempt,
    RecurringOccurrence,
    RecurringSchedule,
    Rule,
    Split,
    Tag,
    Transaction,
)


def sample_ledger(session: Session) -> None:
    """A small ledger touching every table: sub-categories, tags, a transfer and a split."""
    session.add_all(
        [
            Account(
                id=1,
                name="Checking",
                currency="EUR",
                opening_balance=10_000,
                opening_date=dt.date(2025, 12, 31),
                import_profile={"delimiter": ";", "columns": ["date", "amount"]},
            ),
            Account(id=2, name="Savings", kind="savings", currency="EUR"),
            Category(id=1, name="Food"),
            Category(id=3, name="Salary", kind="income"),
        ]
    )
    session.flush()
    session.add_all(
        [
            Category(id=2, name="Groceries", parent_id=1, color="#4E79A7"),
            Category(id=4, name="Restaurants", parent_id=1),
            ImportBatch(id=1, account_id=1, filename="bank.csv", file_format="csv", imported=1),
        ]
    )
    session.flush()
    holiday, work = Tag(id=1, name="holiday"), Tag(id=2, name="work")
    day = dt.date(2026, 1, 5)
    session.add_all(
        [
            Transaction(
                id=1,
                account_id=1,
                date=day,
                amount=-123456,
                payee="Big Store",
                category_id=2,
                notes="weekly, big",
                cleared=True,
                tags=[work, holiday],
                import_batch_id=1,
                import_key="k1#1",
            ),
            Transaction(
                id=2,
                account_id=1,
                date=day + dt.timedelta(days=1),
                amount=250_000,
                payee="Employer",
                category_id=3,
            ),
            Transaction(id=3, account_id=1, date=day + dt.timedelta(days=2), amount=-10_000),
            Transaction(id=4, account_id=2, date=day + dt.timedelta(days=2), amount=10_000),
            Transaction(
                id=5,
                account_id=1,
                date=day + dt.timedelta(days=3),
                amount=-5_000,
                payee="Market",
                notes="split note",
                is_split=True,
            ),
        ]
    )
    session.flush()
    first, second = session.get(Transaction, 3), session.get(Transaction, 4)
    first.transfer_id, second.transfer_id = 4, 3
    first.payee = second.payee = "To savings"
    session.add_all(
        [
            Split(id=1, transaction_id=5, category_id=2, amount=-3_000, memo="veg"),
            Split(id=2, transaction_id=5, category_id=4, amount=-2_000),
            Budget(id=1, category_id=2, month=dt.date(2026, 1, 1), amount=40_000),
            Rule(id=1, name="Store", payee_contains="store", set_category_id=2, amount_max=-1),
            RecurringSchedule(
                id=1,
                name="Rent",
                account_id=1,
                amount=-90_000,
                template_splits=[{"category_id": 2, "amount": -90_000}],
                start_date=dt.date(2026, 1, 1),
            ),
            AppState(key="dark_mode", value="1"),
            LoginAttempt(id=1, username="admin", client="127.0.0.1", succeeded=True),
        ]
    )
    session.flush()
    session.add(RecurringOccurrence(schedule_id=1, due_date=dt.date(2026, 1, 1), status="posted"))
    session.flush()


def export_rows(session: Session, filters: object = None) -> list[list[str]]:
    out = io.StringIO()
    count = export.export_transactions_csv(session, out, filters)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert count == len(rows) - 1
    return rows


NO = ["no", ""]
SPLIT = ["split note", "no", ""]


def test_header_and_one_row_per_transaction_or_split_line(session: Session) -> None:
    sample_ledger(session)
    rows = export_rows(session)

    assert rows[0] == list(export.HEADER)
    assert rows[1:] == [
        [
            "2026-01-05",
            "Checking",
            "EUR",
            "-1234.56",
            "Big Store",
            "Food › Groceries",
            "holiday, work",
            "weekly, big",
            "yes",
            "",
        ],
        ["2026-01-06", "Checking", "EUR", "2500.00", "Employer", "Salary", "", "", "no", ""],
        ["2026-01-07", "Checking", "EUR", "-100.00", "To savings", "", "", "", "no", "Savings"],
        ["2026-01-07", "Savings", "EUR", "100.00", "To savings", "", "", "", "no", "Checking"],
        ["2026-01-08", "Checking", "EUR", "-30.00", "Market", "Food › Groceries", "", "veg", *NO],
        ["2026-01-08", "Checking", "EUR", "-20.00", "Market", "Food › Restaurants", "", *SPLIT],
    ]


def test_amounts_follow_the_currency_minor_unit(session: Session) -> None:
    session.add(Account(id=1, name="Tokyo", currency="JPY"))
    session.flush()
    session.add(Transaction(account_id=1, date=dt.date(2026, 2, 1), amount=-1500, payee="Ramen"))
    session.flush()

    assert export_rows(session)[1][2:4] == ["JPY", "-1500"]


def test_pages_do_not_skip_or_repeat_rows_on_equal_dates(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "PAGE_ROWS", 2)
    session.add(Account(id=1, name="Cash", currency="EUR"))
    session.flush()
    for index in range(7):
        session.add(
            Transaction(
                account_id=1,
                date=dt.date(2026, 3, 1 + index // 3),
                amount=-index,
                payee=f"p{index}",
            )
        )
    session.flush()

    payees = [row[4] for row in export_rows(session)[1:]]
    assert payees == [f"p{index}" for index in range(7)]


def test_empty_ledger_gives_only_the_header(session: Session) -> None:
    assert export_rows(session) == [list(export.HEADER)]


@pytest.mark.parametrize(
    ("filters", "payees"),
    [
        (TransactionFilters(account_ids=[2]), ["To savings"]),
        (TransactionFilters(tag="holiday"), ["Big Store"]),
        (TransactionFilters(category_id=1), ["Big Store", "Market", "Market"]),
        (TransactionFilters(text="employer"), ["Employer"]),
        (
            TransactionFilters(start=dt.date(2026, 1, 7), end=dt.date(2026, 1, 7)),
            ["To savings"] * 2,
        ),
    ],
)
def test_filters_export_what_the_transaction_list_shows(
    session: Session, filters: TransactionFilters, payees: list[str]
) -> None:
    sample_ledger(session)
    assert [row[4] for row in export_rows(session, filters)[1:]] == payees
