"""The settings page: downloads, restore with confirmation, preferences, password hash helper."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import bcrypt
import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlalchemy import func, select

from fintrack import db, preferences
from fintrack.models import Account, Transaction


def add_account(name: str, amount: int) -> None:
    with db.session() as s:
        account = Account(name=name, currency="EUR")
        s.add(account)
        s.flush()
        s.add(Transaction(account_id=account.id, date=dt.date(2026, 1, 2), amount=amount))


async def upload(user: User, name: str, content: bytes) -> None:
    element = user.find(ui.upload).elements.pop()
    await element.handle_uploads([SmallFileUpload(name, "application/json", content)])


async def test_backup_download_then_restore_asks_first_and_replaces(logged_in: User) -> None:
    add_account("Checking", -4_200)
    await logged_in.open("/settings")
    logged_in.find("Download backup").click()
    document = (await logged_in.download.next(timeout=5)).content
    assert json.loads(document)["format"] == "fintrack-backup"
    add_account("Opened later", 100)

    await upload(logged_in, "backup.json", document)
    await logged_in.should_see("Restore this backup?")
    await logged_in.should_see("(2 accounts, 29 categories, 2 transactions)")
    logged_in.find("Replace and restore").click()
    await logged_in.should_see("Restored 1 account, 29 categories, 1 transaction.", retries=50)

    with db.session() as s:
        assert s.scalars(select(Account.name)).all() == ["Checking"]
        assert s.scalar(select(func.sum(Transaction.amount))) == -4_200


async def test_broken_backup_is_refused_next_to_the_upload(logged_in: User) -> None:
    await logged_in.open("/settings")
    await upload(logged_in, "notes.json", b'{"format": "fintrack-backup", "version": 7}')
    await logged_in.should_see("notes.json cannot be restored")
    await logged_in.should_see("newer fintrack")
    await logged_in.should_not_see("Restore this backup?")


async def test_csv_download_has_plain_decimal_amounts(logged_in: User) -> None:
    add_account("Checking", -123_456)
    await logged_in.open("/settings")
    logged_in.find("Download CSV").click()
    content = (await logged_in.download.next(timeout=5)).content.decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(row["account"], row["amount"]) for row in rows] == [("Checking", "-1234.56")]


async def test_password_hash_helper_gives_a_hash_of_the_typed_password(
    logged_in: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fewer bcrypt rounds keep the test fast; the hash is verified the same way.
    real_gensalt = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda: real_gensalt(rounds=4))
    await logged_in.open("/settings")
    logged_in.find("New password").type("a new long password")
    logged_in.find("Repeat password").type("a new long passw0rd")
    logged_in.find("Make hash").click()
    await logged_in.should_see("The passwords differ")

    logged_in.find("Repeat password").clear().type("a new long password")
    logged_in.find("Make hash").click()
    await logged_in.should_see("$2b$04$", retries=20)
    shown = logged_in.find("ADMIN_PASSWORD_HASH").elements.pop().value
    assert bcrypt.checkpw(b"a new long password", shown.encode())


async def test_default_currency_is_saved_or_refused_with_reason(logged_in: User) -> None:
    await logged_in.open("/settings")
    await logged_in.should_see("Database: SQLite")
    field = logged_in.find("Default currency for new accounts")
    field.clear().type("euro")
    logged_in.find("Save").click()
    await logged_in.should_see("three-letter ISO 4217 code")

    field.clear().type("usd")
    logged_in.find("Save").click()
    await logged_in.should_see("Saved.")
    with db.session() as s:
        assert preferences.default_currency(s) == "USD"
