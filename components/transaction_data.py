"""What the transaction dialog loads and saves (run through the seam, off the event loop)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fintrack import categories, currency, preferences, transactions
from fintrack.accounts import AccountChoice, account_choices

# Where the account of the last transaction saved is kept: a new one starts there unless the
# page says which account it shows.
LAST_ACCOUNT_KEY = "last_account"
# The date of the last new transaction, kept for the rest of the day it was entered on:
# receipts are typed in batches, but tomorrow starts with tomorrow's date.
LAST_DATE_KEY = "last_transaction_date"


@dataclass
class Context:
    """What the dialog shows: the choices, and the transaction when one is edited."""

    accounts: list[AccountChoice]
    categories: list[categories.CategoryOption]
    existing: transactions.TransactionInput | None
    last_account: int | None = None
    last_date: dt.date | None = None
    # What a purchase in another currency cost there: (minor units, currency code).
    original: tuple[int | None, str | None] = (None, None)


def load(s: Session, transaction_id: int | None) -> tuple[int | None, Context]:
    """What the dialog needs; a transfer is always edited from the side the money leaves."""
    if transaction_id is not None:
        transaction_id = transactions.outgoing_side(s, transaction_id)
    return transaction_id, Context(
        accounts=account_choices(s),
        categories=categories.options(s),
        existing=transactions.get_transaction(s, transaction_id) if transaction_id else None,
        last_account=int(preferences.get(s, LAST_ACCOUNT_KEY) or 0) or None,
        last_date=_last_date(preferences.get(s, LAST_DATE_KEY)),
        original=currency.original_of(s, transaction_id) if transaction_id else (None, None),
    )


def _last_date(stored: str | None) -> dt.date | None:
    entered_on, _, day = (stored or "").partition("|")
    if entered_on != dt.date.today().isoformat():
        return None
    return dt.date.fromisoformat(day)


def save_transaction(
    s: Session,
    transaction_id: int | None,
    data: transactions.TransactionInput,
    original: tuple[int | None, str | None] = (None, None),
    *,
    confirm_reconciled: bool = False,
) -> None:
    """Add or update the transaction with its original amount, in one database transaction."""
    if transaction_id is None:
        transaction_id = transactions.add_by_hand(s, data)
        # New ones go to the account used last, unless the list is filtered to another.
        preferences.put(s, LAST_ACCOUNT_KEY, str(data.account_id))
        preferences.put(s, LAST_DATE_KEY, f"{dt.date.today().isoformat()}|{data.date.isoformat()}")
    else:
        transactions.update_transaction(
            s, transaction_id, data, confirm_reconciled=confirm_reconciled
        )
    # A transfer keeps both sides' amounts instead of an original amount.
    kept = (None, None) if data.transfer_account_id is not None else original
    currency.set_original_amount(s, transaction_id, *kept)
