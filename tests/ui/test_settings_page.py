"""The settings page: downloads, restore with confirmation, preferences, password hash helper."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import bcrypt
import pytest
from nicegui import app, ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from sqlalchemy import func, select

from fintrack import db, preferences
from fintrack.models import Account, Transaction
from tests import builders as build
from tests.ui.conftest import loaded, log_in


def add_account(name: str, amount: int) -> None:
    with db.session() as s:
        build.entry(s, build.account(s, name), amount, dt.date(2026, 1, 2))


@pytest.fixture
async def settings(user: User) -> User:
    """A logged-in user on /settings (logging in straight to it, without the dashboard)."""
    await log_in(user, next="/settings")
    await user.should_see("Password hash", retries=20)
    await loaded(user)
    return user


async def upload(user: User, name: str, content: bytes) -> None:
    element = user.find(ui.upload).elements.pop()
    await element.handle_uploads([SmallFileUpload(name, "application/json", content)])


async def test_backup_download_then_restore_asks_first_and_replaces(settings: User) -> None:
    add_account("Checking", -4_200)
    settings.find("Download backup").click()
    document = (await settings.download.next(timeout=5)).content
    assert json.loads(document)["format"] == "fintrack-backup"
    add_account("Opened later", 100)

    await upload(settings, "backup.json", document)
    await settings.should_see("Restore this backup?")
    await settings.should_see("(2 accounts, 29 categories, 2 transactions)")
    settings.find("Replace and restore").click()
    await settings.should_see("Restored 1 account, 29 categories, 1 transaction.", retries=50)

    with db.session() as s:
        assert s.scalars(select(Account.name)).all() == ["Checking"]
        assert s.scalar(select(func.sum(Transaction.amount))) == -4_200


async def test_broken_backup_is_refused_next_to_the_upload(settings: User) -> None:
    await upload(settings, "notes.json", b'{"format": "fintrack-backup", "version": 7}')
    await settings.should_see("notes.json cannot be restored")
    await settings.should_see("newer fintrack")
    await settings.should_not_see("Restore this backup?")


async def test_csv_download_has_plain_decimal_amounts(settings: User) -> None:
    add_account("Checking", -123_456)
    settings.find("Download CSV").click()
    content = (await settings.download.next(timeout=5)).content.decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(row["account"], row["amount"]) for row in rows] == [("Checking", "-1234.56")]


async def test_password_hash_helper_gives_a_hash_of_the_typed_password(
    settings: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fewer bcrypt rounds keep the test fast; the hash is verified the same way.
    real_gensalt = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda: real_gensalt(rounds=4))
    settings.find("New password").type("a new long password")
    settings.find("Repeat password").type("a new long passw0rd")
    settings.find("Make hash").click()
    await settings.should_see("The passwords differ")

    settings.find("Repeat password").clear().type("a new long password")
    settings.find("Make hash").click()
    await settings.should_see("$2b$04$", retries=20)
    shown = settings.find(marker="password-hash").elements.pop().value
    assert bcrypt.checkpw(b"a new long password", shown.encode())


async def test_default_currency_is_saved_or_refused_with_reason(settings: User) -> None:
    await settings.should_see("Database: SQLite")
    field = settings.find("Default currency for new accounts")
    field.clear().type("euro")
    settings.find(marker="preferences-save").click()
    await settings.should_see("three-letter ISO 4217 code")

    field.clear().type("usd")
    settings.find(marker="preferences-save").click()
    await settings.should_see("Saved.")
    with db.session() as s:
        assert preferences.default_currency(s) == "USD"


def _one(found: UserInteraction) -> ui.input:
    (element,) = found.elements
    return element


async def test_a_typed_rate_is_refused_next_to_what_is_wrong(settings: User) -> None:
    await settings.should_see("Enter or override a rate")
    code = settings.find(marker="rate-code")
    rate = settings.find(marker="rate-value")
    save = settings.find("Save rate")

    code.type("EUR")
    rate.type("2")
    save.click()
    await settings.should_see("EUR is the pivot")
    assert _one(code).error == "EUR is the pivot: its rate is always 1"

    code.clear().type("usd")
    rate.clear().type("two")
    save.click()
    await settings.should_see("'two' is not a rate")
    assert _one(code).error is None
    assert _one(rate).error.startswith("'two' is not a rate")

    rate.clear().type("2")
    save.click()
    await settings.should_see("Saved: 1 EUR = 2 USD")
    assert _one(rate).error is None


async def test_second_restore_cannot_start_while_one_runs(
    settings: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.state.restore, "busy", True)
    await upload(settings, "backup.json", b'{"format": "fintrack-backup", "version": 1}')
    await settings.should_see("A restore is already running.")
    await settings.should_not_see("Restore this backup?")


async def test_chosen_number_and_date_formats_are_shown_and_typed(settings: User) -> None:
    add_account("Checking", -123456)
    for marker, label in (("number-format", "1.234,56"), ("date-format", "29/11/2026")):
        choice = settings.find(marker=marker).click()
        UserInteraction(settings, choice.elements, label).click()
    settings.find(marker="preferences-save").click()
    await settings.should_see("Saved.", retries=50)

    await settings.open("/transactions")
    await settings.should_see("1 transaction", retries=50)
    (row,) = settings.find(ui.table).elements.pop().rows
    assert (row["date"], row["amount_text"]) == ("02/01/2026", "-1.234,56\u00a0€")

    # `12,50` is 12.50 and `1.500` (refused as ambiguous by default) is 1500.00.
    settings.find("Add transaction").click()
    await settings.should_see("New transaction", retries=50)
    settings.find("Amount").type("12,50")
    settings.find("Add another").click()
    await settings.should_see("2 transactions", retries=50)
    # The date is typed as shown: `01/02/2026` is 1 February.
    settings.find("Amount").clear().type("1.500")
    settings.find("Date").clear().type("01/02/2026")
    settings.find("Save").click()
    await settings.should_see("3 transactions", retries=50)
    with db.session() as s:
        saved = s.execute(select(Transaction.amount, Transaction.date).order_by(Transaction.id))
        assert saved.all()[1:] == [(-1250, dt.date.today()), (-150000, dt.date(2026, 2, 1))]
    rows = settings.find(ui.table).elements.pop().rows
    assert {r["amount_text"]: r["date"] for r in rows}["-1.500,00\u00a0€"] == "01/02/2026"
