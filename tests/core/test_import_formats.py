"""Reading bank files: every sample layout gives the rows, dates and totals its bank shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fintrack import imports
from fintrack.imports import csv_format

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"

# file, account currency, rows, errors, sum of amounts (minor units), first date, first payee
LAYOUTS = [
    (
        "us_checking_bofa.csv",
        "USD",
        7,
        0,
        136862,
        "2026-01-02",
        "WHOLE FOODS MARKET #10234 AUSTIN TX",
    ),
    ("us_credit_union_text_dates.csv", "USD", 4, 0, 156692, "2026-01-03", "H-E-B #412"),
    ("uk_current_account.csv", "GBP", 6, 0, 84470, "2026-01-02", "TESCO STORES 3021 LONDON"),
    ("uk_headerless_pipe.csv", "GBP", 3, 0, 212841, "2026-02-14", "CO-OP GROUP 4471"),
    ("de_sparkasse_latin1.csv", "EUR", 5, 0, 200560, "2026-01-02", "Bäckerei Müller GmbH"),
    ("de_dkb_preamble.csv", "EUR", 2, 0, 248701, "2026-01-02", "Netflix International B.V."),
    ("fr_preamble.csv", "EUR", 5, 0, 157265, "2026-01-03", "CB MONOPRIX PARIS 11"),
    ("es_tab.tsv", "EUR", 4, 0, 208255, "2026-01-02", "MERCADONA VALENCIA"),
    ("nl_ing_indicator.csv", "EUR", 4, 0, 201395, "2026-01-02", "Albert Heijn 1403"),
    ("card_debit_credit.csv", "USD", 6, 0, -79277, "2026-01-04", "AMAZON MKTPL*2K4XY81Q3"),
    ("twin_rows.csv", "EUR", 4, 0, -1470, "2026-03-02", "Corner Coffee"),
    ("ofx1_checking.ofx", "USD", 5, 0, 114418, "2026-02-03", "WHOLE FOODS MARKET #10234"),
    ("ofx2_card.qfx", "EUR", 4, 0, 0, "2026-02-02", "Zalando SE Berlin"),
    ("quicken_export.qif", "USD", 4, 0, 85491, "2026-01-02", "SAFEWAY #1432"),
]


@pytest.mark.parametrize(
    ("name", "currency", "count", "errors", "total", "first", "payee"), LAYOUTS
)
def test_sample_layouts_read_with_their_totals(
    name: str, currency: str, count: int, errors: int, total: int, first: str, payee: str
) -> None:
    parsed = imports.read((FIXTURES / name).read_bytes(), name, currency)
    assert len(parsed.rows) == count
    assert len(parsed.errors) == errors
    assert sum(row.amount for row in parsed.rows) == total
    assert parsed.rows[0].date == dt.date.fromisoformat(first)
    assert parsed.rows[0].payee == payee


def test_german_file_detected_as_latin1_semicolons_and_decimal_comma() -> None:
    parsed = imports.read((FIXTURES / "de_sparkasse_latin1.csv").read_bytes(), "x.csv", "EUR")
    mapping = parsed.mapping
    assert (mapping.encoding, mapping.delimiter, mapping.decimal_sep) == ("cp1252", ";", ",")
    assert mapping.date_order == "DMY"
    rent = parsed.rows[1]
    assert (rent.amount, rent.payee, rent.memo) == (
        -125000,
        "Hausverwaltung Köhler",
        "Miete Januar Wohnung 3.OG",
    )
    assert parsed.doubts == []


def test_short_export_behind_a_preamble_of_other_widths_is_found() -> None:
    parsed = imports.read((FIXTURES / "de_dkb_preamble.csv").read_bytes(), "dkb.csv", "EUR")
    assert parsed.mapping.header_line == 6
    assert parsed.mapping.columns == {"date": 0, "payee": 3, "memo": 4, "amount": 7}
    assert parsed.doubts == []


def test_french_preamble_is_skipped_and_spaced_thousands_read() -> None:
    parsed = imports.read((FIXTURES / "fr_preamble.csv").read_bytes(), "releve.csv", "EUR")
    assert parsed.mapping.header_line == 3
    assert [row.amount for row in parsed.rows if abs(row.amount) > 100000] == [284510, -115000]
    assert parsed.rows[2].payee == "VIR SEPA SALAIRE SOCIÉTÉ GÉNÉRALE"


def test_bofa_beginning_balance_line_is_a_balance_not_an_error() -> None:
    parsed = imports.read((FIXTURES / "us_checking_bofa.csv").read_bytes(), "stmt.csv", "USD")
    assert parsed.errors == []
    assert parsed.balance_lines == [8]
    assert parsed.rows[0].line == 9


@pytest.mark.parametrize(
    "description",
    ["Anfangssaldo", "Saldo per 31.01.2026", "Solde au 31/01/2026", "Ending balance as of 01/31"],
)
def test_balance_lines_in_other_languages_are_not_transactions(description: str) -> None:
    text = f"Date,Description,Amount\n2026-01-01,{description},1520.00\n2026-01-02,Shop,-5.00\n"
    parsed = imports.read(text.encode(), "bank.csv", "EUR")
    assert [(r.payee, r.amount) for r in parsed.rows] == [("Shop", -500)]
    assert parsed.balance_lines == [2]


def test_a_payee_named_like_a_balance_is_still_a_transaction() -> None:
    text = "Date,Description,Amount\n2026-01-02,Balance Transfer fee,-5.00\n"
    parsed = imports.read(text.encode(), "bank.csv", "EUR")
    assert [r.payee for r in parsed.rows] == ["Balance Transfer fee"]


def test_unclosed_quote_is_reported_as_an_unclosed_quote_with_its_line() -> None:
    text = (
        "Date,Payee,Amount\n"
        "2026-01-02,Shop,-5.00\n"
        '2026-01-03,"Corner Coffee,-3.50\n'
        "2026-01-04,Rent,-900.00\n"
        "2026-01-05,Bakery,-2.00\n"
    )
    parsed = imports.read(text.encode(), "bank.csv", "EUR")
    assert [str(e) for e in parsed.errors] == [
        'line 3: a quote (") opened on this line is never closed, so lines 3 to 5 were read '
        "as one row; close the quote or remove it"
    ]
    assert "empty" not in str(parsed.errors[0])


def test_barclays_memo_column_is_the_payee_when_there_is_no_payee_column() -> None:
    text = (
        "Number,Date,Account,Amount,Subcategory,Memo\n"
        ",02/01/2026,20-00-00 1234,-4.50,PAYMENT,PRET A MANGER LONDON\n"
        ",03/01/2026,20-00-00 1234,1500.00,CREDIT,ACME LTD SALARY\n"
    )
    parsed = imports.read(text.encode(), "barclays.csv", "GBP")
    assert [r.payee for r in parsed.rows] == ["PRET A MANGER LONDON", "ACME LTD SALARY"]


def test_dutch_af_bij_indicator_gives_the_sign() -> None:
    parsed = imports.read((FIXTURES / "nl_ing_indicator.csv").read_bytes(), "ing.csv", "EUR")
    assert [row.amount for row in parsed.rows] == [-2745, 310500, -104500, -1860]


def test_ofx_fitid_becomes_external_id_and_local_posting_date_is_kept() -> None:
    parsed = imports.read((FIXTURES / "ofx2_card.qfx").read_bytes(), "card.qfx", "EUR")
    assert parsed.currency == "EUR"
    # Posted at midnight CET: the bank's day, not the previous day in UTC.
    assert parsed.rows[1].date == dt.date(2026, 2, 7)
    assert parsed.rows[1].external_id == "CC-2026-02-07-7812"
    assert parsed.rows[1].payee == "Café de Flore"


def test_month_first_decided_by_any_row_after_the_twelfth() -> None:
    text = "Date,Payee,Amount\n01/02/2026,A,1.00\n03/04/2026,B,2.00\n01/13/2026,C,3.00\n"
    parsed = imports.read(text.encode(), "a.csv", "EUR")
    assert [r.date.isoformat() for r in parsed.rows] == ["2026-01-02", "2026-03-04", "2026-01-13"]
    assert parsed.doubts == []


def test_ambiguous_dates_are_flagged_as_a_doubt() -> None:
    text = "Date,Payee,Amount\n01/02/2026,A,1.00\n03/04/2026,B,2.00\n"
    parsed = imports.read(text.encode(), "a.csv", "EUR")
    assert parsed.rows[0].date == dt.date(2026, 2, 1)
    assert any("day-first or month-first" in doubt for doubt in parsed.doubts)


def test_impossible_date_is_reported_with_line_and_value() -> None:
    text = "Datum;Empfänger;Betrag\n30.01.2026;A;-1,00\n31.02.2026;B;-2,00\n"
    parsed = imports.read(text.encode(), "a.csv", "EUR")
    assert [str(e) for e in parsed.errors] == ['line 3: date "31.02.2026" is not a valid date']


def test_a_typod_year_is_an_error_on_its_line_not_a_transaction() -> None:
    text = "Datum;Empfänger;Betrag\n30.01.2026;A;-1,00\n30.01.1026;B;-2,00\n"
    parsed = imports.read(text.encode(), "a.csv", "EUR")
    assert [r.payee for r in parsed.rows] == ["A"]
    (error,) = parsed.errors
    assert str(error).startswith("line 3: 1026-01-30 is outside the dates fintrack keeps")


def test_trailing_minus_and_parentheses_are_negative() -> None:
    text = "Date;Description;Amount\n2026-01-02;A;12,00-\n2026-01-03;B;(1.234,50)\n"
    parsed = imports.read(text.encode(), "a.csv", "EUR")
    assert [r.amount for r in parsed.rows] == [-1200, -123450]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"Date,Payee,Balance\n2026-01-02,A,10.00\n", "amount column could not be found"),
        (b"Date,Payee,Amount\n", "holds no transactions"),
        (b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><garbage", "cannot be read"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(imports.ImportFileError, match=message):
        imports.read(data, "upload.csv", "EUR")


def test_file_over_the_size_limit_is_refused() -> None:
    data = b"Date,Payee,Amount\n" + b"2026-01-02,A,1.00\n" * 70_000
    with pytest.raises(imports.ImportFileError, match="larger than the limit of 1 MB"):
        imports.read(data, "big.csv", "EUR", max_mb=1)


def test_missing_amount_column_offers_the_guessed_mapping() -> None:
    data = b"Date,Payee,Balance\n2026-01-02,A,10.00\n"
    with pytest.raises(imports.ImportFileError) as caught:
        imports.read(data, "x.csv", "EUR")
    assert caught.value.parsed.mapping.columns == {"date": 0, "payee": 1}
    assert caught.value.parsed.sample == [["2026-01-02", "A", "10.00"]]


def test_corrected_mapping_reads_the_file_and_profile_reuses_it() -> None:
    data = b"Date,Payee,Balance\n2026-01-02,A,10.00\n2026-01-03,B,-2.50\n"
    mapping = csv_format.CsvMapping(header=["Date", "Payee", "Balance"])
    mapping.columns = {"date": 0, "payee": 1, "amount": 2}
    parsed = imports.read(data, "x.csv", "EUR", mapping=mapping)
    assert [r.amount for r in parsed.rows] == [1000, -250]
    again = imports.read(data, "x.csv", "EUR", profile=mapping.to_profile())
    assert [r.amount for r in again.rows] == [1000, -250]


def test_profile_of_a_headerless_file_is_used_for_the_next_one() -> None:
    data = (FIXTURES / "uk_headerless_pipe.csv").read_bytes()
    guessed = imports.read(data, "a.csv", "GBP").mapping
    corrected = csv_format.with_changes(guessed, date_order="MDY")
    profile = corrected.to_profile()
    later = b"03/14/2026|CO-OP GROUP 4471|-1.00\n"
    parsed = imports.read(later, "b.csv", "GBP", profile=profile)
    assert parsed.rows[0].date == dt.date(2026, 3, 14)
    assert parsed.doubts == []


def test_ofx_problems_name_the_line_of_the_transaction() -> None:
    data = (FIXTURES / "ofx1_checking.ofx").read_bytes().replace(b"20260214", b"20261314")
    parsed = imports.read(data, "a.ofx", "USD")
    assert [str(e) for e in parsed.errors] == ['line 62: date "20261314" is not a valid date']
    assert len(parsed.rows) == 4


@pytest.mark.parametrize(
    ("fixture", "name"),
    [("ofx1_checking.ofx", b"NETFLIX.COM"), ("ofx2_card.qfx", b"Zalando SE Berlin")],
)
def test_ofx_character_entities_are_decoded_in_payee_and_memo(fixture: str, name: bytes) -> None:
    data = (FIXTURES / fixture).read_bytes().replace(name, b"Shop &amp; Co &lt;3&gt; &#233;t&#xE9;")
    data = data.replace(b"Paris FR", b"M&amp;S").replace(b"CHECK 1043", b"M&amp;S")
    parsed = imports.read(data, "a.ofx", "EUR")
    assert "Shop & Co <3> été" in [row.payee for row in parsed.rows]
    assert "M&S" in [row.memo for row in parsed.rows]


def test_a_zero_amount_row_is_an_error_on_its_line() -> None:
    parsed = imports.read(
        b"Date,Payee,Amount\n2026-01-02,Card check,0.00\n2026-01-03,Shop,-5.00\n", "a.csv", "EUR"
    )
    assert [row.payee for row in parsed.rows] == ["Shop"]
    assert [str(e) for e in parsed.errors] == ["line 2: the amount is zero"]
