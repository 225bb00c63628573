"""The plain data an import passes around: rows read from a file and the reasons rows fail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


class ImportFileError(ValueError):
    """A file that cannot be imported at all; the message is one line for the person.

    For a CSV whose columns could not be recognised, `parsed` carries the guessed mapping
    and the first rows, so the page can let the person choose the columns.
    """

    parsed: ParsedFile | None = None


@dataclass(slots=True)
class ParsedRow:
    """One transaction read from a file; `line` is where it sits in the file."""

    line: int
    date: dt.date
    amount: int
    payee: str
    memo: str | None = None
    external_id: str | None = None


@dataclass(slots=True)
class RowError:
    """A row that could not be read, with the reason (`date "31/02/2026" is not a valid date`)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Balance:
    """The balance a bank states in its file (OFX LEDGERBAL, camt CLBD, MT940 :62F:)."""

    date: dt.date
    amount: int


@dataclass
class ParsedFile:
    """Everything read from one file, before it is compared with the database."""

    file_format: str
    rows: list[ParsedRow]
    errors: list[RowError]
    mapping: Any = None
    doubts: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)
    currency: str | None = None
    balance: Balance | None = None
    # Lines that state a balance, not a transaction: read past, not errors.
    balance_lines: list[int] = field(default_factory=list)
