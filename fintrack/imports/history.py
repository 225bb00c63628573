"""Import history: every committed file is a batch that can be listed and undone.

Undo removes exactly the rows the batch inserted and hands back the hand-typed
transactions it confirmed (they lose the bank's id, not their data). Rows edited or
reconciled since the import are the person's work: undo names them and needs `force`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from fintrack import transactions, words
from fintrack.errors import InputError
from fintrack.models import Account, ImportBatch, Transaction, utcnow


class UndoError(InputError):
    """An undo that cannot happen as asked; `preview` says what it would touch."""

    def __init__(self, message: str, preview: UndoPreview | None = None) -> None:
        super().__init__("undo", message)
        self.preview = preview


@dataclass(frozen=True)
class BatchInfo:
    """One import as the history lists it."""

    id: int
    account_id: int
    account: str
    filename: str
    file_format: str
    created_at: dt.datetime
    imported: int
    duplicates: int
    possible_duplicates: int
    matched: int
    skipped: int
    undone_at: dt.datetime | None


@dataclass(frozen=True)
class UndoPreview:
    """What undoing a batch does: rows removed, hand-typed rows released, rows changed since."""

    batch_id: int
    filename: str
    account: str
    remove: int
    release: int
    edited: int
    reconciled: int

    @property
    def clean(self) -> bool:
        """True when no row was edited or reconciled since the import."""
        return not (self.edited or self.reconciled)

    def describe(self) -> str:
        """One sentence for a confirmation or the command line."""
        text = f"removes {words.count(self.remove, 'transaction')} imported from {self.filename}"
        text += f" into {self.account}"
        if self.release:
            text += f" and unlinks {words.count(self.release, 'hand-typed transaction')} it matched"
        changed = [
            f"{count} {what} since"
            for count, what in ((self.edited, "edited"), (self.reconciled, "reconciled"))
            if count
        ]
        if changed:
            text += f"; {' and '.join(changed)} the import will be lost"
        return text


def list_batches(session: Session, limit: int = 50, offset: int = 0) -> list[BatchInfo]:
    """The newest imports first, with their account names."""
    query = (
        select(ImportBatch, Account.name)
        .join(Account, Account.id == ImportBatch.account_id)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        BatchInfo(
            b.id,
            b.account_id,
            name,
            b.filename,
            b.file_format,
            b.created_at,
            b.imported,
            b.duplicates,
            b.possible_duplicates,
            b.matched,
            b.skipped,
            b.undone_at,
        )
        for b, name in session.execute(query)
    ]


def _batch(session: Session, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise UndoError(f"there is no import {batch_id}")
    if batch.undone_at is not None:
        raise UndoError(f"import {batch_id} was already undone")
    return batch


def preview_undo(session: Session, batch_id: int) -> UndoPreview:
    """What `undo` would do, counted in one query."""
    batch = _batch(session, batch_id)
    # Rows the batch inserted were created with its timestamp; older rows it only claimed.
    inserted = Transaction.created_at >= batch.created_at
    edited = Transaction.updated_at > batch.created_at
    query = select(
        func.count().filter(inserted),
        func.count().filter(~inserted),
        func.count().filter(edited),
        func.count().filter(Transaction.reconciled_on.is_not(None)),
    ).where(Transaction.import_batch_id == batch_id)
    remove, release, changed, reconciled = session.execute(query).one()
    account = session.get(Account, batch.account_id)
    return UndoPreview(
        batch_id,
        batch.filename,
        account.name if account else "?",
        remove,
        release,
        changed,
        reconciled,
    )


def undo(session: Session, batch_id: int, *, force: bool = False) -> UndoPreview:
    """Undo an import in the caller's transaction; refuses when rows changed, unless `force`."""
    preview = preview_undo(session, batch_id)
    if not preview.clean and not force:
        raise UndoError(f"undoing import {batch_id} {preview.describe()}", preview)
    batch = _batch(session, batch_id)
    inserted = Transaction.created_at >= batch.created_at
    ids = session.scalars(
        select(Transaction.id).where(Transaction.import_batch_id == batch_id, inserted)
    ).all()
    session.execute(
        update(Transaction)
        .where(Transaction.import_batch_id == batch_id, ~inserted)
        .values(
            external_id=None,
            import_key=None,
            import_batch_id=None,
            cleared=case((Transaction.reconciled_on.is_not(None), True), else_=False),
        )
    )
    # `force` (or a clean batch) is the person's consent to remove reconciled rows too.
    transactions.delete_transactions(session, ids, confirm_reconciled=True)
    batch = _batch(session, batch_id)
    batch.undone_at = utcnow()
    session.flush()
    return preview
