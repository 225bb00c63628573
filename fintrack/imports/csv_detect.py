"""Bank CSV exports: guessing how to read one (delimiter, header, column roles, date order and
decimal separator).

Detection looks at the whole file (every date decides the day/month order, every amount
votes on the decimal separator) and says where it is unsure, so a person can correct it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from fintrack import money
from fintrack.imports.csv_format import (
    COMPACT_DATE,
    NUMERIC_DATE,
    TEXT_DATE_DMY,
    TEXT_DATE_MDY,
    CsvMapping,
    read_records,
)
from fintrack.imports.csv_words import ALIASES, DATE_ORDERS, normalize
from fintrack.imports.model import ImportFileError

DELIMITERS = (";", ",", "\t", "|")
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
_AMOUNT_CHARS = re.compile(r"[\d.,\s\u00a0\u202f'()+-]")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits most of the first lines into the same number of cells (> 1)."""
    sample = "\n".join(text.splitlines()[:60])
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = Counter(len(cells) for _, cells in read_records(sample, delimiter) if any(cells))
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


def _find_column(
    names: list[str], aliases: Iterable[str], taken: set[int], exact: bool
) -> int | None:
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
        NUMERIC_DATE.match(c) or COMPACT_DATE.match(c) or TEXT_DATE_MDY.match(c) for c in cells
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
        if "date" not in roles and all(NUMERIC_DATE.match(v) for v in values):
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
        if COMPACT_DATE.match(value):
            numeric += 1
            continue
        found = NUMERIC_DATE.match(value)
        if found:
            numeric += 1
            a, b = int(found.group(1)), int(found.group(2))
            if len(found.group(1)) == 4:
                continue
            year_first = False
            dotted = dotted and "." in value.split()[0]
            first_max, second_max = max(first_max, a), max(second_max, b)
        elif TEXT_DATE_MDY.match(value) or TEXT_DATE_DMY.match(value):
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


def detect(text: str, encoding: str, currency: str) -> tuple[CsvMapping, list[str]]:
    """Guess how to read a CSV text; the second value lists what detection is unsure about."""
    delimiter = sniff_delimiter(text)
    records = read_records(text, delimiter)
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
    records = read_records("\n".join(text.splitlines()[:60]), delimiter)
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


def _column(rows: list[list[str]], index: int) -> list[str]:
    return [r[index] for r in rows if index < len(r)]
