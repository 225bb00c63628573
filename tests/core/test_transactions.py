"""Writing the ledger: transactions, transfer pairs, splits, tags, bulk edits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import bulk_edits, payees, transactions
from fintrack.models import Account, Category, Split, Tag, Transaction, TransactionTag

DAY = dt.date(2026, 3, 14)


@pytest.fixture
def accounts(session: Session) -> dict[str, int]:
    rows = {
        "checking": Account(name="Checking", currency="EUR"),
        "savings": Account(name="Savings", kind="savings", currency="EUR"),
        "dollars": Account(name="Dollars", currency="USD"),
    }
    session.add_all(rows.values())
    session.flush()
    return {key: row.id for key, row in rows.items()}


@pytest.fixture
def categories(session: Session) -> dict[str, int]:
    food = Category(name="Food")
    session.add(food)
    session.flush()
    rows = {
        "food": food,
        "groceries": Category(name="Groceries", parent_id=food.id),
        "home": Category(name="Home"),
        "salary": Category(name="Salary", kind="income"),
    }
    session.add_all(rows.values())
    session.flush()
    return {key: row.id for key, row in rows.items()}


def expense(account_id: int, amount: int = -1250, **kwargs) -> transactions.TransactionInput:
    return transactions.TransactionInput(account_id=account_id, date=DAY, amount=amount, **kwargs)


def test_create_stores_what_was_entered(session, accounts, categories):
    new_id = transactions.create_transaction(
        session,
        expense(
            accounts["checking"],
            payee="  ALDI SÜD 1234 ",
            category_id=categories["groceries"],
            notes="weekly shop",
            tags=["food", "Food", " "],
        ),
    )
    session.commit()
    row = session.get(Transaction, new_id)
    assert (row.amount, row.date, row.payee, row.payee_norm) == (
        -1250,
        DAY,
        "ALDI SÜD 1234",
        "aldi sud",
    )
    assert row.category_id == categories["groceries"]
    assert [t.name for t in row.tags] == ["food"]
    assert not row.is_split and row.transfer_id is None


def test_unknown_account_or_category_is_refused(session, accounts):
    with pytest.raises(transactions.LedgerError) as error:
        transactions.create_transaction(session, expense(9999))
    assert error.value.field == "account_id"
    with pytest.raises(transactions.LedgerError) as error:
        transactions.create_transaction(session, expense(accounts["checking"], category_id=9999))
    assert error.value.field == "category_id"
    assert session.scalar(select(func.count()).select_from(Transaction)) == 0


def test_float_amount_is_refused(session, accounts):
    with pytest.raises(transactions.LedgerError) as error:
        transactions.create_transaction(session, expense(accounts["checking"], amount=12.5))
    assert error.value.field == "amount"


def test_update_and_delete(session, accounts, categories):
    new_id = transactions.create_transaction(session, expense(accounts["checking"], tags=["trip"]))
    transactions.update_transaction(
        session,
        new_id,
        expense(accounts["savings"], amount=-999, payee="Cafe", category_id=categories["home"]),
    )
    session.commit()
    row = session.get(Transaction, new_id)
    assert (row.account_id, row.amount, row.payee, row.category_id) == (
        accounts["savings"],
        -999,
        "Cafe",
        categories["home"],
    )
    assert row.tags == []
    assert transactions.delete_transaction(session, new_id) == 1
    session.commit()
    assert session.get(Transaction, new_id) is None


def test_splits_must_add_up(session, accounts, categories):
    lines = [
        transactions.SplitInput(categories["groceries"], -1000),
        transactions.SplitInput(categories["home"], -200),
    ]
    with pytest.raises(transactions.LedgerError) as error:
        transactions.create_transaction(session, expense(accounts["checking"], splits=lines))
    assert error.value.field == "splits"
    assert "-€12.00" in error.value.message and "-€12.50" in error.value.message

    lines[1].amount = -250
    new_id = transactions.create_transaction(
        session, expense(accounts["checking"], splits=lines, category_id=categories["food"])
    )
    session.commit()
    row = session.get(Transaction, new_id)
    assert row.is_split and row.category_id is None
    assert sorted(s.amount for s in row.splits) == [-1000, -250]

    transactions.update_transaction(
        session, new_id, expense(accounts["checking"], category_id=categories["home"])
    )
    session.commit()
    assert session.scalar(select(func.count()).select_from(Split)) == 0
    assert not session.get(Transaction, new_id).is_split


def test_transfer_creates_linked_pair(session, accounts):
    out_id, in_id = transactions.create_transfer(
        session, accounts["checking"], accounts["savings"], DAY, 5000, payee="Saving"
    )
    session.commit()
    out, into = session.get(Transaction, out_id), session.get(Transaction, in_id)
    assert (out.amount, into.amount) == (-5000, 5000)
    assert (out.account_id, into.account_id) == (accounts["checking"], accounts["savings"])
    assert out.transfer_id == into.id and into.transfer_id == out.id
    assert out.category_id is None and into.category_id is None


def test_transfer_to_same_account_is_refused(session, accounts):
    with pytest.raises(transactions.LedgerError) as error:
        transactions.create_transfer(session, accounts["checking"], accounts["checking"], DAY, 100)
    assert error.value.field == "transfer_account_id"
    assert session.scalar(select(func.count()).select_from(Transaction)) == 0


def test_transfer_across_currencies_needs_the_other_amount(session, accounts):
    with pytest.raises(transactions.LedgerError) as error:
        transactions.create_transfer(session, accounts["checking"], accounts["dollars"], DAY, 100)
    assert error.value.field == "transfer_amount"
    _, in_id = transactions.create_transfer(
        session, accounts["checking"], accounts["dollars"], DAY, 100, to_amount=108
    )
    assert session.get(Transaction, in_id).amount == 108


def test_editing_either_side_of_a_transfer_changes_both(session, accounts):
    out_id, in_id = transactions.create_transfer(
        session, accounts["checking"], accounts["savings"], DAY, 5000
    )
    later = DAY + dt.timedelta(days=3)
    transactions.update_transaction(
        session,
        in_id,
        transactions.TransactionInput(
            account_id=accounts["savings"],
            date=later,
            amount=7000,
            transfer_account_id=accounts["checking"],
        ),
    )
    session.commit()
    out, into = session.get(Transaction, out_id), session.get(Transaction, in_id)
    assert (out.amount, out.date, into.amount, into.date) == (-7000, later, 7000, later)


def test_deleting_one_side_of_a_transfer_removes_both(session, accounts):
    _, in_id = transactions.create_transfer(
        session, accounts["checking"], accounts["savings"], DAY, 5000
    )
    session.commit()
    assert transactions.delete_transaction(session, in_id) == 2
    session.commit()
    assert session.scalar(select(func.count()).select_from(Transaction)) == 0


def test_tags_are_shared_case_insensitively(session, accounts):
    a = transactions.create_transaction(session, expense(accounts["checking"], tags=["Trip"]))
    b = transactions.create_transaction(
        session, expense(accounts["checking"], tags=["trip", "work"])
    )
    session.commit()
    assert session.scalar(select(func.count()).select_from(Tag)) == 2
    assert session.scalar(select(func.count()).select_from(TransactionTag)) == 3
    assert [t.name for t in session.get(Transaction, a).tags] == ["Trip"]
    assert {t.name for t in session.get(Transaction, b).tags} == {"Trip", "work"}


def test_suggest_category_proposes_the_most_used_one(session, accounts, categories):
    checking = accounts["checking"]
    for category in ("groceries", "groceries", "home"):
        transactions.create_transaction(
            session, expense(checking, payee="ALDI SÜD 1234", category_id=categories[category])
        )
    session.commit()
    assert payees.suggest_category(session, "Aldi Süd 9876") == categories["groceries"]
    assert payees.suggest_category(session, "Unknown shop") is None
    assert payees.payee_names(session, "al") == ["ALDI SÜD 1234"]


def test_payee_suggestions_start_with_the_typed_text_then_most_used(session, accounts):
    for payee, uses in (("Aldi", 1), ("Waldi's Bar", 3), ("Kaufland", 2), ("Café Süd", 1)):
        for _ in range(uses):
            transactions.create_transaction(session, expense(accounts["checking"], payee=payee))
    session.commit()
    assert payees.payee_names(session, "ALDI") == ["Aldi", "Waldi's Bar"]
    assert payees.payee_names(session, "cafe sud") == ["Café Süd"]
    assert payees.payee_names(session) == ["Waldi's Bar", "Kaufland", "Aldi", "Café Süd"]
    assert payees.payee_names(session, "", limit=2) == ["Waldi's Bar", "Kaufland"]
    assert payees.payee_names(session, "100%") == []


def test_cleared_flag_and_reading_back_for_editing(session, accounts, categories):
    out_id, in_id = transactions.create_transfer(
        session, accounts["checking"], accounts["savings"], DAY, 5000, tags=["move"]
    )
    transactions.set_cleared(session, out_id, True)
    session.commit()
    assert (
        transactions.outgoing_side(session, in_id)
        == transactions.outgoing_side(session, out_id)
        == out_id
    )
    loaded = transactions.get_transaction(session, out_id)
    assert (loaded.amount, loaded.cleared, loaded.tags) == (-5000, True, ["move"])
    assert loaded.transfer_account_id == accounts["savings"]


def test_bulk_category_and_tags(session, accounts, categories):
    checking = accounts["checking"]
    plain = [transactions.create_transaction(session, expense(checking)) for _ in range(3)]
    transfer, _ = transactions.create_transfer(session, checking, accounts["savings"], DAY, 100)
    ids = [*plain, transfer]
    assert bulk_edits.set_category(session, ids, categories["home"]) == 3
    assert session.get(Transaction, transfer).category_id is None
    assert bulk_edits.add_tag(session, ids[:2], "Holiday") == 2
    assert bulk_edits.add_tag(session, ids, "holiday") == 2
    assert bulk_edits.remove_tag(session, ids[1:], "HOLIDAY") == 3
    session.commit()
    assert [t.name for t in session.get(Transaction, plain[0]).tags] == ["Holiday"]
    assert session.get(Transaction, plain[1]).tags == []
    with pytest.raises(transactions.LedgerError):
        bulk_edits.set_category(session, ids, 9999)
    for blank in ("", "   "):
        with pytest.raises(transactions.LedgerError, match="Enter a tag") as refused:
            bulk_edits.remove_tag(session, ids, blank)
        assert refused.value.field == "tags"


def test_bulk_delete_takes_both_sides_of_transfers(session, accounts):
    checking = accounts["checking"]
    keep = transactions.create_transaction(session, expense(checking))
    gone = transactions.create_transaction(
        session, expense(checking, splits=[transactions.SplitInput(None, -1250)])
    )
    out_id, _ = transactions.create_transfer(session, checking, accounts["savings"], DAY, 100)
    session.commit()
    assert transactions.delete_transactions(session, [gone, out_id]) == 3
    session.commit()
    assert session.scalars(select(Transaction.id)).all() == [keep]
    assert session.scalar(select(func.count()).select_from(Split)) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -(10**18)}, "amount"),
        ({"date": dt.date(1026, 11, 28)}, "date"),
        ({"date": dt.date(9999, 1, 1)}, "date"),
    ],
)
def test_meaningless_amounts_and_dates_are_refused(session, accounts, changes, field):
    data = expense(accounts["checking"])
    for key, value in changes.items():
        setattr(data, key, value)
    with pytest.raises(transactions.LedgerError) as error:
        transactions.create_transaction(session, data)
    assert error.value.field == field
    assert session.scalar(select(func.count()).select_from(Transaction)) == 0


def test_a_zero_split_line_is_refused(session, accounts, categories):
    data = expense(
        accounts["checking"],
        amount=-500,
        splits=[
            transactions.SplitInput(categories["food"], -500),
            transactions.SplitInput(categories["home"], 0),
        ],
    )
    with pytest.raises(transactions.LedgerError) as error:
        transactions.create_transaction(session, data)
    assert error.value.field == "splits"


def test_rules_categorize_a_hand_entered_transaction_left_uncategorized(
    session, accounts, categories
):
    from fintrack import rules

    rules.save_rule(
        session,
        rules.RuleInput(
            name="Gym", payee_contains="gym", set_category_id=categories["home"], add_tags=["fit"]
        ),
    )
    by_rule = transactions.add_by_hand(session, expense(accounts["checking"], payee="City Gym"))
    chosen = transactions.add_by_hand(
        session, expense(accounts["checking"], payee="City Gym", category_id=categories["food"])
    )

    assert transactions.get_transaction(session, by_rule).category_id == categories["home"]
    assert transactions.get_transaction(session, by_rule).tags == ["fit"]
    # A category the person picked wins: rules only fill what was left empty.
    assert transactions.get_transaction(session, chosen).category_id == categories["food"]
    assert transactions.get_transaction(session, chosen).tags == []
