"""Bank CSV exports: decoding, the mapping that says how to read a layout, and reading every
row with it. `fintrack.imports.csv_detect` guesses the mapping.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass, field, replace
from typing import Any

from fintrack.imports.csv_amounts import amount_reader, original_reader
from fintrack.imports.csv_words import MONTHS, is_balance_line, normalize
from fintrack.imports.model import ImportFileError, ParsedFile, ParsedRow, RowError

ROLES = (
    "date",
    "payee",
    "amount",
    "debit",
    "credit",
    "indicator",
    "memo",
    "id",
    "original_amount",
    "original_currency",
)
NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:[ T].*)?$")
COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
TEXT_DATE_MDY = re.compile(r"^\s*([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})\s*$")
TEXT_DATE_DMY = re.compile(r"^\s*(\d{1,2})[\s.-]+([^\W\d_]+)\.?[\s.-]+(\d{2,4})\s*$")
MAX_PREVIEW_ROWS = 5
# Bank exports have a few dozen columns and short cells: anything far beyond is not a bank
# file, and reading it would tie up the server (header detection looks at every cell).
MAX_COLUMNS = 100
MAX_FIELD_CHARS = csv.field_size_limit()


@dataclass
class CsvMapping:
    """How to read one CSV layout; saved on the account as its import profile."""

    encoding: str = "utf-8-sig"
    delimiter: str = ","
    header_line: int = 0
    header: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    date_order: str = "YMD"
    decimal_sep: str = "."
    # Card statements often show charges as positive amounts: flip them to money leaving.
    flip_sign: bool = False

    def to_profile(self) -> dict[str, Any]:
        """A JSON-able form for Account.import_profile."""
        return {
            "delimiter": self.delimiter,
            "has_header": self.header_line >= 0,
            "header": self.header,
            "columns": self.columns,
            "date_order": self.date_order,
            "decimal_sep": self.decimal_sep,
            "flip_sign": self.flip_sign,
        }


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding that read it: UTF-8 (with or without BOM) or cp1252."""
    if b"\x00" in data[:4096]:
        raise ImportFileError("this is not a text file (it contains binary data)")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


# Detection and parsing read the same text: keep the last split so big files are read once.
@functools.lru_cache(maxsize=1)
def read_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every record; line numbers count from 1 as an editor shows.

    The result is shared between callers: never modify it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, previous = [], 0
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise ImportFileError(
                    f"line {previous + 1} has {len(cells):,} columns; a bank file has at most "
                    f"{MAX_COLUMNS}"
                )
            records.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError(
                f"line {previous + 1} has a field longer than {MAX_FIELD_CHARS:,} characters"
            ) from None
        raise ImportFileError(f"line {previous + 1} cannot be read as CSV: {error}") from None
    return records


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 70 else 1900
    return year


def parse_date(value: str, order: str) -> dt.date:
    """One date cell in the file's order; ValueError with the cell quoted when it is no date."""
    text = value.strip()
    try:
        if order == "TEXT":
            found = TEXT_DATE_MDY.match(text)
            if found:
                month_name, day, year = found.groups()
            else:
                found = TEXT_DATE_DMY.match(text)
                if not found:
                    raise ValueError
                day, month_name, year = found.groups()
            name = normalize(month_name)
            month = MONTHS.get(name[:4]) or MONTHS.get(name[:3])
            if month is None:
                raise ValueError
            return dt.date(_year(year), month, int(day))
        compact = COMPACT_DATE.match(text)
        if compact:
            return dt.date(*(int(part) for part in compact.groups()))
        found = NUMERIC_DATE.match(text)
        if not found:
            raise ValueError
        a, b, c = found.groups()
        if len(a) == 4:
            return dt.date(int(a), int(b), int(c))
        if order == "MDY":
            return dt.date(_year(c), int(a), int(b))
        return dt.date(_year(c), int(b), int(a))
    except ValueError:
        raise ValueError(f'date "{text}" is not a valid date') from None


def sample_rows(text: str, mapping: CsvMapping, count: int = MAX_PREVIEW_ROWS) -> list[list[str]]:
    """The first data rows of the file as cells, for showing under a mapping."""
    records = read_records(
        "\n".join(text.splitlines()[: max(mapping.header_line, 0) + 60]), mapping.delimiter
    )
    return [cells for _, cells in records[mapping.header_line + 1 :]][:count]


