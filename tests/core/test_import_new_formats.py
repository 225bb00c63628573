"""camt.053/052 XML, MT940 and Excel files: detected by content, read with signs, payees,
references and the bank's closing balance."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session

from fintrack import imports
from fintrack.models import Account

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def _read(name: str, currency: str = "EUR", as_name: str | None = None) -> imports.ParsedFile:
    # A neutral file name: the content decides the format, not the extension.
    return imports.read((FIXTURES / name).read_bytes(), as_name or "download.dat", currency)


def test_camt053_v02_batch_entry_gives_one_row_per_transaction() -> None:
    parsed = _read("camt053_de_v02_batch.xml")
    assert (parsed.file_format, parsed.currency, parsed.errors) == ("camt", "EUR", [])
    assert [(r.payee, r.amount, r.external_id) for r in parsed.rows] == [
        ("Netflix International B.V.", -1299, "2026020212345001"),
        ("Arbeitgeber GmbH", 250000, "2026020512345002"),
        ("Hausverwaltung Koehler", -125000, "2026020612345003-1"),
        ("Stadtwerke Muenchen", -8950, "2026020612345003-2"),
        ("Telekom Deutschland GmbH", -3599, "2026020612345003-3"),
    ]
    # Several Ustrd lines make one memo; each batch line names where it is in the file.
    assert parsed.rows[1].memo == "Lohn Januar 2026"
    assert [r.line for r in parsed.rows[2:]] == [74, 80, 86]
    assert parsed.balance == imports.Balance(dt.date(2026, 2, 28), 261152)


def test_camt053_v08_prefixed_namespace_party_wrappers_and_pending_entries() -> None:
    parsed = _read("camt053_ch_v08.xml", "CHF")
    assert parsed.currency == "CHF"
    assert [(r.date.isoformat(), r.payee, r.amount, r.external_id) for r in parsed.rows] == [
        ("2026-03-02", "Muster AG", 520000, "NR-0301-1"),
        ("2026-03-05", "Migros Zuerich", -8495, "NR-0305-1"),
        ("2026-03-31", "Krankenkasse Praemie Maerz", -22000, "NR-0331-1"),
    ]
    assert parsed.rows[1].memo == "Einkauf Karte 1234"
    # The pending (PDNG) entry is not on the books yet; the closing balance is signed.
    assert parsed.balance == imports.Balance(dt.date(2026, 3, 31), 469505)


def test_camt052_report_is_read_like_a_statement() -> None:
    xml = b"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.04"><BkToCstmrAcctRpt>
<Rpt><Acct><Id><IBAN>DE02</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">4.20</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-03</Dt></BookgDt><NtryRef>R1</NtryRef>
<NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Baeckerei</Nm></Cdtr></RltdPties></TxDtls></NtryDtls>
</Ntry></Rpt></BkToCstmrAcctRpt></Document>"""
    parsed = imports.read(xml, "report.xml", "EUR")
    assert [(r.payee, r.amount, r.external_id) for r in parsed.rows] == [("Baeckerei", -420, "R1")]


def test_camt_with_an_entity_declaration_is_refused() -> None:
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY boom "boom">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<Stmt><Ntry><Amt Ccy="EUR">&boom;</Amt></Ntry></Stmt></BkToCstmrStmt></Document>"""
    with pytest.raises(imports.ImportFileError, match="damaged or not allowed"):
        imports.read(xml, "x.xml", "EUR")


def test_mt940_german_structured_details() -> None:
    parsed = _read("mt940_de_sparkasse.sta")
    assert parsed.file_format == "mt940"
    assert [(r.date.isoformat(), r.payee, r.memo, r.amount) for r in parsed.rows] == [
        ("2026-02-02", "Netflix International B.V.", "Netflix Monatsabo Feb", -1299),
        ("2026-02-05", "Arbeitgeber GmbH", "Lohn Januar 2026", 250000),
        ("2026-02-06", "Hausverwaltung Koehler", "Miete Februar Wohnung 3.OG", -125000),
    ]
    assert parsed.balance == imports.Balance(dt.date(2026, 2, 28), 273701)


def test_mt940_dutch_slash_details() -> None:
    parsed = _read("mt940_nl_rabobank.swi")
    assert [(r.payee, r.memo, r.amount) for r in parsed.rows] == [
        ("Albert Heijn 1403", "Boodschappen", -4560),
        ("Werkgever BV", "Salaris maart", 210000),
        ("NS Reizigers", "OV-chipkaart", -1250),
    ]
    assert [r.line for r in parsed.rows] == [6, 8, 10]
    assert parsed.balance == imports.Balance(dt.date(2026, 3, 31), 304190)


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("Notes").append(["not read"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_first_sheet_is_read_through_the_csv_detection() -> None:
    data = _workbook(
        [
            ["Account statement", None, None],
            [],
            ["Booking date", "Description", "Amount"],
            [dt.datetime(2026, 1, 2), "Corner Coffee", -3.5],
            [dt.datetime(2026, 1, 3), "Salary", 2500],
            [dt.datetime(2026, 1, 4), "Groceries", -12.99],
            [dt.datetime(2026, 1, 5), "Ending balance", 2483.51],
        ]
    )
    parsed = imports.read(data, "statement.bin", "EUR")
    assert parsed.file_format == "xlsx"
    assert [(r.date.isoformat(), r.payee, r.amount) for r in parsed.rows] == [
        ("2026-01-02", "Corner Coffee", -350),
        ("2026-01-03", "Salary", 250000),
        ("2026-01-04", "Groceries", -1299),
    ]
    assert parsed.balance_lines == [7]


def test_camt_import_checks_the_banks_closing_balance(session: Session) -> None:
    account = Account(name="Giro", currency="EUR", opening_balance=150000)
    session.add(account)
    session.flush()
    parsed = _read("camt053_de_v02_batch.xml")
    summary = imports.commit(session, account.id, parsed, "feb.xml")
    assert summary.new == 5
    assert summary.balance_check == (
        "the bank's balance of 2,611.52 on 2026-02-28 agrees with fintrack"
    )
    again = imports.commit(session, account.id, _read("camt053_de_v02_batch.xml"), "feb.xml")
    assert (again.new, again.duplicates) == (0, 5)


def test_camt_batch_whose_lines_disagree_with_the_entry_is_an_error() -> None:
    data = (FIXTURES / "camt053_de_v02_batch.xml").read_bytes()
    broken = data.replace(b'<Amt Ccy="EUR">89.50</Amt>', b'<Amt Ccy="EUR">98.50</Amt>')
    parsed = imports.read(broken, "feb.xml", "EUR")
    assert [str(e) for e in parsed.errors] == [
        "line 65: the batch's 3 transactions add up to -1384.49, the entry to -1375.49"
    ]
    assert len(parsed.rows) == 2
