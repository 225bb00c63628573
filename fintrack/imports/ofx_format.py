"""OFX and QFX statements, version 1.x (SGML) and 2.x (XML), read with ofxtools.

Dates come from the raw DTPOSTED text: converting it to UTC would move a bank's midnight
posting in Central Europe to the previous day.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import re

from fintrack import money
from fintrack.imports.model import Balance, ImportFileError, ParsedFile, ParsedRow, RowError

log = logging.getLogger(__name__)
STATEMENTS = ("STMTRS", "CCSTMTRS")


def looks_like_ofx(data: bytes) -> bool:
    """True when the file starts like an OFX 1.x or 2.x document."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    return head.startswith(b"OFXHEADER") or (head.startswith(b"<?XML") and b"OFX" in head)


def _text(element, tag: str) -> str:
    found = element.find(tag)
    # ofxtools keeps character entities as written: banks send `Shop &amp; Co`.
    return html.unescape(found.text or "").strip() if found is not None else ""


def parse(data: bytes, default_currency: str) -> ParsedFile:
    """All transactions of all statements in the file, with FITIDs as external ids."""
    # Imported here: ofxtools costs a third of a second at every start of the app otherwise.
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except Exception as error:
        log.info("OFX parse failed: %s", error)
        raise ImportFileError("this OFX file is damaged and cannot be read") from None
    root = tree.getroot()
    statements = [s for tag in STATEMENTS for s in root.iter(tag)]
    if not statements:
        raise ImportFileError("this OFX file holds no bank or card statement")
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    currency = _text(statements[0], "CURDEF") or default_currency
    # Where each transaction starts in the file, so problems name the line a person can find.
    starts = [m.start() for m in re.finditer(rb"<STMTTRN>", data, re.IGNORECASE)]
    number, previous = 1, 0
    for index, transaction in enumerate(root.iter("STMTTRN")):
        if index < len(starts):
            number += data.count(b"\n", previous, starts[index])
            previous = starts[index]
        posted, amount = _text(transaction, "DTPOSTED"), _text(transaction, "TRNAMT")
        try:
            date = dt.datetime.strptime(posted[:8], "%Y%m%d").date()
        except ValueError:
            errors.append(RowError(number, f'date "{posted}" is not a valid date'))
            continue
        try:
            minor = money.parse_amount(amount.replace(",", "."), currency, decimal_sep=".")
        except money.MoneyError as error:
            errors.append(RowError(number, str(error)))
            continue
        payee = _text(transaction, "NAME") or _text(transaction, "PAYEE/NAME")
        rows.append(
            ParsedRow(
                number,
                date,
                minor,
                " ".join(payee.split()),
                _text(transaction, "MEMO") or None,
                _text(transaction, "FITID") or None,
            )
        )
    return ParsedFile("ofx", rows, errors, currency=currency, balance=_ledger(statements, currency))


def _ledger(statements: list, currency: str) -> Balance | None:
    """The bank's booked balance (LEDGERBAL) of the last statement, when it is readable."""
    ledger = statements[-1].find("LEDGERBAL")
    if ledger is None:
        return None
    try:
        day = dt.datetime.strptime(_text(ledger, "DTASOF")[:8], "%Y%m%d").date()
        amount = money.parse_amount(
            _text(ledger, "BALAMT").replace(",", "."), currency, decimal_sep="."
        )
    except (ValueError, money.MoneyError):
        return None
    return Balance(day, amount)
