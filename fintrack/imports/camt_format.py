"""ISO 20022 bank-to-customer statements: camt.053 (statement) and camt.052 (report).

Read with defusedxml (no entities, no DTDs, nothing fetched). Namespaces differ between
versions (.02, .04, .08) and banks, so elements are found by local name. One entry (`Ntry`)
can be a batch of several transactions (`NtryDtls/TxDtls`): each becomes a row. A payment in
another currency keeps its instructed amount (`AmtDtls/InstdAmt`) as the original amount.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
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
_MARKER = re.compile(rb"camt\.05[23]|<(?:\w+:)?BkToCstmr(?:Stmt|AcctRpt)\b")
# Where entries and their transaction details start, to name lines a person can find.
_STARTS = re.compile(rb"<(?:\w+:)?(Ntry|TxDtls)>")


def looks_like_camt(data: bytes) -> bool:
    """True for an XML document holding a camt.053 or camt.052 message."""
    head = data[:4096]
    return b"<" in head and bool(_MARKER.search(head))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element | None, name: str) -> Iterator[Element]:
    if element is None:
        return iter(())
    return (child for child in element if _local(child.tag) == name)


def _find(element: Element | None, path: str) -> Element | None:
    """The first element along a `/`-separated path of local names."""
    for name in path.split("/"):
        element = next(_children(element, name), None)
        if element is None:
            return None
    return element


def _text(element: Element | None, path: str) -> str:
    found = _find(element, path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _date(element: Element | None) -> dt.date | None:
    """A `Dt` or `DtTm` child as the bank's calendar date."""
    text = _text(element, "Dt") or _text(element, "DtTm")[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _amount(element: Element | None, indicator: str, currency: str) -> int | None:
    amount = _find(element, "Amt")
    text = (amount.text or "").strip() if amount is not None else ""
    if not text:
        return None
    minor = money.parse_amount(text, currency, decimal_sep=".")
    return -abs(minor) if indicator == "DBIT" else abs(minor)


def _original(element: Element | None, booked: int, currency: str) -> tuple[int | None, str | None]:
    """The instructed amount when it is in another currency than the account's (a payment
    in USD booked in EUR); its exchange details (`CcyXchg`) follow from the two amounts."""
    amount = _find(element, "AmtDtls/InstdAmt/Amt")
    code = amount.get("Ccy", "").strip().upper() if amount is not None else ""
    text = (amount.text or "").strip() if amount is not None else ""
    if not code or not text:
        return None, None
    minor = money.parse_amount(text, code if money.is_currency(code) else currency, ".")
    return original(booked, minor, code, currency)


def _party(details: Element | None, debit: bool) -> str:
    """The counterparty's name: the creditor for money out, the debtor for money in."""
    parties = _find(details, "RltdPties")
    for role in ("Cdtr", "UltmtCdtr") if debit else ("Dbtr", "UltmtDbtr"):
        # camt .02/.04 name the party directly; .08 wraps it in `Pty`.
        name = _text(parties, f"{role}/Nm") or _text(parties, f"{role}/Pty/Nm")
        if name:
            return name
    return ""


def _remittance(details: Element | None) -> str:
    info = _find(details, "RmtInf")
    return " ".join(" ".join((u.text or "").split()) for u in _children(info, "Ustrd")).strip()


def _statements(root: Element) -> list[Element]:
    for message in ("BkToCstmrStmt", "BkToCstmrAcctRpt"):
        body = _find(root, message)
        if body is not None:
            return [s for name in ("Stmt", "Rpt") for s in _children(body, name)]
    return []


def _closing(statement: Element, currency: str) -> Balance | None:
    """The closing booked balance (CLBD), signed by its credit/debit indicator."""
    for balance in _children(statement, "Bal"):
        if _text(balance, "Tp/CdOrPrtry/Cd") != "CLBD":
            continue
        day = _date(_find(balance, "Dt"))
        amount = _amount(balance, _text(balance, "CdtDbtInd"), currency)
        if day is not None and amount is not None:
            return Balance(day, amount)
    return None


def parse(data: bytes, default_currency: str) -> ParsedFile:
    """Every booked entry of every statement; batch entries give one row per transaction."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        log.info("camt parse failed: %s", error)
        raise ImportFileError("this camt XML file is damaged or not allowed (DTD)") from None
    statements = _statements(root)
    if not statements:
        raise ImportFileError("this XML file holds no camt.053 or camt.052 statement")
    currency = (
        _text(statements[0], "Acct/Ccy")
        or next(
            (
                amount.get("Ccy", "")
                for amount in statements[0].iter()
                if _local(amount.tag) == "Amt" and amount.get("Ccy")
            ),
            "",
        )
        or default_currency
    ).upper()
    lines = iter(data.count(b"\n", 0, m.start()) + 1 for m in _STARTS.finditer(data))
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    balance = None
    for statement in statements:
        for entry in _children(statement, "Ntry"):
            _entry(entry, lines, currency, rows, errors)
        balance = _closing(statement, currency) or balance
    return ParsedFile("camt", rows, errors, currency=currency, balance=balance)


def _entry(
    entry: Element,
    lines: Iterator[int],
    currency: str,
    rows: list[ParsedRow],
    errors: list[RowError],
) -> None:
    """The rows of one entry: one per transaction detail when a batch gives their amounts."""
    line = next(lines, 0)
    details = [d for batch in _children(entry, "NtryDtls") for d in _children(batch, "TxDtls")]
    detail_lines = [next(lines, line) for _ in details]
    status = _text(entry, "Sts") or _text(entry, "Sts/Cd")
    if status and status != "BOOK":
        return  # pending or informational entries are not on the books yet
    indicator = _text(entry, "CdtDbtInd")
    day = _date(_find(entry, "BookgDt")) or _date(_find(entry, "ValDt"))
    if day is None:
        errors.append(RowError(line, "the entry has no booking date"))
        return
    reference = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    try:
        total = _amount(entry, indicator, currency)
        amounts = [
            _amount(d, _text(d, "CdtDbtInd") or indicator, currency)
            or _amount(_find(d, "AmtDtls/TxAmt"), _text(d, "CdtDbtInd") or indicator, currency)
            for d in details
        ]
        originals = [_original(d, a or 0, currency) for d, a in zip(details, amounts, strict=True)]
        foreign, code = _original(details[0] if len(details) == 1 else entry, total or 0, currency)
    except ValueError as error:
        errors.append(RowError(line, str(error)))
        return
    if total is None:
        errors.append(RowError(line, "the entry has no amount"))
        return
    debit = indicator == "DBIT"
    known = [a for a in amounts if a is not None]
    if len(details) > 1 and len(known) == len(details):
        if sum(known) != total:
            # Never import a batch whose lines say something else than the booked entry.
            errors.append(
                RowError(
                    line,
                    f"the batch's {len(known)} transactions add up to "
                    f"{money.format_plain(sum(known), currency)}, the entry to "
                    f"{money.format_plain(total, currency)}",
                )
            )
            return
        for index, (detail, amount) in enumerate(zip(details, known, strict=True)):
            own = _text(detail, "Refs/AcctSvcrRef") or _text(detail, "Refs/TxId")
            rows.append(
                ParsedRow(
                    detail_lines[index],
                    day,
                    amount,
                    _party(detail, amount < 0) or _remittance(detail),
                    _remittance(detail) or _text(detail, "AddtlTxInf") or None,
                    own or (f"{reference}/{index + 1}" if reference else None),
                    *originals[index],
                )
            )
        return
    single = details[0] if len(details) == 1 else None
    memo = _remittance(single) or _text(entry, "AddtlNtryInf")
    payee = _party(single, debit) or memo
    if len(details) > 1:
        payee = payee or f"batch of {len(details)} transactions"
    if len(details) > 1:
        foreign = code = None  # a batch booked as one: no single original amount
    rows.append(
        ParsedRow(
            line,
            day,
            total,
            payee,
            memo if memo != payee else None,
            reference or None,
            foreign,
            code,
        )
    )
