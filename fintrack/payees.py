"""Payee names as banks write them, reduced to a stable key for matching; the payees typed
before and the category each one usually goes with."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import ColumnElement, case, func, literal, or_, select
from sqlalchemy.orm import Session

from fintrack.flows import not_transfer
from fintrack.models import Transaction

# Card numbers, references and dates that banks append and that change from row to row.
_NOISE = re.compile(r"\b(?:\d{4,}|[a-z]*\d[a-z\d]*\d[a-z\d]*)\b|[^\w\s]")


# Bank files repeat the same few hundred payees across thousands of rows.
@functools.lru_cache(maxsize=4096)
def normalize(payee: str) -> str:
    """`"ALDI SÜD 1234 Berlin "` -> `"aldi sud berlin"`: lower case, no accents, no numbers."""
    text = unicodedata.normalize("NFKD", payee).encode("ascii", "ignore").decode().lower()
    text = _NOISE.sub(" ", text)
    return " ".join(text.split())[:255]


def usual_categories(session: Session, payee_keys: Iterable[str]) -> dict[str, int]:
    """The usual category per normalised payee, in one query for all of them: the one used
    most often with it; ties go to the most recently used, then to the lowest id. The
    transaction dialog and the importer both propose this one."""
    keys = {k for k in payee_keys if k}
    if not keys:
        return {}
    query = (
        select(
            Transaction.payee_norm,
            Transaction.category_id,
            func.count(),
            func.max(Transaction.date),
        )
        .where(Transaction.category_id.is_not(None))
        .group_by(Transaction.payee_norm, Transaction.category_id)
    )
    # A long IN list costs more than grouping everything once (and SQLite caps parameters).
    if len(keys) <= 500:
        query = query.where(Transaction.payee_norm.in_(keys))
    best: dict[str, tuple[int, dt.date, int]] = {}
    for key, category_id, uses, last in session.execute(query):
        if key not in keys or category_id is None:
            continue
        rank = (uses, last, -category_id)
        if key not in best or rank > best[key]:
            best[key] = rank
    return {key: -rank[2] for key, rank in best.items()}


def suggest_category(session: Session, payee: str) -> int | None:
    """The usual category of this payee (see `usual_categories`), or None."""
    key = normalize(payee)
    return usual_categories(session, [key]).get(key)


def payee_names(session: Session, typed: str = "", limit: int = 8) -> list[str]:
    """Payees typed before that contain `typed` (case and accents ignored): those starting
    with it first, then the most used, at most `limit` of them."""
    query = select(Transaction.payee).where(Transaction.payee != "", not_transfer())
    text = " ".join(typed.split()).lower()
    starts: ColumnElement[int] = literal(0)
    if text:
        key = normalize(text)
        found = func.lower(Transaction.payee).contains(text, autoescape=True)
        if key:
            found = or_(found, Transaction.payee_norm.contains(key, autoescape=True))
        query = query.where(found)
        starts = func.max(
            case((func.lower(Transaction.payee).startswith(text, autoescape=True), 1), else_=0)
        )
    query = (
        query.group_by(Transaction.payee)
        .order_by(starts.desc(), func.count(Transaction.id).desc(), Transaction.payee)
        .limit(limit)
    )
    return list(session.scalars(query))
