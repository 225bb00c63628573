"""Reconciliation: the bank's balance at a date against the cleared transactions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fintrack import reconcile, transactions
from fintrack.models import Account, Transaction

DAY = dt.date(2026, 3, 31)


def _ledger(session: Session, kind: str = "checking") -> int:
    account = Account(name="Checking", currency="EUR", kind=kind, opening_balance=10000)
    session.add(account)
    session.flush()
    rows = [
        (dt.date(2026, 3, 1), -2500, True, "Grocer"),
        (dt.date(2026, 3, 10), 150000, True, "Salary"),
        (dt.date(2026, 3, 29), -4000, False, "Cheque 1043"),
        (dt.date(2026, 3, 30), -999, False, "Streaming"),
        (dt.date(2026, 4, 2), -7000, False, "After the statement"),
    ]
    session.add_all(
        Transaction(account_id=account.id, date=d, amount=a, cleared=c, payee=p)
        for d, a, c, p in rows
    )
    session.commit()
    return account.id


def test_difference_and_the_uncleared_rows_that_may_explain_it(session: Session) -> None:
    account_id = _ledger(session)
    result = reconcile.reconciliation(session, account_id, 152500, DAY)
    assert result.cleared_balance == 10000 - 2500 + 150000
    assert result.difference == 152500 - 157500
    assert [(u.payee, u.amount) for u in result.uncleared] == [
        ("Streaming", -999),
        ("Cheque 1043", -4000),
    ]
    assert (result.uncleared_count, result.uncleared_total, result.to_reconcile) == (2, -4999, 2)
    assert result.describe() == (
        "Checking on 2026-03-31: the bank says €1,525.00; cleared in fintrack €1,575.00; "
        "difference -€50.00"
    )


def test_commit_refuses_a_difference_then_reconciles_at_zero(session: Session) -> None:
    account_id = _ledger(session)
    with pytest.raises(reconcile.ReconcileError, match=r"difference is -€50\.00"):
        reconcile.commit(session, account_id, 152500, DAY)
    # The statement shows the cheque: ticking it changes the difference to what is left.
    cheque = session.scalar(select(Transaction.id).where(Transaction.payee == "Cheque 1043"))
    reconcile.mark_cleared(session, account_id, [cheque], True)
    result = reconcile.reconciliation(session, account_id, 152500, DAY)
    assert result.difference == -1000
    assert reconcile.commit(session, account_id, 153500, DAY) == 3
    session.commit()
    reconciled = session.scalars(
        select(Transaction.payee).where(Transaction.reconciled_on == DAY).order_by(Transaction.id)
    ).all()
    assert reconciled == ["Grocer", "Salary", "Cheque 1043"]
    # Reconciled rows stay ticked: un-ticking one changes nothing.
    reconcile.mark_cleared(session, account_id, [cheque], False)
    assert session.get(Transaction, cheque).cleared is True
    assert reconcile.reconciliation(session, account_id, 153500, DAY).to_reconcile == 0


def test_a_card_statement_is_typed_as_the_amount_owed(session: Session) -> None:
    account_id = _ledger(session, kind="credit_card")
    account = session.get(Account, account_id)
    assert reconcile.statement_amount(account, 5000) == -5000
    assert reconcile.statement_amount(session.get(Account, account_id), -5000) == 5000


def test_check_unlocked_passes_rows_that_are_not_reconciled(session: Session) -> None:
    account_id = _ledger(session)
    ids = session.scalars(select(Transaction.id).where(Transaction.account_id == account_id))
    assert transactions.check_unlocked(session, list(ids)) == 0


def test_a_reconciled_transaction_is_edited_or_deleted_only_with_consent(
    session: Session,
) -> None:
    account_id = _ledger(session)
    reconcile.commit(session, account_id, 157500, DAY)
    session.commit()
    grocer = session.scalars(select(Transaction).where(Transaction.payee == "Grocer")).one()
    data = transactions.get_transaction(session, grocer.id)
    data.payee = "Grocer (edited)"

    with pytest.raises(transactions.ReconciledError, match="reconciled with a bank statement"):
        transactions.update_transaction(session, grocer.id, data)
    with pytest.raises(transactions.ReconciledError):
        transactions.delete_transaction(session, grocer.id)
    session.rollback()
    assert session.get(Transaction, grocer.id).payee == "Grocer"

    transactions.update_transaction(session, grocer.id, data, confirm_reconciled=True)
    assert session.get(Transaction, grocer.id).payee == "Grocer (edited)"
    assert transactions.delete_transaction(session, grocer.id, confirm_reconciled=True) == 1
