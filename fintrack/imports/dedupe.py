"""Telling new rows from ones already in the account, and from manual entries they match.

A row with a bank id (OFX FITID) is the same transaction as a row with that id in the same
account. Without one, its key is a fingerprint of date, amount and normalised payee plus
its occurrence number within that fingerprint in the file: two genuinely identical rows in
one file both import, and re-importing the file (or an overlapping one) finds them again.

Neither catches the same transactions exported in another format or read with another
column mapping (other ids, other payees): a row is a possible duplicate when the account
already holds the same amount within MATCH_DAYS days, whatever its payee or id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, Table, select
from sqlalchemy.orm import Session

from fintrack import bulk
from fintrack.imports.model import ParsedRow
from fintrack.models import Transaction

MATCH_DAYS = 3


@dataclass(frozen=True)
class Candidate:
    """A manually entered transaction an imported row may be."""

    id: int
    date: dt.date
    amount: int
    payee: str


def import_keys(rows: list[ParsedRow], norms: list[str]) -> list[str]:
    """The import key of each row: fingerprint hash plus occurrence number in the file.

    `norms` are the rows' normalised payees (`payees.normalize`), in the same order.
    """
    seen: dict[str, int] = defaultdict(int)
    keys = []
    for row, norm in zip(rows, norms, strict=True):
        fingerprint = f"{row.date}|{row.amount}|{norm}"
        seen[fingerprint] += 1
        digest = hashlib.sha1(fingerprint.encode()).hexdigest()[:32]
        keys.append(f"{digest}:{seen[fingerprint]}")
    return keys


def _window(rows: list[ParsedRow]) -> tuple[dt.date, dt.date]:
    days = dt.timedelta(days=MATCH_DAYS)
    return min(r.date for r in rows) - days, max(r.date for r in rows) + days


def known_ids(
    session: Session, account_id: int, rows: list[ParsedRow]
) -> tuple[set[str], set[str]]:
    """External ids and import keys already in the account around the file's dates."""
    if not rows:
        return set(), set()
    start, end = _window(rows)
    query = select(Transaction.external_id, Transaction.import_key).where(
        Transaction.account_id == account_id,
        Transaction.date.between(start, end),
        (Transaction.external_id.is_not(None)) | (Transaction.import_key.is_not(None)),
    )
    external, keys = set(), set()
    for external_id, key in session.execute(query):
        if external_id:
            external.add(external_id)
        if key:
            keys.add(key)
    return external, keys


def manual_candidates(session: Session, account_id: int, rows: list[ParsedRow]) -> list[Candidate]:
    """Transactions typed in by hand (no bank id, no import key) around the file's dates."""
    if not rows:
        return []
    start, end = _window(rows)
    query = (
        select(Transaction.id, Transaction.date, Transaction.amount, Transaction.payee)
        .where(
            Transaction.account_id == account_id,
            Transaction.date.between(start, end),
            Transaction.external_id.is_(None),
            Transaction.import_key.is_(None),
        )
        .order_by(Transaction.date, Transaction.id)
    )
    return [Candidate(*row) for row in session.execute(query)]


class Twin(NamedTuple):
    """A transaction already in the account that an imported row may repeat.

    A tuple: a 100k-row file can find as many twins, built straight from the result rows.
    """

    id: int
    date: dt.date
    amount: int
    payee: str
    external_id: str | None
    import_key: str | None


# The file's rows go to a temporary table so ONE indexed join finds every row's twins.
_PROBE = Table(
    "import_probe",
    MetaData(),
    Column("line", Integer),
    Column("low", Date),
    Column("high", Date),
    Column("amount", BigInteger),
    prefixes=["TEMPORARY"],
)


def twin_candidates(
    session: Session, account_id: int, rows: list[ParsedRow]
) -> dict[int, list[Twin]]:
    """For each row's line, the account's transactions of the same amount within MATCH_DAYS.

    Nearest date first. One query joins the rows against the account in the date window.
    """
    if not rows:
        return {}
    connection = session.connection()
    days = dt.timedelta(days=MATCH_DAYS)
    probes = [(r.line, r.date - days, r.date + days, r.amount) for r in rows]
    with bulk.staged(connection, _PROBE, probes) as probe:
        t = Transaction.__table__
        query = (
            select(probe.c.line, t.c.id, t.c.date, t.c.amount, t.c.payee, t.c.external_id)
            .add_columns(t.c.import_key)
            .join(
                t,
                (t.c.account_id == account_id)
                & (t.c.amount == probe.c.amount)
                & t.c.date.between(probe.c.low, probe.c.high),
            )
        )
        found: dict[int, list[Twin]] = defaultdict(list)
        # fetchall: one round of the driver instead of one call per row.
        for line, *twin in connection.execute(query).fetchall():
            found[line].append(Twin._make(twin))
    dates = {r.line: r.date for r in rows}
    for line, twins in found.items():
        twins.sort(key=lambda twin: (abs((twin.date - dates[line]).days), twin.id))
    return found


class Matcher:
    """Hands out each manual transaction to at most one imported row: same amount, nearest date."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.by_amount: dict[int, list[Candidate]] = defaultdict(list)
        for candidate in candidates:
            self.by_amount[candidate.amount].append(candidate)
        self.used: set[int] = set()

    def take(self, row: ParsedRow) -> Candidate | None:
        """The closest unused candidate within MATCH_DAYS, now claimed; or None."""
        best = None
        for candidate in self.by_amount.get(row.amount, ()):
            distance = abs((candidate.date - row.date).days)
            if candidate.id in self.used or distance > MATCH_DAYS:
                continue
            if best is None or distance < abs((best.date - row.date).days):
                best = candidate
        if best is not None:
            self.used.add(best.id)
        return best
