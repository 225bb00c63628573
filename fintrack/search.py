"""Finding transactions: the filters and the search language (read in `fintrack.query`) as
SQL conditions on `transactions`.

Amount bounds compare sizes (the sign is ignored), so `amount:>50` finds both a 60 expense
and a 60 refund; `is:expense` and `is:income` give the direction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    and_,
    case,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from fintrack import categories, money, payees
from fintrack.filters import TransactionFilters
from fintrack.flows import not_transfer
from fintrack.models import Account, Split, Tag, Transaction, TransactionTag
from fintrack.query import BOUND_DIGITS, AmountRange, Term, parse_query

# Free text is matched in payee and notes through this one expression, which PostgreSQL's
# trigram index (migration 0002) covers; spaces are literals so the planner matches the index.
_SPACE: ColumnClause[str] = literal_column("' '")
SEARCH_TEXT = func.lower(
    Transaction.payee
    + _SPACE
    + Transaction.payee_norm
    + _SPACE
    + func.coalesce(Transaction.notes, literal_column("''"))
)


def account_currencies(session: Session) -> dict[int, str]:
    """Each account's currency (a handful of rows), so filters need no join per transaction."""
    return {i: c for i, c in session.execute(select(Account.id, Account.currency))}


def _amount_condition(bounds: AmountRange, currencies: dict[int, str]) -> ColumnElement[bool]:
    """Sizes compared exactly: bounds are in hundredths, each account scales to its minor unit."""
    odd = {i: 10 ** money.minor_digits(c) for i, c in currencies.items()}
    odd = {i: scale for i, scale in odd.items() if scale != 10**BOUND_DIGITS}
    scale: Any = (
        case(odd, value=Transaction.account_id, else_=10**BOUND_DIGITS) if odd else 10**BOUND_DIGITS
    )
    size = func.abs(Transaction.amount) * 10**BOUND_DIGITS
    parts = []
    if bounds.low is not None:
        low = bounds.low * scale
        parts.append(size > low if bounds.low_open else size >= low)
    if bounds.high is not None:
        high = bounds.high * scale
        parts.append(size < high if bounds.high_open else size <= high)
    return and_(*parts)


def _in_categories(ids: list[int]) -> ColumnElement[bool]:
    """Booked on one of the categories, or a split with a line in one of them."""
    if not ids:
        return false()
    lines = select(Split.transaction_id).where(Split.category_id.in_(ids))
    booked = and_(Transaction.category_id.is_not(None), Transaction.category_id.in_(ids))
    return or_(booked, Transaction.id.in_(lines))


def _has_tag(names: list[str]) -> ColumnElement[bool]:
    lowered = [" ".join(n.split()).lower() for n in names]
    tagged = (
        select(TransactionTag.transaction_id)
        .join(Tag, Tag.id == TransactionTag.tag_id)
        .where(func.lower(Tag.name).in_(lowered))
    )
    return Transaction.id.in_(tagged)


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    return func.lower(column).contains(text.lower(), autoescape=True)


def _text_matches(text: str, paths: list[categories.CategoryOption]) -> ColumnElement[bool]:
    """The words in payee or notes (as typed or in the accent-free payee key), or in the path
    of the category booked or split into (`grocer` finds what is under Food › Groceries)."""
    key = payees.normalize(text)
    matches = [SEARCH_TEXT.contains(text.lower(), autoescape=True)]
    if key and key != text.lower():
        matches.append(SEARCH_TEXT.contains(key, autoescape=True))
    wanted = text.casefold()
    named = [
        o.id
        for o in paths
        if wanted in o.path.casefold() or (key and key in payees.normalize(o.path))
    ]
    if named:
        matches.append(_in_categories(named))
    return or_(*matches)


def _payee_matches(text: str) -> ColumnElement[bool]:
    key = payees.normalize(text)
    plain = _contains(Transaction.payee, text)
    return or_(plain, Transaction.payee_norm.contains(key, autoescape=True)) if key else plain


def _category_ids_named(session: Session, name: str) -> list[int]:
    """Categories called `name` (or, failing that, containing it), with their sub-categories."""
    wanted = name.strip().casefold()
    options = categories.options(session)
    matches = [o.id for o in options if o.name.casefold() == wanted] or [
        o.id for o in options if wanted in o.name.casefold()
    ]
    ids: set[int] = set()
    for category_id in matches:
        ids.update(categories.subtree_ids(session, category_id))
    return sorted(ids)


def _state(value: str) -> ColumnElement[bool]:
    """`is:expense` (money out), `is:income` (money in), `is:uncleared`, `is:cleared`."""
    if value == "expense":
        return Transaction.amount < 0
    if value == "income":
        return Transaction.amount > 0
    return Transaction.cleared.is_(value == "cleared")


def _term_condition(
    session: Session, term: Term, currencies: dict[int, str]
) -> ColumnElement[bool]:
    values = term.values
    if term.field == "text":
        paths = categories.options(session)
        options = [_text_matches(str(v), paths) for v in values]
    elif term.field == "payee":
        options = [_payee_matches(str(v)) for v in values]
    elif term.field == "account":
        named = [_contains(Account.name, str(v)) for v in values]
        options = [Transaction.account_id.in_(select(Account.id).where(or_(*named)))]
    elif term.field == "category":
        ids = sorted({i for v in values for i in _category_ids_named(session, str(v))})
        options = [_in_categories(ids)]
    elif term.field == "tag":
        options = [_has_tag([str(v) for v in values])]
    elif term.field == "amount":
        options = [_amount_condition(v, currencies) for v in values if isinstance(v, AmountRange)]
    elif term.field == "is":
        options = [_state(str(v)) for v in values]
    elif term.field == "after":
        options = [Transaction.date >= v for v in values]
    else:
        options = [Transaction.date <= v for v in values]
    condition = or_(*options)
    return not_(condition) if term.negated else condition


def conditions(session: Session, filters: TransactionFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions on `transactions` alone (raises QueryError on a bad search text)."""
    currencies = account_currencies(session)
    where: list[ColumnElement[bool]] = []
    if filters.start:
        where.append(Transaction.date >= filters.start)
    if filters.end:
        where.append(Transaction.date <= filters.end)
    if filters.account_ids:
        where.append(Transaction.account_id.in_(filters.account_ids))
    if filters.category_id is not None:
        where.append(_in_categories(categories.subtree_ids(session, filters.category_id)))
    if filters.tag:
        where.append(_has_tag([filters.tag]))
    if filters.amount_min is not None or filters.amount_max is not None:
        bounds = AmountRange(filters.amount_min, filters.amount_max)
        where.append(_amount_condition(bounds, currencies))
    if filters.uncategorized:
        where.append(
            and_(
                Transaction.category_id.is_(None),
                Transaction.is_split.is_(False),
                not_transfer(),
            )
        )
    for term in parse_query(filters.text).terms:
        where.append(_term_condition(session, term, currencies))
    return where
