"""The import page when a file is hostile or the database refuses: a message, controls that
work again, and nothing written."""

from __future__ import annotations

import sqlite3

from nicegui.testing import User

from fintrack import db
from tests import builders as build
from tests.ui.test_import_page import WAIT, _transactions, _upload

GOOD = b"Date,Payee,Amount\n2026-01-05,Bakery,-4.80\n2026-01-06,Salary,2500.00\n"


async def test_a_field_beyond_the_csv_limit_is_named_and_the_next_file_imports(
    logged_in: User,
) -> None:
    build.saved(build.account, "Girokonto")
    await logged_in.open("/import")
    long_row = b"2026-01-06," + b"x" * 140_000 + b",-2.00\n"
    await _upload(logged_in, "long.csv", b"Date,Payee,Amount\n2026-01-05,Shop,-1.00\n" + long_row)
    await logged_in.should_see(
        "long.csv: line 3 has a field longer than 131,072 characters", retries=WAIT
    )
    await _upload(logged_in, "good.csv", GOOD)
    await logged_in.should_see("New: 2", retries=WAIT)
    logged_in.find("Import 2 into Girokonto").click()
    await logged_in.should_see("See the transactions", retries=WAIT)
    assert _transactions() == [("Bakery", -480), ("Salary", 250_000)]


async def test_an_amount_no_account_could_hold_is_an_error_row_not_a_new_one(
    logged_in: User,
) -> None:
    build.saved(build.account, "Girokonto")
    await logged_in.open("/import")
    await _upload(logged_in, "typo.csv", GOOD + b"2026-01-07,Typo,92233720368547758.08\n")
    await logged_in.should_see("New: 2", retries=WAIT)
    await logged_in.should_see("Errors: 1", retries=WAIT)
    await logged_in.should_see("amounts go up to 1,000,000,000,000 EUR", retries=WAIT)
    assert _transactions() == []


async def test_a_database_that_refuses_the_import_says_so_and_the_button_works_again(
    logged_in: User,
) -> None:
    build.saved(build.account, "Girokonto")
    await logged_in.open("/import")
    await _upload(logged_in, "good.csv", GOOD)
    await logged_in.should_see("New: 2", retries=WAIT)
    # Another writer holds the database longer than the app waits for it.
    blocker = sqlite3.connect(db.engine().url.database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        logged_in.find("Import 2 into Girokonto").click()
        await logged_in.should_see(
            "Could not import: the database is busy with other work", retries=200
        )
        await logged_in.should_see("Nothing was imported.")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert _transactions() == []
    button = logged_in.find("Import 2 into Girokonto").elements.pop()
    assert button.enabled
    logged_in.find("Import 2 into Girokonto").click()
    await logged_in.should_see("See the transactions", retries=WAIT)
    assert _transactions() == [("Bakery", -480), ("Salary", 250_000)]
