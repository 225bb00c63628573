"""Categorization rules: validation, order, testing against and applying to transactions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from fintrack import imports, payees, rules
from fintrack.models import Account, Category, Tag, Transaction, TransactionTag


@pytest.fixture
def world(session: Session) -> dict:
    checking = Account(name="Checking", currency="EUR")
    card = Account(name="Card", currency="EUR")
    food = Category(name="Food")
    travel = Category(name="Travel")
    session.add_all([checking, card, food, travel])
    session.flush()
    rows = [
        (checking, "2026-01-02", -1250, "REWE Markt 1234"),
        (checking, "2026-01-03", -4500, "rewe city"),
        (card, "2026-01-04", -899, "REWE To Go"),
        (checking, "2026-01-05", -2500, "Deutsche Bahn 8812"),
        (checking, "2026-01-06", 250000, "Salary"),
    ]
    for account, day, amount, payee in rows:
        session.add(
            Transaction(
                account_id=account.id,
                date=dt.date.fromisoformat(day),
                amount=amount,
                payee=payee,
                payee_norm=payee.lower(),
            )
        )
    session.commit()
    return {"checking": checking.id, "card": card.id, "food": food.id, "travel": travel.id}


def test_invalid_rules_name_the_field_at_fault(session: Session, world: dict) -> None:
    cases = [
        (rules.RuleInput(name=" ", payee_contains="x", set_category_id=world["food"]), "name"),
        (
            rules.RuleInput(name="r", payee_regex="rewe(", set_category_id=world["food"]),
            "payee_regex",
        ),
        (
            rules.RuleInput(name="r", amount_min=500, amount_max=100, add_tags=["x"]),
            "amount_max",
        ),
        (rules.RuleInput(name="r", set_category_id=world["food"]), "payee_contains"),
        (rules.RuleInput(name="r", payee_contains="rewe"), "set_category_id"),
    ]
    for data, field in cases:
        with pytest.raises(rules.RuleError) as caught:
            rules.save_rule(session, data)
        assert caught.value.field == field
    assert "Not a valid pattern" in rules.regex_problem("rewe(")
    assert rules.list_rules(session) == []


def test_rules_listed_by_priority_and_edited_in_place(session: Session, world: dict) -> None:
    late = rules.save_rule(
        session, rules.RuleInput(name="Late", priority=200, payee_contains="a", add_tags=["x"])
    )
    rules.save_rule(
        session, rules.RuleInput(name="Early", priority=10, payee_contains="b", add_tags=["y"])
    )
    assert [r.name for r in rules.list_rules(session)] == ["Early", "Late"]
    changed = rules.get_rule(session, late)
    changed.priority = 1
    changed.add_tags = ["x", " X ", "trip"]
    rules.save_rule(session, changed)
    listed = rules.list_rules(session)
    assert [r.name for r in listed] == ["Late", "Early"]
    assert listed[0].add_tags == ["x", "trip"]
    rules.delete_rule(session, late)
    assert [r.name for r in rules.list_rules(session)] == ["Early"]


def test_first_rule_decides_category_and_tags_accumulate(session: Session, world: dict) -> None:
    for name, priority, category, tags in (
        ("Groceries", 10, world["food"], ["shop"]),
        ("Everything", 20, world["travel"], ["all"]),
    ):
        rules.save_rule(
            session,
            rules.RuleInput(
                name=name,
                priority=priority,
                payee_regex="rewe|bahn" if name == "Everything" else None,
                payee_contains="REWE" if name == "Groceries" else None,
                set_category_id=category,
                add_tags=tags,
            ),
        )
    compiled = rules.compile_rules(session)
    result = rules.outcome(compiled, "Rewe Markt", -100, world["checking"])
    assert (result.category_id, result.tags) == (world["food"], ("shop", "all"))
    assert rules.outcome(compiled, "DB Bahn", -100, 1).category_id == world["travel"]
    assert rules.outcome(compiled, "Aldi", -100, 1) == rules.Outcome()


def test_amount_and_account_conditions(session: Session, world: dict) -> None:
    data = rules.RuleInput(
        name="Big REWE on checking",
        payee_contains="rewe",
        amount_max=-2000,
        account_id=world["checking"],
        set_category_id=world["food"],
    )
    result = rules.preview_rule(session, data)
    assert [c.payee for c in result.changes] == ["rewe city"]
    assert result.total == 1


def test_rule_preview_shows_changes_paginated_and_apply_makes_them(
    session: Session, world: dict
) -> None:
    data = rules.RuleInput(
        name="REWE",
        payee_regex=r"^rewe\b",
        set_category_id=world["food"],
        add_tags=["groceries"],
        rename_payee="REWE",
    )
    preview = rules.preview_rule(session, data, limit=2)
    assert preview.total == 3
    assert [c.date.isoformat() for c in preview.changes] == ["2026-01-04", "2026-01-03"]
    assert preview.changes[0].new_category == "Food" and preview.changes[0].category is None
    assert preview.changes[0].new_tags == ("groceries",)
    assert [c.payee for c in rules.preview_rule(session, data, limit=2, offset=2).changes] == [
        "REWE Markt 1234"
    ]
    # Testing changed nothing.
    assert session.scalar(select(Transaction.category_id).where(Transaction.amount == -899)) is None

    assert rules.apply_rule(session, data) == 3
    session.commit()
    changed = session.execute(
        select(Transaction.payee, Transaction.payee_norm, Transaction.category_id).where(
            Transaction.category_id == world["food"]
        )
    ).all()
    assert sorted(changed) == [("REWE", "rewe", world["food"])] * 3
    tagged = session.scalars(
        select(TransactionTag.transaction_id).join(Tag).where(Tag.name == "groceries")
    ).all()
    assert len(tagged) == 3
    # Everything the rule does is done: a second run finds nothing left to change.
    assert rules.preview_rule(session, data).total == 0
    assert rules.apply_rule(session, data) == 0


def test_transfers_and_splits_are_left_alone(session: Session, world: dict) -> None:
    split = session.scalar(select(Transaction).where(Transaction.payee == "rewe city"))
    split.is_split = True
    session.commit()
    data = rules.RuleInput(name="REWE", payee_contains="rewe", set_category_id=world["food"])
    assert {c.payee for c in rules.preview_rule(session, data).changes} == {
        "REWE Markt 1234",
        "REWE To Go",
    }


def test_usual_category_comes_from_history_in_one_query(session: Session, world: dict) -> None:
    for payee, category in (("rewe city", "food"), ("rewe city", "food"), ("rewe city", "travel")):
        session.add(
            Transaction(
                account_id=world["checking"],
                date=dt.date(2025, 12, 1),
                amount=-100,
                payee=payee,
                payee_norm=payee,
                category_id=world[category],
            )
        )
    session.commit()
    usual = payees.usual_categories(session, ["rewe city", "salary"])
    assert usual == {"rewe city": world["food"]}

    def plan_counting_statements(rows: int) -> tuple[imports.Plan, int]:
        lines = ["Date,Payee,Amount", "2026-02-01,REWE CITY,-1.00"]
        # Letters, not numbers: payee keys drop numbers, and each row needs its own key.
        names = ["".join(chr(97 + int(d)) for d in str(i)) for i in range(rows)]
        lines += [f"2026-02-{1 + i % 28:02d},Shop {name},-1.00" for i, name in enumerate(names)]
        parsed = imports.read("\n".join(lines).encode(), "a.csv", "EUR")
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(session.get_bind(), "before_cursor_execute", listener)
        try:
            plan = imports.plan(session, world["checking"], parsed)
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", listener)
        return plan, len(seen)

    small, small_count = plan_counting_statements(5)
    large, large_count = plan_counting_statements(800)
    assert small_count == large_count
    assert small.rows[0].category_id == large.rows[0].category_id == world["food"]
    assert {p.category_id for p in large.rows[1:]} == {None}
    assert len({p.payee for p in large.rows}) == 801


def test_a_pattern_that_backtracks_for_ages_is_stopped_and_named(
    session: Session, world: dict
) -> None:
    # 2**40 ways to split 40 a's; without a time limit this search runs for days.
    session.add(
        Transaction(
            account_id=world["checking"],
            date=dt.date(2026, 1, 7),
            amount=-100,
            payee="a" * 40 + "!",
            payee_norm="a" * 40,
        )
    )
    session.commit()
    slow = rules.RuleInput(name="Slow", payee_regex="(a|aa)+$", set_category_id=world["food"])
    with pytest.raises(rules.RuleError) as caught:
        rules.preview_rule(session, slow)
    assert caught.value.field == "payee_regex"
    assert caught.value.message == "The pattern of “Slow” takes too long to test; make it simpler."
    with pytest.raises(rules.RuleError):
        rules.apply_rule(session, slow)
    assert session.scalar(select(Transaction.category_id).where(Transaction.amount == -100)) is None
