"""Imports keep a purchase's original amount and currency when the bank's file states them;
the booked amount in the account's currency stays the one every total counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fintrack import imports
from fintrack.imports import csv_detect
from fintrack.models import Account, Transaction

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def _read(name: str, currency: str = "EUR") -> imports.ParsedFile:
    return imports.read((FIXTURES / name).read_bytes(), name, currency)


def _kept(parsed: imports.ParsedFile) -> list[tuple[str, int, int | None, str | None]]:
    return [(r.payee, r.amount, r.original_amount, r.original_currency) for r in parsed.rows]


def test_ofx_origcurrency_and_currency_give_booked_and_original_amounts() -> None:
    """OFX 5.2: ORIGCURRENCY -12.34 EUR at 0.9141 EUR per USD was 13.50 USD (12.34 / 0.9141
    = 13.4996); CURRENCY says TRNAMT -1500 is in JPY, booked at 0.0061: -9.15 EUR. An
    ORIGCURRENCY equal to CURDEF keeps nothing."""
    parsed = _read("ofx1_card_foreign.ofx")
    assert parsed.errors == []
    assert _kept(parsed) == [
        ("Amazon.com Seattle", -1234, -1350, "USD"),
        ("Lawson Shinjuku", -915, -1500, "JPY"),
        ("Bakery Mueller", -2000, None, None),
        ("Refund Bakery Mueller", 500, None, None),
    ]


def test_ofx_amount_in_another_currency_without_a_rate_is_an_error_on_its_line() -> None:
    data = (FIXTURES / "ofx1_card_foreign.ofx").read_bytes().replace(b"<CURRATE>0.0061", b"")
    parsed = imports.read(data, "card.ofx", "EUR")
    assert [(e.line, e.message) for e in parsed.errors] == [
        (48, "the amount is in JPY but its rate (CURRATE) is missing")
    ]
    assert [r.payee for r in parsed.rows] == [
        "Amazon.com Seattle",
        "Bakery Mueller",
        "Refund Bakery Mueller",
    ]


def test_csv_original_columns_are_recognised_and_take_the_booked_direction() -> None:
    parsed = _read("card_original_amounts.csv")
    header = parsed.mapping.header
    assert header[parsed.mapping.columns["amount"]] == "Amount"
    assert header[parsed.mapping.columns["original_amount"]] == "Original amount"
    assert header[parsed.mapping.columns["original_currency"]] == "Original currency"
    assert _kept(parsed) == [
        ("Amazon.com Seattle", -1234, -1350, "USD"),
        ("Lawson Shinjuku", -915, -1500, "JPY"),
        ("Bakery Mueller", -2000, None, None),
        # A refund written as -42.00 in the file still came in: it follows the booked side.
        ("Refund Hotel Zurich", 4510, 4200, "CHF"),
        # In the account's own currency there is nothing else to keep.
        ("Bakery Mueller", -320, None, None),
    ]


def test_german_card_export_with_the_currency_inside_the_original_amount_cell() -> None:
    parsed = _read("de_card_fremdwaehrung.csv")
    header = parsed.mapping.header
    assert header[parsed.mapping.columns["amount"]] == "Betrag (EUR)"
    assert header[parsed.mapping.columns["original_amount"]] == "Ursprünglicher Betrag"
    assert _kept(parsed) == [
        ("Amazon.com", -1234, -1350, "USD"),
        ("Bäckerei Müller", -2000, None, None),
        ("Hotel Zürich", -11025, -10500, "CHF"),
    ]


def test_an_original_currency_that_is_no_currency_is_an_error_on_its_line() -> None:
    text = "Date,Payee,Amount,Original amount,Original currency\n2026-03-02,Shop,-5.00,6.00,XYZ\n"
    parsed = imports.read(text.encode(), "card.csv", "EUR")
    assert [(e.line, e.message) for e in parsed.errors] == [
        (2, '"XYZ" is not a currency code (such as USD)')
    ]


def test_columns_named_by_the_person_map_roles_detection_does_not_know() -> None:
    text = "Date,Payee,Amount,Fx amt,Fx cur\n2026-03-02,Shop,-5.00,5.40,USD\n"
    parsed = imports.read(
        text.encode(),
        "card.csv",
        "EUR",
        columns={"original_amount": "fx amt", "original_currency": "FX CUR"},
    )
    assert _kept(parsed) == [("Shop", -500, -540, "USD")]
    with pytest.raises(imports.ImportFileError, match='there is no role "fee"'):
        imports.read(text.encode(), "card.csv", "EUR", columns={"fee": "Fx amt"})
    profile = parsed.mapping.to_profile()
    again = csv_detect.from_profile(profile, text, "utf-8")
    assert again is not None and again.columns == parsed.mapping.columns


def test_camt_instructed_amount_in_another_currency_is_kept() -> None:
    parsed = _read("camt053_de_v02_foreign.xml")
    assert _kept(parsed) == [
        ("Acme Inc. New York", -9215, -10000, "USD"),
        ("Stadtwerke", -3000, None, None),
    ]


@pytest.mark.parametrize(
    "name", ["ofx1_card_foreign.ofx", "card_original_amounts.csv", "camt053_de_v02_foreign.xml"]
)
def test_committed_import_stores_the_original_beside_the_booked_amount(
    session: Session, name: str
) -> None:
    account = Account(name="Visa", currency="EUR", kind="credit_card")
    session.add(account)
    session.flush()
    parsed = _read(name)
    imports.commit(session, account.id, parsed, name)
    session.commit()
    stored = session.execute(
        select(Transaction.amount, Transaction.original_amount, Transaction.original_currency)
        .where(Transaction.original_currency.is_not(None))
        .order_by(Transaction.date)
    ).all()
    expected = [(r.amount, r.original_amount, r.original_currency) for r in parsed.rows]
    assert [tuple(row) for row in stored] == [e for e in expected if e[2] is not None]
    assert stored  # every fixture holds at least one purchase in another currency
