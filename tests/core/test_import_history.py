"""Import history and undo, possible duplicates across formats, and edits made in the preview."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import imports, reconcile, transactions
from fintrack.imports import history
from fintrack.models import Category, Transaction
from tests import builders as build

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def _import(
    session: Session, account_id: int, name: str, **choices: object
) -> imports.ImportSummary:
    parsed = imports.read((FIXTURES / name).read_bytes(), name, "USD")
    summary = imports.commit(session, account_id, parsed, name, imports.Choices(**choices))
    session.commit()
    return summary


def _total(session: Session) -> tuple[int, int]:
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Transaction.amount), 0))
    ).one()
    return count, total


def test_undo_removes_exactly_its_rows(session: Session) -> None:
    account_id = build.account(session, currency="USD")
    bofa = _import(session, account_id, "us_checking_bofa.csv")
    march = _import(session, account_id, "us_march_15.ofx")
    assert _total(session) == (22, 136862 + 289689)
    preview = history.preview_undo(session, march.batch_id)
    assert (preview.remove, preview.release, preview.edited, preview.reconciled) == (15, 0, 0, 0)
    history.undo(session, march.batch_id)
    session.commit()
    assert _total(session) == (7, 136862)
    listed = history.list_batches(session)
    assert [(b.id, b.undone_at is not None) for b in listed] == [
        (march.batch_id, True),
        (bofa.batch_id, False),
    ]
    with pytest.raises(history.UndoError, match="already undone"):
        history.undo(session, march.batch_id)


def test_undo_after_a_later_edit_asks_first_and_force_removes_it(session: Session) -> None:
    account_id = build.account(session, currency="USD")
    march = _import(session, account_id, "us_march_15.ofx")
    row_id = session.scalar(select(Transaction.id).where(Transaction.amount == -1549))
    data = transactions.get_transaction(session, row_id)
    data.payee = "Netflix (family plan)"
    transactions.update_transaction(session, row_id, data)
    session.commit()
    with pytest.raises(history.UndoError) as refused:
        history.undo(session, march.batch_id)
    assert "1 edited since the import will be lost" in str(refused.value)
    session.rollback()
    assert _total(session)[0] == 15
    history.undo(session, march.batch_id, force=True)
    session.commit()
    assert _total(session) == (0, 0)


def test_undo_gives_back_hand_typed_rows_it_matched(session: Session) -> None:
    account_id = build.account(session, currency="USD")
    typed = Transaction(
        account_id=account_id, date=dt.date(2026, 3, 4), amount=-120000, payee="Rent March"
    )
    session.add(typed)
    session.commit()
    march = _import(session, account_id, "us_march_15.ofx")
    assert (march.new, march.matched) == (14, 1)
    preview = history.undo(session, march.batch_id)
    session.commit()
    assert (preview.remove, preview.release) == (14, 1)
    session.refresh(typed)
    assert (typed.payee, typed.external_id, typed.import_batch_id) == ("Rent March", None, None)
    assert _total(session) == (1, -120000)


def test_ofx_then_csv_of_the_same_rows_are_possible_duplicates_beside_their_twin(
    session: Session,
) -> None:
    account_id = build.account(session, currency="USD")
    _import(session, account_id, "us_march_15.ofx")
    parsed = imports.read((FIXTURES / "us_march_15.csv").read_bytes(), "march.csv", "USD")
    plan = imports.plan(session, account_id, parsed)
    assert plan.count("possible") == 15
    first = plan.rows[0]
    # The CSV dates some card purchases a day earlier and describes them at more length.
    assert (first.row.date, first.payee) == (
        dt.date(2026, 3, 1),
        "WHOLE FOODS MARKET #10234 POS PURCHASE",
    )
    assert (first.twin.date, first.twin.payee) == (dt.date(2026, 3, 2), "WHOLE FOODS MARKET #10234")
    assert "already holds 2026-03-02 WHOLE FOODS MARKET #10234" in first.reason
    # Each twin stands for one row only: the two coffees pair with the two coffees.
    assert len({p.twin.id for p in plan.rows}) == 15
    kept = imports.commit(
        session, account_id, parsed, "march.csv", imports.Choices(keep_possible={first.row.line})
    )
    session.commit()
    assert (kept.new, kept.possible) == (1, 14)
    assert _total(session)[0] == 16


def test_genuine_twins_inside_one_file_both_import(session: Session) -> None:
    account_id = build.account(session, currency="USD")
    text = "Date,Payee,Amount\n2026-03-02,Coffee,-3.50\n2026-03-02,Coffee,-3.50\n"
    parsed = imports.read(text.encode(), "a.csv", "USD")
    assert imports.commit(session, account_id, parsed, "a.csv").new == 2
    session.commit()
    # A later export of another format holding three: one more is new, two are possible.
    more = (
        "Date,Description,Amount\n"
        "2026-03-02,COFFEE SHOP 1,-3.50\n2026-03-02,COFFEE SHOP 1,-3.50\n"
        "2026-03-03,COFFEE SHOP 1,-3.50\n"
    )
    plan = imports.plan(session, account_id, imports.read(more.encode(), "b.csv", "USD"))
    assert [p.status for p in plan.rows] == ["possible", "possible", "new"]


def test_preview_edits_set_payee_and_category(session: Session) -> None:
    account_id = build.account(session, currency="USD")
    food = Category(name="Groceries", kind="expense")
    session.add(food)
    session.flush()
    parsed = imports.read((FIXTURES / "us_march_15.ofx").read_bytes(), "m.ofx", "USD")
    line = parsed.rows[0].line
    choices = imports.Choices(payees={line: "  Whole Foods  "}, categories={line: food.id})
    imports.commit(session, account_id, parsed, "m.ofx", choices)
    session.commit()
    row = session.scalar(select(Transaction).where(Transaction.amount == -5423))
    assert (row.payee, row.category_id, row.notes) == ("Whole Foods", food.id, "POS PURCHASE")


def test_file_balance_is_compared_with_the_account(session: Session) -> None:
    account_id = build.account(session, currency="USD")
    session.add(Transaction(account_id=account_id, date=dt.date(2026, 2, 1), amount=-3111))
    session.commit()
    summary = _import(session, account_id, "us_march_15.ofx")
    assert summary.balance_check == ("the bank says 2,896.89 on 2026-03-31; fintrack says 2,865.78")


def test_reconciled_rows_refuse_changes_without_consent(session: Session) -> None:
    account_id = build.account(session, currency="USD")
    march = _import(session, account_id, "us_march_15.ofx")
    assert reconcile.commit(session, account_id, 289689, dt.date(2026, 3, 31)) == 15
    ids = session.scalars(select(Transaction.id)).all()
    with pytest.raises(transactions.ReconciledError, match="15 of these"):
        transactions.check_unlocked(session, ids)
    assert transactions.check_unlocked(session, ids, confirm_reconciled=True) == 15
    # Reconciling is no edit: undo names it as what it is.
    preview = history.preview_undo(session, march.batch_id)
    assert (preview.edited, preview.reconciled) == (0, 15)
