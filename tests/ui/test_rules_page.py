"""The rules screen through the simulated user: create, validate, test and apply rules."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select

from fintrack import db
from fintrack.models import Account, Category, Rule, Transaction


def _seed() -> int:
    with db.session() as s:
        account = Account(name="Checking", currency="EUR")
        food = Category(name="Groceries")
        s.add_all([account, food])
        s.flush()
        for day, payee, amount in (
            (2, "REWE Markt 1234", -1250),
            (3, "Rewe City", -4500),
            (4, "Deutsche Bahn", -2500),
        ):
            s.add(
                Transaction(
                    account_id=account.id,
                    date=dt.date(2026, 1, day),
                    amount=amount,
                    payee=payee,
                    payee_norm=payee.lower(),
                )
            )
        return food.id


def _fill_rule(user: User) -> None:
    user.find("Name").type("Supermarket")
    user.find("Payee contains").type("rewe")
    user.find("Set category").click()
    user.find("Groceries").click()


async def test_rule_is_saved_and_listed_in_words(logged_in: User) -> None:
    food = _seed()
    await logged_in.open("/settings/rules")
    await logged_in.should_see("No rules yet")
    _fill_rule(logged_in)
    logged_in.find("Save rule").click()
    await logged_in.should_see('If payee contains "rewe": category Groceries')
    with db.session() as s:
        rule = s.scalar(select(Rule))
        assert (rule.name, rule.payee_contains, rule.set_category_id) == (
            "Supermarket",
            "rewe",
            food,
        )


async def test_bad_pattern_is_shown_next_to_the_field_and_not_saved(logged_in: User) -> None:
    _seed()
    await logged_in.open("/settings/rules")
    logged_in.find("Name").type("Broken")
    logged_in.find("Payee matches pattern").type("rewe(")
    logged_in.find("Add tags").type("shop")
    pattern = logged_in.find("Payee matches pattern").elements.pop()
    assert pattern.error.startswith("Not a valid pattern")
    logged_in.find("Save rule").click()
    await logged_in.should_see("Not a valid pattern: missing ), unterminated subpattern")
    with db.session() as s:
        assert s.scalar(select(Rule)) is None


async def test_rule_tested_then_applied_after_confirmation(logged_in: User) -> None:
    food = _seed()
    await logged_in.open("/settings/rules")
    _fill_rule(logged_in)
    logged_in.find("Test on existing transactions").click()
    await logged_in.should_see("This rule would change 2 transactions (showing 1–2).")
    table = logged_in.find(ui.table).elements.pop()
    assert [(r["payee"], r["amount"], r["change"]) for r in table.rows] == [
        ("Rewe City", "-€45.00", "category (none) → Groceries"),
        ("REWE Markt 1234", "-€12.50", "category (none) → Groceries"),
    ]
    with db.session() as s:
        assert s.scalar(select(Transaction).where(Transaction.category_id == food)) is None

    logged_in.find("Apply to existing transactions").click()
    await logged_in.should_see("This changes the category, payee or tags of 2 existing")
    dialog_button = logged_in.find(ui.button)
    dialog_button.elements = {b for b in dialog_button.elements if b.text == "Apply"}
    dialog_button.click()
    await logged_in.should_see("Changed 2 transactions.", retries=20)
    with db.session() as s:
        changed = s.scalars(select(Transaction.payee).where(Transaction.category_id == food))
        assert sorted(changed) == ["REWE Markt 1234", "Rewe City"]
