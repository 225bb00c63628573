"""SWIFT MT940 statements (German SEPA `?20`/`?32` details, Dutch `/NAME/.../REMI/` details),
read with the mt-940 package."""

from __future__ import annotations

import datetime as dt
import logging
import re

from fintrack import money
from fintrack.imports.model import Balance, ImportFileError, ParsedFile, ParsedRow, RowError

log = logging.getLogger(__name__)
_TAGS = (re.compile(r"^:20:", re.MULTILINE), re.compile(r"^:25:", re.MULTILINE))
_STATEMENT_LINE = re.compile(r"^:61:", re.MULTILINE)
# Dutch and Belgian banks write `:86:` as /KEY/value/KEY/value...
_SLASHED = re.compile(r"/(NAME|REMI|TRTP|IBAN|BIC|EREF|CSID|MARF|ORDP|BENM|ADDR)/")


def looks_like_mt940(text: str) -> bool:
    """True for a text with the statement tags every MT940 file has."""
    head = text[:4096]
    return all(tag.search(head) for tag in _TAGS) and (":60F:" in head or ":60M:" in head)


def _slashed(details: str) -> dict[str, str]:
    parts = _SLASHED.split(details)
    return {parts[i]: parts[i + 1].strip("/ ") for i in range(1, len(parts) - 1, 2)}


def _describe(data: dict[str, str]) -> tuple[str, str | None]:
    """(payee, memo) from the structured or the slash-separated `:86:` details."""
    name = (data.get("applicant_name") or "").strip()
    purpose = (data.get("purpose") or "").strip()
    details = (data.get("transaction_details") or "").replace("\n", "")
    if not name and details.startswith("/"):
        fields = _slashed(details)
        name, purpose = fields.get("NAME", ""), fields.get("REMI", purpose)
    if not name:
        name = purpose or (data.get("posting_text") or "").strip() or details[:120]
        purpose = "" if name == purpose else purpose
    return " ".join(name.split()), " ".join(purpose.split()) or None


def parse(text: str, default_currency: str) -> ParsedFile:
    """All `:61:` lines of all statements, with the last `:62F:` as the bank's balance."""
    import mt940  # only imports of this format pay for loading the package

    statements = mt940.models.Transactions(options=mt940.Options(applicant_iban=True))
    try:
        statements.parse(text)
    except Exception as error:  # the package raises bare exceptions on bad input
        log.info("MT940 parse failed: %s", error)
        raise ImportFileError("this MT940 file is damaged and cannot be read") from None
    currency = (statements.currency or default_currency).upper()
    lines = [text.count("\n", 0, m.start()) + 1 for m in _STATEMENT_LINE.finditer(text)]
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for index, transaction in enumerate(statements):
        data = transaction.data
        line = lines[index] if index < len(lines) else index + 1
        amount = data.get("amount")
        if amount is None or data.get("date") is None:
            errors.append(RowError(line, "the statement line has no amount or date"))
            continue
        try:
            minor = money.to_minor(amount.amount, currency)
        except money.MoneyError as error:
            errors.append(RowError(line, str(error)))
            continue
        payee, memo = _describe(data)
        reference = (data.get("bank_reference") or "").strip()
        reference = "" if reference.upper() == "NONREF" else reference
        day = data["date"]
        rows.append(
            ParsedRow(
                line, dt.date(day.year, day.month, day.day), minor, payee, memo, reference or None
            )
        )
    closing = statements.data.get("final_closing_balance")
    balance = None
    if closing is not None:
        day = closing.date
        balance = Balance(
            dt.date(day.year, day.month, day.day), money.to_minor(closing.amount.amount, currency)
        )
    return ParsedFile("mt940", rows, errors, currency=currency, balance=balance)
