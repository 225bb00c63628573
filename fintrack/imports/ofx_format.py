"""OFX and QFX statements, version 1.x (SGML) and 2.x (XML), read with ofxtools.

Dates come from the raw DTPOSTED text: converting it to UTC would move a bank's midnight
posting in Central Europe to the previous day.

A transaction in another currency (OFX section 5.2) carries `<ORIGCURRENCY>`: the bank
converted TRNAMT into the statement's CURDEF, from CURSYM at CURRATE (units of CURDEF per
unit of CURSYM), or `<CURRENCY>`: TRNAMT itself is in CURSYM and CURRATE converts it. Either
way the amount in CURDEF is booked and the amount in CURSYM is kept as the original.
"""

from __future__ import annotations

import datetime as dt
import decimal
import html
import io
import logging
import re
from decimal import Decimal
from xml.etree.ElementTree import Element

from fintrack import money
from fintrack.imports.model import (
    Balance,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    RowError,
    original,
)

log = logging.getLogger(__name__)
STATEMENTS = ("STMTRS", "CCSTMTRS")


def looks_like_ofx(data: bytes) -> bool:
    """True when the file starts like an OFX 1.x or 2.x document."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    return head.startswith(b"OFXHEADER") or (head.startswith(b"<?XML") and b"OFX" in head)


def _text(element: Element, tag: str) -> str:
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
    if root is None:  # parse() succeeded, so there is a root; the stub allows none
        raise ImportFileError("this OFX file is damaged and cannot be read")
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
            minor, foreign, code = _amounts(transaction, amount.replace(",", "."), currency)
            foreign, code = original(minor, foreign, code, currency)
        except (money.MoneyError, ValueError) as error:
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
                foreign,
                code,
            )
        )
    return ParsedFile("ofx", rows, errors, currency=currency, balance=_ledger(statements, currency))


def _amounts(
    transaction: Element, amount: str, currency: str
) -> tuple[int, int | None, str | None]:
    """The booked amount in `currency` (CURDEF), and the original amount and its currency."""
    found = [(tag, transaction.find(tag)) for tag in ("ORIGCURRENCY", "CURRENCY")]
    tag, element = next(((t, e) for t, e in found if e is not None), ("", None))
    code = _text(element, "CURSYM").upper() if element is not None else ""
    if element is None or not code or code == currency.upper():
        return money.parse_amount(amount, currency, decimal_sep="."), None, None
    try:
        rate = Decimal(_text(element, "CURRATE").replace(",", "."))
    except decimal.InvalidOperation:
        rate = Decimal(0)
    if tag == "ORIGCURRENCY":
        booked = money.parse_amount(amount, currency, decimal_sep=".")
        if not rate.is_finite() or rate <= 0:
            return booked, None, None  # the booked amount holds; the original is unknown
        return booked, _minor(money.to_decimal(booked, currency) / rate, code), code
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"the amount is in {code} but its rate (CURRATE) is missing")
    foreign = money.parse_amount(amount, code, decimal_sep=".")
    return _minor(money.to_decimal(foreign, code) * rate, currency), foreign, code


def _minor(major: Decimal, code: str) -> int:
    """Major units rounded half-even to whole minor units of `code`."""
    scaled = major.scaleb(money.minor_digits(code))
    return int(scaled.to_integral_value(rounding=decimal.ROUND_HALF_EVEN))


def _ledger(statements: list[Element], currency: str) -> Balance | None:
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
