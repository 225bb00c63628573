"""Writing the ledger: transactions, transfers (linked pairs), splits, tags and bulk edits.

Functions here only flush; the caller's session decides when the work is committed, so a
batch (an import, a recurring catch-up) lands as one database transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from fintrack import db, money, payees, periods
from fintrack.errors import InputError
from fintrack.models import Account, Category, Split, Tag, Transaction, TransactionTag

PAYEE_MAX = 255
TAG_MAX = 60


class LedgerError(InputError):
    """Input the ledger refuses; `field` names the input at fault so a form can show it there."""


class ReconciledError(LedgerError):
    """A change to reconciled transactions asked without `confirm_reconciled`."""


@dataclass
class SplitInput:
    """One category line of a split transaction (amount in the account's minor units)."""

    category_id: int | None
    amount: int
    memo: str | None = None


@dataclass
class TransactionInput:
    """Everything a person (or an import, or a schedule) says about one transaction.

    `amount` is in minor units of the account's currency, negative when money leaves the
    account. With `transfer_account_id` the transaction is one side of a transfer and the
    other account gets the opposite amount (or `transfer_amount` when currencies differ).
    With `splits` the lines must add up to `amount` and `category_id` is ignored.
    """

    account_id: int
    date: dt.date
    amount: int
    payee: str = ""
    category_id: int | None = None
    notes: str | None = None
    cleared: bool = False
    tags: list[str] = field(default_factory=list)
    splits: list[SplitInput] = field(default_factory=list)
    transfer_account_id: int | None = None
    transfer_amount: int | None = None
    external_id: str | None = None
    import_key: str | None = None
    import_batch_id: int | None = None


def _account(session: Session, account_id: int | None, name: str = "account_id") -> Account:
    account = session.get(Account, account_id) if account_id is not None else None
    if account is None:
        raise LedgerError(name, "Choose an existing account.")
    return account


def check_category(session: Session, category_id: int | None, name: str = "category_id") -> None:
    if category_id is not None and session.get(Category, category_id) is None:
        raise LedgerError(name, "That category does not exist.")


def _check_amount(value: object, currency: str, name: str = "amount") -> None:
    """A whole, non-zero number of minor units within the sanity bound."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise LedgerError(name, "The amount must be a whole number of minor units.")
    if value == 0:
        raise LedgerError(name, "Enter an amount other than zero.")
    try:
        money.check_bounds(value, currency)
    except money.MoneyError as error:
        raise LedgerError(name, f"The amount is too large: {error}.") from None


def _check_date(value: object) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise LedgerError("date", "Enter a date as YYYY-MM-DD.")
    try:
        periods.check_date(value)
    except ValueError as error:
        raise LedgerError("date", f"{error}.") from None


def clean_tags(names: Iterable[str]) -> list[str]:
    """Tag names trimmed, without blanks and duplicates, in the order given."""
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        if name and name.casefold() not in seen:
            if len(name) > TAG_MAX:
                raise LedgerError("tags", f"A tag has at most {TAG_MAX} characters.")
            seen[name.casefold()] = name
    return list(seen.values())


def _validate(session: Session, data: TransactionInput) -> Account:
    account = _account(session, data.account_id)
    _check_date(data.date)
    _check_amount(data.amount, account.currency)
    if len(data.payee or "") > PAYEE_MAX:
        raise LedgerError("payee", f"The payee has at most {PAYEE_MAX} characters.")
    if data.transfer_account_id is not None:
        if data.transfer_account_id == data.account_id:
            raise LedgerError("transfer_account_id", "A transfer needs two different accounts.")
        other = _account(session, data.transfer_account_id, "transfer_account_id")
        if data.splits:
            raise LedgerError("splits", "A transfer cannot be split.")
        if data.transfer_amount is not None:
            _check_amount(data.transfer_amount, other.currency, "transfer_amount")
        return account
    check_category(session, data.category_id)
    if data.splits:
        for line in data.splits:
            _check_amount(line.amount, account.currency, "splits")
            check_category(session, line.category_id, "splits")
        total = sum(line.amount for line in data.splits)
        if total != data.amount:
            raise LedgerError(
                "splits",
                f"The split lines add up to {money.format_amount(total, account.currency)}, "
                f"not {money.format_amount(data.amount, account.currency)}.",
            )
    return account


def find_tags(session: Session, names: list[str]) -> list[Tag]:
    """Existing tags matched case-insensitively; new ones created."""
    tags = []
    for name in clean_tags(names):
        tag = session.scalar(select(Tag).where(func.lower(Tag.name) == name.lower()))
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
        tags.append(tag)
    return tags


def _apply(session: Session, row: Transaction, data: TransactionInput) -> None:
    """Copy the input onto a row (everything except the transfer link)."""
    row.account_id = data.account_id
    row.date = data.date
    row.amount = data.amount
    row.payee = (data.payee or "").strip()
    row.payee_norm = payees.normalize(row.payee)
    row.notes = (data.notes or "").strip() or None
    row.cleared = bool(data.cleared)
    row.tags = find_tags(session, data.tags)
    is_transfer = data.transfer_account_id is not None
    row.is_split = bool(data.splits) and not is_transfer
    row.category_id = None if (row.is_split or is_transfer) else data.category_id
    row.splits = [
        Split(category_id=line.category_id, amount=line.amount, memo=(line.memo or None))
        for line in (data.splits if row.is_split else [])
    ]
    if data.external_id is not None:
        row.external_id = data.external_id
    if data.import_key is not None:
        row.import_key = data.import_key
    if data.import_batch_id is not None:
        row.import_batch_id = data.import_batch_id


def _counter_amount(session: Session, data: TransactionInput, account: Account) -> int:
    other = _account(session, data.transfer_account_id, "transfer_account_id")
    if data.transfer_amount is not None:
        if (data.transfer_amount < 0) == (data.amount < 0) and data.amount != 0:
            raise LedgerError(
                "transfer_amount", "The other side of a transfer moves the opposite way."
            )
        return data.transfer_amount
    if other.currency != account.currency:
        raise LedgerError(
            "transfer_amount",
            f"{account.name} and {other.name} use different currencies: "
            f"enter the amount in {other.currency}.",
        )
    return -data.amount


def _apply_counterpart(
    session: Session, row: Transaction, data: TransactionInput, amount: int, origin: Transaction
) -> None:
    """The other side of a transfer mirrors date, payee, notes and tags; it keeps its cleared."""
    _apply(
        session,
        row,
        TransactionInput(
            account_id=data.transfer_account_id or 0,
            date=data.date,
            amount=amount,
            payee=data.payee,
            notes=data.notes,
            cleared=row.cleared if row.id is not None else False,
            tags=data.tags,
            transfer_account_id=origin.account_id,
        ),
    )


def create_transaction(session: Session, data: TransactionInput) -> int:
    """Add a transaction (or, with `transfer_account_id`, a transfer pair); returns its id."""
    account = _validate(session, data)
    row = Transaction()
    _apply(session, row, data)
    session.add(row)
    session.flush()
    if data.transfer_account_id is not None:
        other = Transaction(cleared=False)
        _apply_counterpart(session, other, data, _counter_amount(session, data, account), row)
        other.transfer_id = row.id
        session.add(other)
        session.flush()
        row.transfer_id = other.id
        session.flush()
    return row.id


def add_by_hand(session: Session, data: TransactionInput) -> int:
    """Add a transaction a person typed: with the category left empty, the rules categorize,
    tag and rename it as they would an imported one. Returns its id."""
    if data.category_id is None and not data.splits and data.transfer_account_id is None:
        # Imported here: the rules module builds on this one (tag cleaning).
        from fintrack import rules

        compiled = rules.compile_rules(session)
        result = rules.outcome(compiled, data.payee or "", data.amount, data.account_id)
        data = replace(
            data,
            category_id=result.category_id,
            payee=result.payee or data.payee,
            tags=[*data.tags, *result.tags],
        )
    return create_transaction(session, data)


def create_transfer(
    session: Session,
    from_account_id: int,
    to_account_id: int,
    date: dt.date,
    amount: int,
    payee: str = "",
    notes: str | None = None,
    cleared: bool = False,
    tags: Sequence[str] = (),
    to_amount: int | None = None,
) -> tuple[int, int]:
    """Move `amount` (positive, minor units) between two accounts: returns (from id, to id).

    `to_amount` (positive) is what arrives when the accounts use different currencies.
    """
    _check_amount(amount, _account(session, from_account_id).currency)
    if amount < 0:
        raise LedgerError("amount", "Enter the amount moved as a positive number.")
    from_id = create_transaction(
        session,
        TransactionInput(
            account_id=from_account_id,
            date=date,
            amount=-amount,
            payee=payee,
            notes=notes,
            cleared=cleared,
            tags=list(tags),
            transfer_account_id=to_account_id,
            transfer_amount=to_amount,
        ),
    )
    outgoing = session.get(Transaction, from_id)
    assert outgoing is not None and outgoing.transfer_id is not None
    to_id = outgoing.transfer_id
    return from_id, to_id


def _row(session: Session, transaction_id: int, fresh: bool = False) -> Transaction:
    row = session.get(Transaction, transaction_id, populate_existing=fresh)
    if row is None:
        raise LedgerError("id", "That transaction no longer exists.")
    return row


def check_unlocked(
    session: Session, ids: Iterable[int], *, confirm_reconciled: bool = False
) -> int:
    """Refuse a change to reconciled transactions unless `confirm_reconciled`.

    Editing or deleting calls this first: a reconciled row agrees with a bank statement, and
    changing it silently would break that agreement. Returns how many of `ids` are reconciled.
    """
    count = session.scalar(
        select(func.count()).where(
            Transaction.id.in_(list(ids)), Transaction.reconciled_on.is_not(None)
        )
    )
    if count and not confirm_reconciled:
        raise ReconciledError(
            "reconciled",
            f"{count} of these transactions {'was' if count == 1 else 'were'} reconciled with "
            "a bank statement; confirm to change them anyway",
        )
    return int(count or 0)


def update_transaction(
    session: Session,
    transaction_id: int,
    data: TransactionInput,
    *,
    confirm_reconciled: bool = False,
) -> None:
    """Change a transaction; a transfer's other side follows (amount, date, payee, account).

    Setting `transfer_account_id` on a plain transaction makes it a transfer; clearing it on
    a transfer removes the other side. A reconciled transaction changes only with
    `confirm_reconciled`.
    """
    account = _validate(session, data)
    # Lock the row (and a counterpart) until commit: another session changing the same pair
    # waits and then sees this one's counterpart instead of adding a second, orphaned one.
    session.execute(
        select(Transaction.id)
        .where(or_(Transaction.id == transaction_id, Transaction.transfer_id == transaction_id))
        .order_by(Transaction.id)
        .with_for_update()
    ).all()
    row = _row(session, transaction_id, fresh=True)
    check_unlocked(
        session,
        [row.id, *([row.transfer_id] if row.transfer_id else [])],
        confirm_reconciled=confirm_reconciled,
    )
    other = session.get(Transaction, row.transfer_id) if row.transfer_id else None
    if data.transfer_account_id is None:
        _apply(session, row, data)
        if other is not None:
            row.transfer_id = None
            session.flush()
            session.delete(other)
        session.flush()
        return
    if data.transfer_amount is None and other is not None:
        other_account = session.get(Account, data.transfer_account_id)
        if other_account and other_account.currency != account.currency:
            # Keep the exchange the person entered before, scaled to the new amount's sign.
            data.transfer_amount = abs(other.amount) * (1 if data.amount <= 0 else -1)
    amount = _counter_amount(session, data, account)
    _apply(session, row, data)
    if other is None:
        other = Transaction(cleared=False)
        _apply_counterpart(session, other, data, amount, row)
        other.transfer_id = row.id
        session.add(other)
        session.flush()
        row.transfer_id = other.id
    else:
        _apply_counterpart(session, other, data, amount, row)
    session.flush()


def delete_transaction(
    session: Session, transaction_id: int, *, confirm_reconciled: bool = False
) -> int:
    """Delete a transaction and, for a transfer, its other side; returns how many rows went."""
    return delete_transactions(session, [transaction_id], confirm_reconciled=confirm_reconciled)


def delete_transactions(
    session: Session, ids: Iterable[int], *, confirm_reconciled: bool = False
) -> int:
    """Delete transactions (transfers with both sides); returns how many rows went.

    Reconciled ones go only with `confirm_reconciled`."""
    ids = set(ids)
    if not ids:
        return 0
    counterparts = session.scalars(
        select(Transaction.transfer_id).where(
            Transaction.id.in_(ids), Transaction.transfer_id.is_not(None)
        )
    )
    ids |= {i for i in counterparts if i is not None}
    check_unlocked(session, ids, confirm_reconciled=confirm_reconciled)
    session.flush()
    # Unlink first so neither side's foreign key points at a row being removed.
    session.execute(update(Transaction).where(Transaction.id.in_(ids)).values(transfer_id=None))
    session.execute(delete(Split).where(Split.transaction_id.in_(ids)))
    session.execute(delete(TransactionTag).where(TransactionTag.transaction_id.in_(ids)))
    result = session.execute(delete(Transaction).where(Transaction.id.in_(ids)))
    session.expire_all()
    return db.rowcount(result)


def get_transaction(session: Session, transaction_id: int) -> TransactionInput:
    """A stored transaction as the input that would recreate it (for an edit form)."""
    row = _row(session, transaction_id)
    other = session.get(Transaction, row.transfer_id) if row.transfer_id else None
    return TransactionInput(
        account_id=row.account_id,
        date=row.date,
        amount=row.amount,
        payee=row.payee,
        category_id=row.category_id,
        notes=row.notes,
        cleared=row.cleared,
        tags=sorted((tag.name for tag in row.tags), key=str.casefold),
        splits=[SplitInput(s.category_id, s.amount, s.memo) for s in row.splits],
        transfer_account_id=other.account_id if other else None,
        transfer_amount=other.amount if other else None,
    )


def outgoing_side(session: Session, transaction_id: int) -> int:
    """For a transfer, the id of the side money leaves from; any other transaction's own id."""
    row = _row(session, transaction_id)
    if row.transfer_id is not None and row.amount > 0:
        return row.transfer_id
    return row.id


def set_cleared(session: Session, transaction_id: int, cleared: bool) -> None:
    """Mark one transaction (this side only, for a transfer) cleared or not."""
    _row(session, transaction_id).cleared = cleared
    session.flush()


def tag_names(session: Session) -> list[str]:
    """Every tag, alphabetically."""
    return list(session.scalars(select(Tag.name).order_by(func.lower(Tag.name))))
