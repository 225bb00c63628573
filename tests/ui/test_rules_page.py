"""The rules screen through the simulated user: create, validate, test and apply rules."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select

from fintrack import db
from fintrack.models import Rule, Transaction
from tests import builders as build

# Saving and testing rules run off the event loop: allow them a few seconds under load.
WAIT = 50


def _seed() -> int:
    with db.session() as s:
        account = build.account(s)
        food = build.category(s, "Groceries")
        for day, payee, amount in (
            (2, "REWE Markt 1234", -1250),
            (3, "Rewe City", -4500),
            (4, "Deutsche Bahn", -2500),
        ):
            build.entry(s, account, amount, dt.date(2026, 1, day), payee)
        return food


def _fill_rule(user: User) -> None:
    user.find("Name").type("Supermarket")
    user.find("Payee contains").type("rewe")
    user.find("Set category").click()
    user.find("Groceries").click()


def _in_dialog(element: ui.element) -> bool:
    while element is not None:
        if isinstance(element, ui.dialog):
            return True
        element = element.parent_slot.parent if element.parent_slot else None
    return False


def _click_button(user: User, text: str, *, in_dialog: bool = False) -> None:
    """Click the one button labelled exactly `text` (on the page, or in the open dialog)."""
    buttons = user.find(ui.button)
    buttons.elements = {
        b for b in buttons.elements if b.text == text and _in_dialog(b) == in_dialog
    }
    assert len(buttons.elements) == 1
    buttons.click()


async def test_rule_is_saved_and_listed_in_words(logged_in: User) -> None:
    food = _seed()
    await logged_in.open("/settings/rules")
    await logged_in.should_see("No rules yet", retries=WAIT)
    _fill_rule(logged_in)
    logged_in.find("Save rule").click()
    await logged_in.should_see('If payee contains "rewe": category Groceries', retries=WAIT)
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
    await logged_in.should_see("Not a valid pattern: missing ) at position 5.", retries=WAIT)
    with db.session() as s:
        assert s.scalar(select(Rule)) is None


async def test_rule_tested_then_applied_after_confirmation(logged_in: User) -> None:
    food = _seed()
    await logged_in.open("/settings/rules")
    _fill_rule(logged_in)
    logged_in.find("Test on existing transactions").click()
    await logged_in.should_see("This rule would change 2 transactions (showing 1–2).", retries=WAIT)
    table = logged_in.find(ui.table).elements.pop()
    assert [(r["payee"], r["amount"], r["change"]) for r in table.rows] == [
        ("Rewe City", "-€45.00", "category (none) → Groceries"),
        ("REWE Markt 1234", "-€12.50", "category (none) → Groceries"),
    ]
    with db.session() as s:
        assert s.scalar(select(Transaction).where(Transaction.category_id == food)) is None

    logged_in.find("Apply to existing transactions").click()
    await logged_in.should_see(
        "This changes the category, payee or tags of 2 existing", retries=WAIT
    )
    _click_button(logged_in, "Apply", in_dialog=True)
    await logged_in.should_see("Changed 2 transactions.", retries=WAIT)
    with db.session() as s:
        changed = s.scalars(select(Transaction.payee).where(Transaction.category_id == food))
        assert sorted(changed) == ["REWE Markt 1234", "Rewe City"]


async def test_rule_edited_in_place_then_deleted_after_confirmation(logged_in: User) -> None:
    food = _seed()
    with db.session() as s:
        s.add(Rule(name="Shops", priority=5, payee_contains="rewe", set_category_id=food))
    await logged_in.open("/settings/rules")
    await logged_in.should_see("Shops", retries=WAIT)
    _click_button(logged_in, "Edit")
    name = logged_in.find("Name").elements.pop()
    assert name.value == "Shops"
    name.value = "Supermarkets"
    logged_in.find("Save rule").click()
    await logged_in.should_see("Edit rule “Supermarkets”", retries=WAIT)
    with db.session() as s:
        assert s.scalars(select(Rule.name)).all() == ["Supermarkets"]

    _click_button(logged_in, "Delete")
    await logged_in.should_see("Delete the rule “Supermarkets”?", retries=WAIT)
    _click_button(logged_in, "Delete", in_dialog=True)
    await logged_in.should_see("No rules yet", retries=WAIT)
    with db.session() as s:
        assert s.scalar(select(Rule)) is None