def forget() -> None:
    """Drop the split kept from the last file read (it can be large)."""
    read_records.cache_clear()


def missing_roles(mapping: CsvMapping) -> str | None:
    """Why the mapping cannot read amounts or dates, or None when it can."""
    columns = mapping.columns
    if "date" not in columns:
        return "the date column could not be found; choose it in the mapping"
    if "amount" not in columns and not ("debit" in columns and "credit" in columns):
        return "the amount column could not be found; choose it in the mapping"
    return None


def parse(text: str, mapping: CsvMapping, currency: str) -> ParsedFile:
    """Read every data row with the mapping: rows that read, and a reason for each that doesn't."""
    problem = missing_roles(mapping)
    if problem:
        raise ImportFileError(problem)
    records = read_records(text, mapping.delimiter)[mapping.header_line + 1 :]
    # Rows are padded to the mapped columns plus one empty cell at the end: roles without a
    # column read that one (index -1).
    padding = [""] * (max(mapping.columns.values()) + 1)
    columns = {role: mapping.columns.get(role, -1) for role in ROLES}
    date_col, payee_col, memo_col, id_col = (columns[r] for r in ("date", "payee", "memo", "id"))
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    balance_lines: list[int] = []
    read_amount = amount_reader(columns, mapping.decimal_sep, currency)
    read_original = original_reader(columns, mapping.decimal_sep, currency)
    sign = -1 if mapping.flip_sign else 1
    dates: dict[str, dt.date] = {}
    for line, cells in records:
        if not "".join(cells).strip():
            continue
        cells = [*cells, *padding[len(cells) :], ""]
        if is_balance_line(cells[payee_col]) or is_balance_line(cells[memo_col]):
            balance_lines.append(line)
            continue
        try:
            date = dates.get(cells[date_col])
            if date is None:
                date = dates[cells[date_col]] = parse_date(cells[date_col], mapping.date_order)
            amount = sign * read_amount(cells)
            foreign, code = read_original(cells, amount)
        except ValueError as error:
            errors.append(RowError(line, _unclosed_quote(line, cells) or str(error)))
            continue
        rows.append(
            ParsedRow(
                line,
                date,
                amount,
                " ".join(cells[payee_col].split()),
                cells[memo_col].strip() or None,
                cells[id_col].strip() or None,
                foreign,
                code,
            )
        )
    preview = [cells for _, cells in records[:MAX_PREVIEW_ROWS]]
    return ParsedFile(
        "csv", rows, errors, mapping=mapping, sample=preview, balance_lines=balance_lines
    )


def _unclosed_quote(line: int, cells: list[str]) -> str | None:
    """The real problem when a quote left open swallowed the lines after it into one cell."""
    swallowed = sum(cell.rstrip("\r\n").count("\n") for cell in cells)
    if not swallowed:
        return None
    return (
        f'a quote (") opened on this line is never closed, so lines {line} to '
        f"{line + swallowed} were read as one row; close the quote or remove it"
    )


def use_payee_column(mapping: CsvMapping, name: str) -> CsvMapping:
    """The mapping with the column named `name` (case and accents ignored) as the payee."""
    return use_column(mapping, "payee", name)


def use_column(mapping: CsvMapping, role: str, name: str) -> CsvMapping:
    """The mapping with the column named `name` (case and accents ignored) in `role`."""
    if role not in ROLES:
        raise ImportFileError(f'there is no role "{role}"; the roles are {", ".join(ROLES)}')
    names = [normalize(h) for h in mapping.header]
    try:
        index = names.index(normalize(name))
    except ValueError:
        raise ImportFileError(
            f'there is no column "{name}"; the columns are {", ".join(mapping.header)}'
        ) from None
    columns = {r: i for r, i in mapping.columns.items() if i != index and r != role}
    columns[role] = index
    return replace(mapping, columns=columns)


def with_changes(mapping: CsvMapping, **changes: Any) -> CsvMapping:
    """A copy of the mapping with some fields changed (the page's corrections)."""
    return replace(mapping, **changes)
