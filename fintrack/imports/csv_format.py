"""Bank CSV exports: encoding, delimiter, header, column roles, date order and decimal separator.

Detection looks at the whole file (every date decides the day/month order, every amount
votes on the decimal separator) and says where it is unsure, so a person can correct it.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from fintrack import money
from fintrack.imports.csv_amounts import amount_reader, original_reader
from fintrack.imports.csv_words import ALIASES, DATE_ORDERS, MONTHS, is_balance_line, normalize
from fintrack.imports.model import ImportFileError, ParsedFile, ParsedRow, RowError

DELIMITERS = (";", ",", "\t", "|")
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
# The order columns are recognised in: an original amount before the amount, which would
# otherwise take a column named "Original amount".
GUESS_ORDER = (
    "date",
    "indicator",
    "debit",
    "credit",
    "original_amount",
    "original_currency",
    "amount",
    "id",
    "payee",
    "memo",
)
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_TEXT_DATE_MDY = re.compile(r"^\s*([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})\s*$")
_TEXT_DATE_DMY = re.compile(r"^\s*(\d{1,2})[\s.-]+([^\W\d_]+)\.?[\s.-]+(\d{2,4})\s*$")
_AMOUNT_CHARS = re.compile(r"[\d.,\s\u00a0\u202f'()+-]")
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
def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
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


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits most of the first lines into the same number of cells (> 1)."""
    sample = "\n".join(text.splitlines()[:60])
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = Counter(len(cells) for _, cells in _records(sample, delimiter) if any(cells))
        counts.pop(1, None)
        if not counts:
            continue
        width, lines = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (lines, width) > best_score:
            best, best_score = delimiter, (lines, width)
    return best


def _guess_roles(header: list[str]) -> dict[str, int]:
    names = [normalize(h) for h in header]
    roles: dict[str, int] = {}
    taken: set[int] = set()
    for role in GUESS_ORDER:
        found = _find_column(names, ALIASES[role], taken, exact=True)
        if found is None:
            found = _find_column(names, ALIASES[role], taken, exact=False)
        if found is not None:
            roles[role] = found
            taken.add(found)
    if "payee" not in roles and "memo" in roles:
        # Many banks put the only description in a column named like a memo (Barclays'
        # `Memo`, a German `Verwendungszweck`): it is the payee then.
        roles["payee"] = roles.pop("memo")
    if ("debit" in roles) != ("credit" in roles):
        roles.pop("debit", None)
        roles.pop("credit", None)
    if "amount" in roles and "debit" in roles:
        roles.pop("amount")
    return roles


@functools.cache
def _as_word(alias: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(alias)}\b")


def _find_column(names: list[str], aliases: Iterable[str], taken: set[int], exact: bool):
    for alias in aliases:
        if not exact and len(alias) < 4:
            continue
        for index, name in enumerate(names):
            if index in taken:
                continue
            # The substring test first: header detection looks at every cell of 60 rows.
            if (name == alias) if exact else (alias in name and _as_word(alias).search(name)):
                return index
    return None


def _looks_like_data(cells: list[str]) -> bool:
    return any(
        _NUMERIC_DATE.match(c) or _COMPACT_DATE.match(c) or _TEXT_DATE_MDY.match(c) for c in cells
    )


def _find_header(records: list[tuple[int, list[str]]]) -> tuple[int, int]:
    """(index of the header record or -1 when there is none, the number of columns).

    The header is the first row naming at least two known columns, however wide the
    preamble lines around it are; without one, the table is as wide as most rows.
    """
    for index, (_, cells) in enumerate(records[:60]):
        if len(cells) > 1 and len(_guess_roles(cells)) >= 2:
            return index, len(cells)
    widths = Counter(len(cells) for _, cells in records if len(cells) > 1)
    if not widths:
        raise ImportFileError("no table found in the file (one column only, or empty)")
    width = max(widths.items(), key=lambda item: (item[1], item[0]))[0]
    for index, (_, cells) in enumerate(records[:60]):
        if len(cells) == width:
            return (-1 if _looks_like_data(cells) else index), width
    return -1, width


def _guess_roles_from_values(rows: list[list[str]], width: int) -> dict[str, int]:
    """Headerless files: the date column holds dates, the amount column numbers, payee text."""
    roles: dict[str, int] = {}
    sample = rows[:50]
    for index in range(width):
        values = [r[index].strip() for r in sample if index < len(r) and r[index].strip()]
        if not values:
            continue
        if "date" not in roles and all(_NUMERIC_DATE.match(v) for v in values):
            roles["date"] = index
        elif "amount" not in roles and all(_is_amount(v) for v in values):
            roles["amount"] = index
        elif "payee" not in roles and not all(_is_amount(v) for v in values):
            roles["payee"] = index
    return roles


def _is_amount(value: str) -> bool:
    stripped = money._CURRENCY_NOISE.sub("", value)
    return bool(re.search(r"\d", stripped)) and not _AMOUNT_CHARS.sub("", stripped)


