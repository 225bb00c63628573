"""Committing imports: duplicates, overlaps, matches with hand-typed rows, atomicity, rules."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fintrack import bulk, imports, payees, rules
from fintrack.models import Account, Category, ImportBatch, Tag, Transaction, TransactionTag
from tests import builders as build

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def _import(session: Session, account_id: int, text: str, **choices) -> imports.ImportSummary:
    parsed = imports.read(text.encode(), "bank.csv", "EUR")
    summary = imports.commit(session, account_id, parsed, "bank.csv", imports.Choices(**choices))
    session.commit()
    return summary


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Transaction))


def _csv(*rows: str) -> str:
    return "\n".join(["Date,Payee,Amount", *rows]) + "\n"


JANUARY = _csv(
    "2026-01-02,Corner Coffee,-3.50",
    "2026-01-02,Corner Coffee,-3.50",
    "2026-01-05,Rent,-900.00",
    "2026-01-15,Salary,2500.00",
)


def test_identical_rows_both_import_and_reimport_adds_nothing(session: Session) -> None:
    account_id = build.account(session)
    first = _import(session, account_id, JANUARY)
    assert (first.new, first.duplicates) == (4, 0)
    again = _import(session, account_id, JANUARY)
    assert (again.new, again.duplicates) == (0, 4)
    assert _count(session) == 4
    assert session.scalar(select(func.sum(Transaction.amount))) == 159300


def test_overlapping_export_imports_only_the_new_rows(session: Session) -> None:
    account_id = build.account(session)
    _import(session, account_id, JANUARY)
    overlap = _csv(
        "2026-01-02,Corner Coffee,-3.50",
        "2026-01-02,Corner Coffee,-3.50",
        "2026-01-02,Corner Coffee,-3.50",
        "2026-01-15,Salary,2500.00",
        "2026-02-01,Rent,-900.00",
    )
    summary = _import(session, account_id, overlap)
    # The third coffee that day is new; the rest were imported before.
    assert (summary.new, summary.duplicates) == (2, 3)
    assert _count(session) == 6


def test_imported_rows_are_stored_like_rows_saved_one_by_one(session: Session) -> None:
    account_id = build.account(session)
    session.add(Transaction(account_id=account_id, date=dt.date(2026, 1, 1), amount=1, payee="x"))
    session.commit()
    _import(session, account_id, JANUARY)
    stored = session.execute(
        text(
            "SELECT CAST(date AS VARCHAR(40)), CAST(created_at AS VARCHAR(40)), cleared "
            "FROM transactions ORDER BY id"
        )
    ).all()
    by_hand, imported = stored[0], stored[1]
    assert len(imported[0]) == len(by_hand[0]) == 10
    # Same shape apart from the fraction of a second (PostgreSQL trims trailing zeros).
    assert len(re.sub(r"\.\d+", "", imported[1])) == len(re.sub(r"\.\d+", "", by_hand[1]))
    assert str(imported[2]) in {"1", "True", "true"}


def test_same_rows_in_another_account_are_not_duplicates(session: Session) -> None:
    first, second = build.account(session, "A"), build.account(session, "B")
    _import(session, first, JANUARY)
    assert _import(session, second, JANUARY).new == 4


def test_ofx_reimport_is_recognised_by_bank_id(session: Session) -> None:
    account_id = build.account(session, "Card")
    data = (FIXTURES / "ofx2_card.qfx").read_bytes()
    for expected in (4, 0):
        parsed = imports.read(data, "card.qfx", "EUR")
        assert imports.commit(session, account_id, parsed, "card.qfx").new == expected
        session.commit()
    ids = set(session.scalars(select(Transaction.external_id)))
    assert "CC-2026-02-25-7901" in ids and len(ids) == 4


def test_repeated_bank_id_within_a_file_imports_once(session: Session) -> None:
    account_id = build.account(session, "Card")
    data = (FIXTURES / "ofx2_card.qfx").read_bytes()
    parsed = imports.read(data, "card.qfx", "EUR")
    parsed.rows.append(parsed.rows[0])
    summary = imports.commit(session, account_id, parsed, "card.qfx")
    assert (summary.new, summary.duplicates) == (4, 1)


def test_ofx_in_another_currency_is_refused(session: Session) -> None:
    account_id = build.account(session, "Euro account")
    parsed = imports.read((FIXTURES / "ofx1_checking.ofx").read_bytes(), "a.ofx", "EUR")
    with pytest.raises(imports.ImportFileError, match="in USD but Euro account is kept in EUR"):
        imports.commit(session, account_id, parsed, "a.ofx")


def test_hand_typed_transaction_is_matched_not_duplicated(session: Session) -> None:
    account_id = build.account(session)
    typed = Transaction(
        account_id=account_id, date=dt.date(2026, 1, 3), amount=-90000, payee="Landlord"
    )
    session.add(typed)
    session.commit()
    parsed = imports.read(JANUARY.encode(), "bank.csv", "EUR")
    plan = imports.plan(session, account_id, parsed)
    match = next(p for p in plan.rows if p.status == "match")
    assert match.match.id == typed.id
    assert "matches 2026-01-03 Landlord" in match.reason
    summary = imports.commit(session, account_id, parsed, "bank.csv")
    session.commit()
    assert (summary.new, summary.matched) == (3, 1)
    assert _count(session) == 4
    session.refresh(typed)
    assert typed.import_key is not None and typed.payee == "Landlord"
    # Accepted once, the match is a duplicate next time.
    assert _import(session, account_id, JANUARY).duplicates == 4


def test_declined_match_imports_as_new_and_far_dates_never_match(session: Session) -> None:
    account_id = build.account(session)
    session.add_all(
        [
            Transaction(account_id=account_id, date=dt.date(2026, 1, 5), amount=-90000),
            Transaction(account_id=account_id, date=dt.date(2026, 1, 19), amount=250000),
        ]
    )
    session.commit()
    rent_line = 4
    summary = _import(session, account_id, JANUARY, as_new=frozenset({rent_line}))
    assert (summary.new, summary.matched) == (4, 0)
    assert _count(session) == 6


def test_error_on_last_row_leaves_database_untouched(session: Session) -> None:
    account_id = build.account(session)
    session.commit()
    broken = JANUARY + "2026-01-31,Broken,12..00\n"
    parsed = imports.read(broken.encode(), "bank.csv", "EUR")
    assert [e.line for e in parsed.errors] == [6]
    with pytest.raises(imports.ImportFileError, match="nothing was imported"):
        imports.commit(session, account_id, parsed, "bank.csv")
    session.rollback()
    assert _count(session) == 0
    assert session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    summary = _import(session, account_id, broken, skip_errors=True)
    assert (summary.new, summary.skipped) == (4, 1)
    assert str(summary.errors[0]).startswith("line 6:")


def test_failure_while_writing_rolls_back_everything(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = build.account(session)
    session.commit()
    monkeypatch.setattr(bulk, "CHUNK", 2)
    parsed = imports.read(JANUARY.encode(), "bank.csv", "EUR")
    parsed.rows[-1].date = "not a date"  # the second chunk fails after the first was written
    with pytest.raises(Exception):  # noqa: B017 - any database error must roll back the lot
        imports.commit(session, account_id, parsed, "bank.csv")
    session.rollback()
    assert _count(session) == 0


def test_excluded_rows_are_left_out_and_counted(session: Session) -> None:
    account_id = build.account(session)
    summary = _import(session, account_id, JANUARY, excluded=frozenset({2, 3}))
    assert (summary.new, summary.skipped) == (2, 2)
    assert session.get(ImportBatch, summary.batch_id).skipped == 2


def test_rules_then_history_categorize_new_rows(session: Session) -> None:
    account_id = build.account(session)
    housing = Category(name="Housing")
    coffee = Category(name="Coffee")
    session.add_all([housing, coffee])
    session.flush()
    session.add(
        Transaction(
            account_id=account_id,
            date=dt.date(2025, 12, 1),
            amount=-300,
            payee="CORNER COFFEE 0042",
            payee_norm="corner coffee",
            category_id=coffee.id,
        )
    )
    rules.save_rule(
        session,
        rules.RuleInput(
            name="Rent",
            payee_contains="rent",
            set_category_id=housing.id,
            add_tags=["home"],
            rename_payee="Oakwood Apartments",
        ),
    )
    session.commit()
    _import(session, account_id, JANUARY)
    rows = {
        t.payee: t
        for t in session.scalars(select(Transaction).where(Transaction.import_key.is_not(None)))
    }
    assert rows["Oakwood Apartments"].category_id == housing.id
    assert rows["Oakwood Apartments"].payee_norm == "oakwood apartments"
    assert rows["Corner Coffee"].category_id == coffee.id
    assert rows["Salary"].category_id is None
    tagged = session.scalars(
        select(Transaction.payee)
        .join(TransactionTag, TransactionTag.transaction_id == Transaction.id)
        .join(Tag, Tag.id == TransactionTag.tag_id)
        .where(Tag.name == "home")
    ).all()
    assert tagged == ["Oakwood Apartments"]


def test_import_path_creates_the_account_and_reimport_finds_duplicates(session: Session) -> None:
    path = FIXTURES / "uk_headerless_pipe.csv"
    summary = imports.import_path(session, path, "Current", "GBP")
    session.commit()
    account = session.scalar(select(Account).where(Account.name == "Current"))
    assert (account.currency, summary.new) == ("GBP", 3)
    assert imports.import_path(session, path, "Current", "GBP").duplicates == 3


def test_the_dialog_and_the_importer_propose_the_same_usual_category(session: Session) -> None:
    account_id = build.account(session)
    bakery, cafe = Category(name="Bakery"), Category(name="Cafe")
    session.add_all([bakery, cafe])
    session.flush()
    # As often in each category: the most recent use decides, whichever id is lower.
    for day, category in ((1, bakery), (2, bakery), (10, cafe), (11, cafe)):
        session.add(
            Transaction(
                account_id=account_id,
                date=dt.date(2025, 12, day),
                amount=-300,
                payee="Corner Coffee",
                payee_norm="corner coffee",
                category_id=category.id,
            )
        )
    session.flush()

    proposed = payees.suggest_category(session, "Corner Coffee")
    _import(session, account_id, _csv("2026-01-02,Corner Coffee,-3.50"))
    imported = session.scalar(select(Transaction).where(Transaction.date == dt.date(2026, 1, 2)))
    assert proposed == imported.category_id == cafe.id
