"""Quicken Interchange Format (QIF) bank and card exports: `D` date, `T` amount, `P` payee."""

from __future__ import annotations

import re

from fintrack import money
from fintrack.imports import csv_detect, csv_format
from fintrack.imports.model import ImportFileError, ParsedFile, ParsedRow, RowError

# Quicken writes `1/ 5'26` for 2026-01-05: the apostrophe separates the year.
_QUICKEN_YEAR = re.compile(r"\s*'\s*")


def looks_like_qif(text: str) -> bool:
    """True when the text starts with a QIF `!Type:` header."""
    return text.lstrip().lower().startswith("!type:")


def _records(text: str) -> list[tuple[int, dict[str, str]]]:
    """(first line, fields by their one-letter code) for every `^`-terminated record."""
    records: list[tuple[int, dict[str, str]]] = []
    fields: dict[str, str] = {}
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line == "^":
            if fields:
                records.append((start, fields))
            fields = {}
            continue
        if not fields:
            start = number
        fields.setdefault(line[0].upper(), line[1:].strip())
    if fields:
        records.append((start, fields))
    return records


def parse(text: str, currency: str) -> ParsedFile:
    """Every transaction of a QIF file; date order and decimal separator decided on all rows."""
    records = _records(text)
    if not records:
        raise ImportFileError("this QIF file holds no transactions")
    dates = [_QUICKEN_YEAR.sub("/", f.get("D", "")).replace(" ", "") for _, f in records]
    order, doubt = csv_detect.decide_date_order(set(dates), currency)
    sep = csv_detect.decide_decimal_separator({f.get("T", "") for _, f in records}, "")
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for (line, fields), date_text in zip(records, dates, strict=True):
        try:
            date = csv_format.parse_date(date_text, order)
            amount = money.parse_amount(fields.get("T", ""), currency, decimal_sep=sep)
        except ValueError as error:
            errors.append(RowError(line, str(error)))
            continue
        payee = fields.get("P") or fields.get("M") or ""
        memo = fields.get("M") if fields.get("P") else None
        rows.append(ParsedRow(line, date, amount, " ".join(payee.split()), memo or None))
    return ParsedFile("qif", rows, errors, doubts=[doubt] if doubt else [])