def decide_decimal_separator(values: Iterable[str], delimiter: str) -> str:
    """`.` or `,`: each amount votes (`1.234,56` and `12,50` for comma, `1,234.56` for point)."""
    votes: Counter[str] = Counter()
    for value in values:
        text = re.sub(r"[^\d.,]", "", value)
        last_dot, last_comma = text.rfind("."), text.rfind(",")
        if last_dot >= 0 and last_comma >= 0:
            votes["." if last_dot > last_comma else ","] += 1
        elif last_comma >= 0 and len(text) - last_comma - 1 in (1, 2):
            votes[","] += 1
        elif last_dot >= 0 and (len(text) - last_dot - 1 in (1, 2) or text.count(".") == 1):
            votes["."] += 1
    if votes:
        return max(votes, key=lambda sep: votes[sep])
    return "," if delimiter == ";" else "."


def decide_date_order(values: Iterable[str], currency: str) -> tuple[str, str | None]:
    """The date order that reads every value, and a doubt when two orders would."""
    first_max = second_max = 0
    numeric = text = 0
    year_first = True
    dotted = True
    for value in values:
        value = value.strip()
        if not value:
            continue
        if _COMPACT_DATE.match(value):
            numeric += 1
            continue
        found = _NUMERIC_DATE.match(value)
        if found:
            numeric += 1
            a, b = int(found.group(1)), int(found.group(2))
            if len(found.group(1)) == 4:
                continue
            year_first = False
            dotted = dotted and "." in value.split()[0]
            first_max, second_max = max(first_max, a), max(second_max, b)
        elif _TEXT_DATE_MDY.match(value) or _TEXT_DATE_DMY.match(value):
            text += 1
    if text > numeric:
        return "TEXT", None
    if year_first:
        return "YMD", None
    if first_max > 12:
        return "DMY", None
    if second_max > 12:
        return "MDY", None
    if dotted:
        return "DMY", None  # 02.01.2026 is written day-first wherever dots are used
    guess = "MDY" if currency.upper() in {"USD", "CAD", "PHP"} else "DMY"
    return guess, (
        "every date could be read day-first or month-first; "
        f"{DATE_ORDERS[guess].split(' (')[0].lower()} was assumed"
    )


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
            found = _TEXT_DATE_MDY.match(text)
            if found:
                month_name, day, year = found.groups()
            else:
                found = _TEXT_DATE_DMY.match(text)
                if not found:
                    raise ValueError
                day, month_name, year = found.groups()
            name = normalize(month_name)
            month = MONTHS.get(name[:4]) or MONTHS.get(name[:3])
            if month is None:
                raise ValueError
            return dt.date(_year(year), month, int(day))
        compact = _COMPACT_DATE.match(text)
        if compact:
            return dt.date(*(int(part) for part in compact.groups()))
        found = _NUMERIC_DATE.match(text)
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


def detect(text: str, encoding: str, currency: str) -> tuple[CsvMapping, list[str]]:
    """Guess how to read a CSV text; the second value lists what detection is unsure about."""
    delimiter = sniff_delimiter(text)
    records = _records(text, delimiter)
    header_index, width = _find_header(records)
    doubts: list[str] = []
    if header_index >= 0:
        header = records[header_index][1]
        columns = _guess_roles(header)
    else:
        header = [f"Column {i + 1}" for i in range(width)]
        data = [cells for _, cells in records if len(cells) == width]
        columns = _guess_roles_from_values(data, width)
        doubts.append("the file has no header row; the columns were guessed from their values")
    body = [cells for _, cells in records[header_index + 1 :]]
    mapping = CsvMapping(encoding, delimiter, header_index, header, columns)
    if "date" not in columns:
        doubts.append("no date column was recognised")
    else:
        order, doubt = decide_date_order(set(_column(body, columns["date"])), currency)
        mapping.date_order = order
        if doubt:
            doubts.append(doubt)
    if "payee" not in columns:
        doubts.append("no payee or description column was recognised")
    amount_columns = [columns[r] for r in ("amount", "debit", "credit") if r in columns]
    values = {v for index in amount_columns for v in _column(body, index)}
    mapping.decimal_sep = decide_decimal_separator(values, delimiter)
    return mapping, doubts


def from_profile(profile: dict[str, Any], text: str, encoding: str) -> CsvMapping | None:
    """The saved mapping when the file looks like the one it was made for.

    With a header row, that row must be the same; without one, the rows as wide.
    """
    delimiter = profile.get("delimiter", ",")
    header = profile.get("header") or []
    records = _records("\n".join(text.splitlines()[:60]), delimiter)
    if profile.get("has_header", True):
        found = next((i for i, (_, cells) in enumerate(records) if cells == header), None)
    else:
        found = -1 if records and len(records[0][1]) == len(header) else None
    if found is None:
        return None
    return CsvMapping(
        encoding,
        delimiter,
        found,
        header,
        {k: int(v) for k, v in profile.get("columns", {}).items()},
        profile.get("date_order", "YMD"),
        profile.get("decimal_sep", "."),
        bool(profile.get("flip_sign", False)),
    )


def sample_rows(text: str, mapping: CsvMapping, count: int = MAX_PREVIEW_ROWS) -> list[list[str]]:
    """The first data rows of the file as cells, for showing under a mapping."""
    records = _records(
        "\n".join(text.splitlines()[: max(mapping.header_line, 0) + 60]), mapping.delimiter
    )
    return [cells for _, cells in records[mapping.header_line + 1 :]][:count]


def forget() -> None:
    """Drop the split kept from the last file read (it can be large)."""
    _records.cache_clear()


def _column(rows: list[list[str]], index: int) -> list[str]:
    return [r[index] for r in rows if index < len(r)]


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
    records = _records(text, mapping.delimiter)[mapping.header_line + 1 :]
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
