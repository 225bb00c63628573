"""Finding transactions: filters (the URL contract), the search language as SQL (the
language itself is read in `query`), paged lists, sums.

Everything is computed in SQL: pages are LIMIT/OFFSET with `id` as the tie-breaker, sums are
one GROUP BY per currency. Amount bounds compare sizes (the sign is ignored), so `amount:>50`
finds both a 60 expense and a 60 refund; `is:expense` and `is:income` give the direction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal_column, not_, or_, select
from sqlalchemy.orm import Session, aliased

from fintrack import categories, money, payees, periods
from fintrack.models import Account, Split, Tag, Transaction, TransactionTag
from fintrack.query import BOUND_DIGITS, AmountRange, Term, parse_query
from fintrack.query import QueryError as QueryError

SORTS = ("date", "amount", "payee")
PAGE_SIZES = (25, 50, 100, 250)
# Free text is matched in payee and notes through this one expression, which PostgreSQL's
# trigram index (migration 0002) covers; spaces are literals so the planner matches the index.
_SPACE = literal_column("' '")
SEARCH_TEXT = func.lower(
    Transaction.payee
    + _SPACE
    + Transaction.payee_norm
    + _SPACE
    + func.coalesce(Transaction.notes, literal_column("''"))
)
# URL parameters past these limits are ignored: ids are 32-bit, and an id or a page beyond
# them would overflow the database's integers instead of finding nothing.
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000
MAX_PARAM_LENGTH = 500


def whole_number(text: str, maximum: int) -> int | None:
    """A whole number from 1 to `maximum` written in ASCII digits (not `²` or `٣`), else None."""
    text = text.strip()
    if not text or len(text) > len(str(maximum)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= maximum else None


def page_number(text: str) -> int:
    """The page a URL asks for; 1 when it asks for none or for something unreadable."""
    return whole_number(text, MAX_PAGE) or 1


def page_size(text: str, default: int) -> int:
    """The page size a URL asks for when it is one of PAGE_SIZES, else `default`."""
    size = whole_number(text, max(PAGE_SIZES))
    return size if size in PAGE_SIZES else default


def _without_nul(text: str) -> str:
    # PostgreSQL refuses NUL in text; nobody means one.
    return text.replace("\x00", "")


@dataclass
class Filters:
    """What the transaction list is narrowed to (the `/transactions` URL parameters)."""

    start: dt.date | None = None
    end: dt.date | None = None
    account_ids: list[int] = field(default_factory=list)
    category_id: int | None = None
    tag: str | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    uncategorized: bool = False
    text: str = ""
    period: str | None = None

    def __post_init__(self) -> None:
        self.text = _without_nul(self.text)
        self.tag = _without_nul(self.tag) if self.tag else self.tag

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any], today: dt.date | None = None) -> Filters:
        """Filters from URL parameters; values that cannot be read are ignored, so no address
        can make a page fail: ids and numbers in ASCII digits within range, text without NUL
        and at most MAX_PARAM_LENGTH characters."""

        def get(name: str) -> str:
            value = params.get(name)
            text = _without_nul(str(value)).strip() if value is not None else ""
            return text[:MAX_PARAM_LENGTH]

        filters = cls(
            text=get("q"), tag=get("tag") or None, uncategorized=get("uncategorized") == "1"
        )
        if get("period") in periods.PRESETS:
            filters.period = get("period")
            span = periods.preset(filters.period, today)
            filters.start, filters.end = span.start, span.end
        for name in ("start", "end"):
            if get(name):
                try:
                    setattr(filters, name, periods.parse_date(get(name)))
                    filters.period = None
                except ValueError:
                    pass
        accounts = (whole_number(p, MAX_ID) for p in get("account").split(","))
        filters.account_ids = [i for i in accounts if i is not None]
        filters.category_id = whole_number(get("category"), MAX_ID)
        for name, attr in (("min", "amount_min"), ("max", "amount_max")):
            if get(name):
                with contextlib.suppress(money.MoneyError):  # it also refuses oversize amounts
                    setattr(filters, attr, abs(money.parse_amount(get(name), "EUR")))
        return filters

    def to_query_params(self) -> dict[str, str]:
        """The URL parameters that give these filters back (empty ones left out)."""
        params: dict[str, str] = {}
        if self.text.strip():
            params["q"] = self.text.strip()
        if self.period:
            params["period"] = self.period
        else:
            if self.start:
                params["start"] = self.start.isoformat()
            if self.end:
                params["end"] = self.end.isoformat()
        if self.account_ids:
            params["account"] = ",".join(str(i) for i in self.account_ids)
        if self.category_id is not None:
            params["category"] = str(self.category_id)
        if self.tag:
            params["tag"] = self.tag
        if self.uncategorized:
            params["uncategorized"] = "1"
        if self.amount_min is not None:
            params["min"] = money.format_plain(self.amount_min, "EUR")
        if self.amount_max is not None:
            params["max"] = money.format_plain(self.amount_max, "EUR")
        return params


@dataclass(frozen=True)
class TransactionRow:
    """One line of the transaction list."""

    id: int
    date: dt.date
    account_id: int
    account: str
    currency: str
    payee: str
    category_id: int | None
    category: str
    amount: int
    notes: str | None
    tags: list[str]
    cleared: bool
    is_split: bool
    transfer_id: int | None
    transfer_account: str | None
    # What a purchase in another currency cost there; a transfer's other side.
    original_amount: int | None = None
    original_currency: str | None = None
    transfer_amount: int | None = None
    transfer_currency: str | None = None


@dataclass(frozen=True)
class TransactionPage:
    """One page of rows and how many rows match in all."""

    rows: list[TransactionRow]
    total: int


@dataclass(frozen=True)
class Summary:
    """Sums of the filtered rows in one currency; transfers count in `count` but not in money."""

    currency: str
    count: int
    inflow: int
    outflow: int
    net: int


def _currencies(session: Session) -> dict[int, str]:
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


def conditions(session: Session, filters: Filters) -> list[ColumnElement[bool]]:
    """WHERE conditions on `transactions` alone (raises QueryError on a bad search text)."""
    currencies = _currencies(session)
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
                Transaction.transfer_id.is_(None),
            )
        )
    for term in parse_query(filters.text).terms:
        where.append(_term_condition(session, term, currencies))
    return where


def _order(sort: str, descending: bool, currencies: dict[int, str]) -> list[Any]:
    # The normalized payee has an index, so sorting by payee stays fast on large ledgers.
    column = {"amount": _comparable_amount(currencies), "payee": Transaction.payee_norm}.get(
        sort, Transaction.date
    )
    columns = [column, Transaction.id]
    return [c.desc() if descending else c.asc() for c in columns]


def _comparable_amount(currencies: dict[int, str]) -> Any:
    """Amounts on one scale across currencies: minor units scaled up to the finest minor unit,
    so 1,000 JPY sorts with 1,000.00 EUR, not with 10.00 EUR. Exact integers, no float."""
    digits = {i: money.minor_digits(c) for i, c in currencies.items()}
    finest = max(digits.values(), default=BOUND_DIGITS)
    factors = {i: 10 ** (finest - d) for i, d in digits.items() if d != finest}
    if not factors:
        return Transaction.amount
    return Transaction.amount * case(factors, value=Transaction.account_id, else_=1)


def list_transactions(
    session: Session,
    filters: Filters,
    page: int = 1,
    page_size: int = 50,
    sort: str = "date",
    descending: bool = True,
) -> TransactionPage:
    """One page of matching transactions, sorted by date, amount or payee (then by id).

    The page's ids come from a narrow query on `transactions` alone (index-friendly); only
    those rows are then read with their accounts, transfer counterparts and tags.
    """
    where = conditions(session, filters)
    total = session.scalar(select(func.count(Transaction.id)).where(*where)) or 0
    return _page(session, where, int(total), page, page_size, sort, descending)


def find(
    session: Session,
    filters: Filters,
    page: int = 1,
    page_size: int = 50,
    sort: str = "date",
    descending: bool = True,
) -> tuple[TransactionPage, list[Summary]]:
    """`list_transactions` and `summarize` together, as the transaction list shows them: the
    filters become SQL once and the sums' counts give the total, so the matching rows are
    counted once instead of twice."""
    where = conditions(session, filters)
    summaries = _summaries(session, filters, where)
    total = sum(summary.count for summary in summaries)
    return _page(session, where, total, page, page_size, sort, descending), summaries


def _page(
    session: Session,
    where: list[ColumnElement[bool]],
    total: int,
    page: int,
    page_size: int,
    sort: str,
    descending: bool,
) -> TransactionPage:
    page, page_size = max(1, page), max(1, min(page_size, max(PAGE_SIZES)))
    ids = list(
        session.scalars(
            select(Transaction.id)
            .where(*where)
            .order_by(*_order(sort, descending, _currencies(session)))
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    if not ids:
        return TransactionPage([], total)
    other = aliased(Transaction)
    other_account = aliased(Account)
    found = {
        row[0].id: row
        for row in session.execute(
            select(
                Transaction,
                Account.name,
                Account.currency,
                other_account.name,
                other.amount,
                other_account.currency,
            )
            .join(Account, Account.id == Transaction.account_id)
            .outerjoin(other, other.id == Transaction.transfer_id)
            .outerjoin(other_account, other_account.id == other.account_id)
            .where(Transaction.id.in_(ids))
        )
    }
    tags: dict[int, list[str]] = {}
    pairs = session.execute(
        select(TransactionTag.transaction_id, Tag.name)
        .join(Tag, Tag.id == TransactionTag.tag_id)
        .where(TransactionTag.transaction_id.in_(ids))
        .order_by(func.lower(Tag.name))
    )
    for transaction_id, name in pairs:
        tags.setdefault(transaction_id, []).append(name)
    paths = _category_paths(session, [row[0].category_id for row in found.values()])
    rows = []
    for transaction_id in ids:
        t, account, currency, counterpart, other_amount, other_currency = found[transaction_id]
        rows.append(
            TransactionRow(
                id=t.id,
                date=t.date,
                account_id=t.account_id,
                account=account,
                currency=currency,
                payee=t.payee,
                category_id=t.category_id,
                category=paths.get(t.category_id, "") if t.category_id else "",
                amount=t.amount,
                notes=t.notes,
                tags=tags.get(t.id, []),
                cleared=t.cleared,
                is_split=t.is_split,
                transfer_id=t.transfer_id,
                transfer_account=counterpart,
                original_amount=t.original_amount,
                original_currency=t.original_currency,
                transfer_amount=other_amount,
                transfer_currency=other_currency,
            )
        )
    return TransactionPage(rows, total)


def _category_paths(session: Session, ids: list[int | None]) -> dict[int, str]:
    if not any(ids):
        return {}
    return categories.CategoryTree.load(session).paths()


def summarize(session: Session, filters: Filters) -> list[Summary]:
    """Count, money in, money out and net of the matching rows, per currency.

    A split counts each line by its own direction; with a category filter only its lines in
    that category, as reports do.
    One GROUP BY per account in SQL; the few account lines are then added up per currency.
    """
    return _summaries(session, filters, conditions(session, filters))


def _summaries(
    session: Session, filters: Filters, where: list[ColumnElement[bool]]
) -> list[Summary]:
    # A split counts each line by its own direction (a -60 line and a +10 line are 60 out and
    # 10 in, as reports count them); with a category filter only its lines in the categories.
    lines = select(
        Split.transaction_id,
        func.sum(case((Split.amount > 0, Split.amount), else_=0)).label("line_in"),
        func.sum(case((Split.amount < 0, Split.amount), else_=0)).label("line_out"),
    )
    if filters.category_id is not None:
        lines = lines.where(
            Split.category_id.in_(categories.subtree_ids(session, filters.category_id))
        )
    shares = lines.group_by(Split.transaction_id).subquery()
    plain = and_(Transaction.transfer_id.is_(None), Transaction.is_split.is_(False))
    inflow = func.sum(
        case(
            (Transaction.is_split, func.coalesce(shares.c.line_in, 0)),
            (and_(plain, Transaction.amount > 0), Transaction.amount),
            else_=0,
        )
    )
    outflow = func.sum(
        case(
            (Transaction.is_split, func.coalesce(shares.c.line_out, 0)),
            (and_(plain, Transaction.amount < 0), Transaction.amount),
            else_=0,
        )
    )
    # "+ 0" keeps SQLite from walking the account index row by row: a plain scan is 3x faster.
    account = (Transaction.account_id + 0).label("account")
    query = (
        select(account, func.count(Transaction.id), inflow, outflow)
        .outerjoin(shares, shares.c.transaction_id == Transaction.id)
        .where(*where)
        .group_by(account)
    )
    currencies = _currencies(session)
    sums: dict[str, list[int]] = {}
    for account_id, count, money_in, money_out in session.execute(query):
        line = sums.setdefault(currencies[account_id], [0, 0, 0])
        line[0] += int(count)
        line[1] += int(money_in or 0)
        line[2] += int(money_out or 0)
    return [
        Summary(currency, count, money_in, money_out, money_in + money_out)
        for currency, (count, money_in, money_out) in sorted(sums.items())
    ]


@dataclass(frozen=True)
class AccountChoice:
    """An account as pickers show it."""

    id: int
    name: str
    currency: str
    archived: bool


def account_choices(session: Session, open_only: bool = False) -> list[AccountChoice]:
    """Every account (or only the open ones), open ones first, by name."""
    query = select(Account.id, Account.name, Account.currency, Account.archived).order_by(
        Account.archived, func.lower(Account.name)
    )
    if open_only:
        query = query.where(Account.archived.is_(False))
    return [AccountChoice(*row) for row in session.execute(query)]
