"""Transactions as CSV, one row each, read from the database in pages of a fixed size.

A split transaction becomes one row per split line: the line's amount and category, and its
memo as the notes when it has one (otherwise the transaction's notes). So the CSV's amounts
add up to the same totals as the ledger, and each line lands in its own category in a
spreadsheet's pivot table. Transfers name the account on the other side.
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import BindParameter, Row, bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from fintrack import categories, money, search
from fintrack.filters import TransactionFilters
from fintrack.models import Account, Split, Tag, Transaction, TransactionTag

HEADER = (
    "date",
    "account",
    "currency",
    "amount",
    "payee",
    "category",
    "tags",
    "notes",
    "cleared",
    "transfer_account",
)
PAGE_ROWS = 1000
# A spreadsheet runs a cell starting with one of these as a formula; payees and notes come from
# banks and third parties, so such text goes out with a leading apostrophe (shown as text).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Downloads and uploaded backups pass through temporary files with these names; a server that
# was killed leaves them behind. Younger ones may belong to another running app and stay.
TEMPORARY_PREFIXES = ("fintrack-export-", "fintrack-restore-")
STALE_SECONDS = 3600


def text_cell(value: str) -> str:
    """`value` made safe to open in a spreadsheet: never read as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _page(
    session: Session, after: tuple[Any, int] | None, where: list[Any]
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The next transactions in (date, id) order after `after`: keyset pagination in SQL."""
    other = aliased(Transaction)
    statement = (
        select(
            Transaction.id,
            Transaction.date,
            Transaction.account_id,
            Transaction.amount,
            Transaction.payee,
            Transaction.category_id,
            Transaction.notes,
            Transaction.cleared,
            Transaction.is_split,
            other.account_id.label("transfer_account_id"),
        )
        .join(Account, Account.id == Transaction.account_id)
        .outerjoin(other, other.id == Transaction.transfer_id)
        .where(*where)
        .order_by(Transaction.date, Transaction.id)
        .limit(PAGE_ROWS)
    )
    if after:
        day, last_id = after
        # `date >= day` first: both databases can then seek in the (date, id) index.
        statement = statement.where(
            Transaction.date >= day, or_(Transaction.date > day, Transaction.id > last_id)
        )
    return session.execute(statement).all()


def _inline(ids: list[int]) -> BindParameter[Any]:
    """A page's ids written into the SQL: a thousand bound parameters cost more to send."""
    return bindparam("ids", ids, expanding=True, literal_execute=True)


def _tags(session: Session, ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    statement = (
        select(TransactionTag.transaction_id, Tag.name)
        .join(Tag, Tag.id == TransactionTag.tag_id)
        .where(TransactionTag.transaction_id.in_(_inline(ids)))
        .order_by(Tag.name)
    )
    for transaction_id, name in session.execute(statement):
        tags[transaction_id].append(name)
    return tags


def _splits(session: Session, ids: list[int]) -> dict[int, list[Row[*tuple[Any, ...]]]]:
    splits: dict[int, list[Row[*tuple[Any, ...]]]] = defaultdict(list)
    if not ids:
        return splits
    statement = (
        select(Split.transaction_id, Split.amount, Split.category_id, Split.memo)
        .where(Split.transaction_id.in_(_inline(ids)))
        .order_by(Split.id)
    )
    for row in session.execute(statement):
        splits[row.transaction_id].append(row)
    return splits


def export_transactions_csv(
    session: Session, out: TextIO, filters: TransactionFilters | None = None
) -> int:
    """Write transactions (all, or those matching `filters`) as CSV to `out`; returns the rows.

    Filters select exactly what the transaction list shows for them; a malformed search text
    raises QueryError before anything is written. Reads a page of transactions at a
    time, so memory stays flat for any number of rows.
    """
    accounts = {
        row.id: row for row in session.execute(select(Account.id, Account.name, Account.currency))
    }
    paths = categories.CategoryTree.load(session).paths()
    where = search.conditions(session, filters) if filters else []
    # RFC 4180 line ends: the csv module then also quotes a field holding a lone carriage
    # return, which would otherwise split the row in two for a reader.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    written = 0
    after: tuple[Any, int] | None = None
    while rows := _page(session, after, where):
        ids = [row.id for row in rows]
        tags = _tags(session, ids)
        splits = _splits(session, [row.id for row in rows if row.is_split])
        for row in rows:
            account = accounts[row.account_id]
            other = accounts.get(row.transfer_account_id)
            lines: list[Row[*tuple[Any, ...]] | None] = list(splits.get(row.id, ())) or [None]
            for line in lines:
                amount = line.amount if line else row.amount
                category_id = line.category_id if line else row.category_id
                notes = (line.memo if line else None) or row.notes or ""
                # The amount stays a plain number; every text a person or a bank wrote is guarded.
                writer.writerow(
                    (
                        row.date.isoformat(),
                        text_cell(account.name),
                        account.currency,
                        money.format_plain(amount, account.currency),
                        text_cell(row.payee),
                        text_cell(paths.get(category_id, "") if category_id else ""),
                        text_cell(", ".join(tags.get(row.id, []))),
                        text_cell(notes),
                        "yes" if row.cleared else "no",
                        text_cell(other.name if other else ""),
                    )
                )
                written += 1
        after = (rows[-1].date, rows[-1].id)
    return written


def remove_stale_temporary_files() -> int:
    """Delete the export and restore files older than an hour from the temporary directory
    (left by a server that was killed mid-download); returns how many went."""
    removed = 0
    cutoff = time.time() - STALE_SECONDS
    for prefix in TEMPORARY_PREFIXES:
        for path in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:  # gone already, or another user's file
                pass
    return removed
