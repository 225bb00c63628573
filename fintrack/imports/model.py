"""The plain data an import passes around: rows read from a file and the reasons rows fail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fintrack import money
from fintrack.errors import FieldError


class ImportFileError(FieldError):
    """A file that cannot be imported at all; the message is one line for the person.

    For a CSV whose columns could not be recognised, `parsed` carries the guessed mapping
    and the first rows, so the page can let the person choose the columns.
    """

    FIELD = "file"
    parsed: ParsedFile | None = None


@dataclass(slots=True)
class ParsedRow:
    """One transaction read from a file; `line` is where it sits in the file.

    `amount` is what the bank booked in the account's currency; a purchase made in another
    currency may also carry what it was originally (minor units of `original_currency`,
    with the booked amount's sign).
    """

    line: int
    date: dt.date
    amount: int
    payee: str
    memo: str | None = None
    external_id: str | None = None
    original_amount: int | None = None
    original_currency: str | None = None


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


def original(
    booked: int, minor: int | None, code: str | None, currency: str
) -> tuple[int | None, str | None]:
    """The original amount and currency worth keeping beside a booked amount.

    Files write the original without a sign or with the card's own convention: it takes the
    booked amount's direction. Nothing is kept when it is empty, zero or in the account's own
    currency. ValueError (with the reason) for a code that is not an ISO 4217 currency.
    """
    if minor is None or not code or minor == 0 or booked == 0:
        return None, None
    code = code.strip().upper()
    if not money.is_currency(code):
        raise ValueError(f'"{code}" is not a currency code (such as USD)')
    if code == currency.upper():
        return None, None
    return (-abs(minor) if booked < 0 else abs(minor)), code
