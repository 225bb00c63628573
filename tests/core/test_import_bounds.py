"""A crafted or broken CSV gets a clear message naming its line, never an unexpected error."""

from __future__ import annotations

import pytest

from fintrack import imports
from fintrack.imports import csv_format


def test_a_file_of_thousands_of_columns_is_refused_with_its_line() -> None:
    data = b"Date,Payee,Amount\n" + b"a," * 20_000 + b"b\n"
    with pytest.raises(
        imports.ImportFileError, match=r"^line 2 has 20,001 columns; .* at most 100$"
    ):
        imports.read(data, "wide.csv", "EUR")


def test_a_field_beyond_the_csv_limit_is_refused_with_its_line() -> None:
    data = b"Date,Payee,Amount\n2026-01-05,Shop,-1.00\n2026-01-06," + b"x" * 140_000 + b",2.00\n"
    with pytest.raises(imports.ImportFileError, match=r"^line 3 has a field longer than 131,072"):
        imports.read(data, "long.csv", "EUR")


def test_an_amount_no_account_could_hold_is_a_row_error_naming_its_line() -> None:
    data = (
        b"Date,Payee,Amount\n2026-01-05,Shop,-1.00\n"
        b"2026-01-06,Typo,92233720368547758.08\n2026-01-07,Cafe,-2.50\n"
    )
    parsed = imports.read(data, "big.csv", "EUR")
    assert [(row.line, row.amount) for row in parsed.rows] == [(2, -100), (4, -250)]
    assert [str(error) for error in parsed.errors] == [
        'line 3: "92233720368547758.08": amounts go up to 1,000,000,000,000 EUR'
    ]


def test_wide_preamble_rows_still_find_the_header_below_them() -> None:
    preamble = ",".join(f"note {i}" for i in range(csv_format.MAX_COLUMNS)) + "\n"
    data = (preamble * 59 + "Date,Payee,Amount\n2026-01-05,Shop,-1.00\n").encode()
    parsed = imports.read(data, "preamble.csv", "EUR")
    assert [(row.line, row.payee, row.amount) for row in parsed.rows] == [(61, "Shop", -100)]
