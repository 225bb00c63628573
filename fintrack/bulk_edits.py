"""Changes to many transactions at once: the transaction list's selection, and rules applied
to what is already booked. One UPDATE, INSERT or DELETE each, whatever the count."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from fintrack import db, transactions
from fintrack.flows import not_transfer
from fintrack.models import Tag, Transaction, TransactionTag


def set_category(session: Session, ids: Iterable[int], category_id: int | None) -> int:
    """Put plain transactions into a category (transfers and splits are left alone)."""
    transactions.check_category(session, category_id)
    result = session.execute(
        update(Transaction)
        .where(
            Transaction.id.in_(set(ids)),
            not_transfer(),
            Transaction.is_split.is_(False),
        )
        .values(category_id=category_id),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()
    return db.rowcount(result)


def add_tag(session: Session, ids: Iterable[int], name: str) -> int:
    """Tag transactions; returns how many gained the tag."""
    names = transactions.clean_tags([name])
    if not names:
        raise transactions.LedgerError("tags", "Enter a tag.")
    (tag,) = transactions.find_tags(session, names)
    session.flush()
    tagged = select(TransactionTag.transaction_id).where(TransactionTag.tag_id == tag.id)
    targets = list(
        session.scalars(
            select(Transaction.id).where(
                Transaction.id.in_(set(ids)), Transaction.id.not_in(tagged)
            )
        )
    )
    if targets:
        session.execute(
            insert(TransactionTag),
            [{"transaction_id": i, "tag_id": tag.id} for i in targets],
        )
    session.expire_all()
    return len(targets)


def remove_tag(session: Session, ids: Iterable[int], name: str) -> int:
    """Remove a tag from transactions; returns how many lost it."""
    name = " ".join(name.split())
    if not name:
        raise transactions.LedgerError("tags", "Enter a tag.")
    tag_ids = select(Tag.id).where(func.lower(Tag.name) == name.lower())
    result = session.execute(
        delete(TransactionTag).where(
            TransactionTag.transaction_id.in_(set(ids)), TransactionTag.tag_id.in_(tag_ids)
        ),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()
    return db.rowcount(result)
