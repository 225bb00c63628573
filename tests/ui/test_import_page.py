"""The import page through the simulated user: upload, preview, correct, import."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import func, select

from fintrack import db
from fintrack.models import Account, Category, Transaction
from tests import builders as build

# The page reads files and saves off the event loop: allow it a few seconds under load.
WAIT = 50
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def _transactions() -> list[tuple[str, int]]:
    with db.session() as s:
        return list(
            s.execute(select(Transaction.payee, Transaction.amount).order_by(Transaction.id))
        )


async def _upload(user: User, name: str, data: bytes) -> None:
    upload = user.find(ui.upload).elements.pop()
    with user.client:
        await upload.handle_uploads([ui.upload.SmallFileUpload(name, "text/csv", data)])


def _table_rows(user: User) -> list[dict]:
    tables = [t for t in user.find(ui.table).elements if t.selection == "multiple"]
    return tables[0].rows


async def test_upload_preview_import_then_reupload_finds_duplicates(logged_in: User) -> None:
    build.saved(build.account, "Girokonto")
    await logged_in.open("/import")
    data = (FIXTURES / "de_sparkasse_latin1.csv").read_bytes()
    await _upload(logged_in, "umsaetze.csv", data)
    await logged_in.should_see("New: 5", retries=WAIT)
    await logged_in.should_see("Duplicates: 0", retries=WAIT)
    rows = _table_rows(logged_in)
    assert [(r["date"], r["payee"], r["amount"]) for r in rows[:2]] == [
        ("2026-01-02", "Bäckerei Müller GmbH", "-€4.80"),
        ("2026-01-02", "Hausverwaltung Köhler", "-€1,250.00"),
    ]
    logged_in.find("Import 5 into Girokonto").click()
    await logged_in.should_see(
        "Girokonto: 5 new, 0 duplicate, 0 possible duplicate, 0 matched, 0 skipped", retries=WAIT
    )
    assert sum(amount for _, amount in _transactions()) == 200560

    await _upload(logged_in, "umsaetze.csv", data)
    await logged_in.should_see("Duplicates: 5", retries=WAIT)
    await logged_in.should_see("New: 0", retries=WAIT)
    assert {(r["status"], r["reason"]) for r in _table_rows(logged_in)} == {
        ("Duplicate", "already imported")
    }
    assert len(_transactions()) == 5


async def test_unusable_files_show_a_message_and_import_nothing(logged_in: User) -> None:
    build.saved(build.account, "Girokonto")
    await logged_in.open("/import")
    await _upload(logged_in, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00")
    await logged_in.should_see(
        "photo.csv: this is not a text file (it contains binary data)", retries=WAIT
    )
    await _upload(logged_in, "empty.csv", b"")
    await logged_in.should_see("empty.csv: the file is empty", retries=WAIT)
    assert _transactions() == []


async def test_unknown_amount_column_is_chosen_by_hand_and_remembered(logged_in: User) -> None:
    account_id = build.saved(build.account, "Savings")
    await logged_in.open("/import")
    data = b"When,Who,Sum\n2026-01-02,Bakery,-2.50\n2026-01-03,Employer,1200.00\n"
    await _upload(logged_in, "odd.csv", data)
    await logged_in.should_see("the date column could not be found", retries=WAIT)
    for label, column in (("Date", "When"), ("Payee", "Who"), ("Amount", "Sum")):
        logged_in.find(label).click()
        logged_in.find(column).click()
    logged_in.find("Apply columns").click()
    await logged_in.should_see("New: 2", retries=WAIT)
    logged_in.find("Import 2 into Savings").click()
    await logged_in.should_see("Savings: 2 new", retries=WAIT)
    with db.session() as s:
        profile = s.get(Account, account_id).import_profile
    assert profile["csv"]["columns"] == {"date": 0, "payee": 1, "amount": 2}

    await _upload(logged_in, "odd.csv", data.replace(b"1200.00", b"1300.00"))
    await logged_in.should_see("New: 1", retries=WAIT)
    await logged_in.should_see("Duplicates: 1", retries=WAIT)


async def test_card_file_with_positive_charges_can_flip_signs(logged_in: User) -> None:
    build.saved(build.account, "Amex")
    await logged_in.open("/import")
    data = (
        b"Date,Description,Amount\n01/05/2026,DELTA AIR LINES,412.30\n01/19/2026,PAYMENT,-412.30\n"
    )
    await _upload(logged_in, "amex.csv", data)
    await logged_in.should_see("New: 2", retries=WAIT)
    logged_in.find("2. Columns").click()
    logged_in.find("Charges are positive in this file (flip signs)").click()
    logged_in.find("Apply columns").click()
    expected = [("DELTA AIR LINES", "-€412.30"), ("PAYMENT", "€412.30")]
    for _ in range(50):  # the file is read again off the event loop
        rows = [(r["payee"], r["amount"]) for r in _table_rows(logged_in)]
        if rows == expected:
            break
        await asyncio.sleep(0.1)
    assert rows == expected


async def test_rows_with_errors_need_skipping_and_rows_can_be_left_out(logged_in: User) -> None:
    build.saved(build.account, "Girokonto")
    await logged_in.open("/import")
    data = b"Date,Payee,Amount\n2026-01-02,A,-1.00\n2026-01-03,B,-2.00\n2026-02-31,C,-3.00\n"
    await _upload(logged_in, "bank.csv", data)
    await logged_in.should_see("Errors: 1", retries=WAIT)
    await logged_in.should_see('line 4: date "2026-02-31" is not a valid date', retries=WAIT)
    logged_in.find("Import 2 into Girokonto").click()
    await logged_in.should_see("1 row cannot be read", retries=WAIT)
    assert _transactions() == []

    table = next(t for t in logged_in.find(ui.table).elements if t.selection == "multiple")
    table.selected = [row for row in table.rows if row["payee"] == "B"]
    logged_in.find("Leave out selected").click()
    await logged_in.should_see("Left out: 1", retries=WAIT)
    logged_in.find("Skip the 1 row with errors").click()
    logged_in.find("Import 1 into Girokonto").click()
    await logged_in.should_see(
        "Girokonto: 1 new, 0 duplicate, 0 possible duplicate, 0 matched, 2 skipped", retries=WAIT
    )
    assert _transactions() == [("A", -100)]


async def test_new_account_is_created_only_when_importing(logged_in: User) -> None:
    await logged_in.open("/import")
    logged_in.find("New account name").type("Travel card")
    await _upload(logged_in, "card.qfx", (FIXTURES / "ofx2_card.qfx").read_bytes())
    await logged_in.should_see("New: 4", retries=WAIT)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0
    logged_in.find("Import 4 into Travel card").click()
    await logged_in.should_see("Travel card: 4 new", retries=WAIT)
    with db.session() as s:
        assert s.scalar(select(Account.currency).where(Account.name == "Travel card")) == "EUR"


async def test_usd_ofx_into_a_new_account_takes_the_files_currency(logged_in: User) -> None:
    build.saved(build.account, "Girokonto", "EUR")
    await logged_in.open("/import")
    logged_in.find("A new account").click()
    logged_in.find("New account name").type("US checking")
    await _upload(logged_in, "march.ofx", (FIXTURES / "us_march_15.ofx").read_bytes())
    await logged_in.should_see("New: 15", retries=WAIT)
    logged_in.find("Import 15 into US checking").click()
    await logged_in.should_see("US checking: 15 new", retries=WAIT)
    await logged_in.should_see(
        "The bank's balance of 2,896.89 on 2026-03-31 agrees with fintrack.", retries=WAIT
    )
    with db.session() as s:
        assert s.scalar(select(Account.currency).where(Account.name == "US checking")) == "USD"


async def test_the_account_the_person_came_from_is_the_default(logged_in: User) -> None:
    build.saved(build.account, "Alpha")
    wanted = build.saved(build.account, "Zulu")
    await logged_in.open(f"/import?account={wanted}")
    await _upload(logged_in, "bank.csv", b"Date,Payee,Amount\n2026-01-02,A,-1.00\n")
    await logged_in.should_see("Import 1 into Zulu", retries=WAIT)
    logged_in.find("Import 1 into Zulu").click()
    await logged_in.should_see("Zulu: 1 new", retries=WAIT)
    # Next time, without a hint, the last account imported into is chosen.
    await logged_in.open("/import")
    await _upload(logged_in, "bank.csv", b"Date,Payee,Amount\n2026-01-09,B,-2.00\n")
    await logged_in.should_see("Import 1 into Zulu", retries=WAIT)


async def test_csv_after_ofx_lists_possible_duplicates_beside_their_twin(logged_in: User) -> None:
    build.saved(build.account, "Checking", "USD")
    await logged_in.open("/import")
    await _upload(logged_in, "march.ofx", (FIXTURES / "us_march_15.ofx").read_bytes())
    await logged_in.should_see("Import 15 into Checking", retries=WAIT)
    logged_in.find("Import 15 into Checking").click()
    await logged_in.should_see("Checking: 15 new", retries=WAIT)
    await _upload(logged_in, "march.csv", (FIXTURES / "us_march_15.csv").read_bytes())
    await logged_in.should_see("Possible duplicates: 15", retries=WAIT)
    await logged_in.should_see("New: 0", retries=WAIT)
    rows = _table_rows(logged_in)
    first = next(r for r in rows if r["amount"] == "-$54.23")
    assert (first["status"], first["twin"]) == (
        "Possible duplicate",
        "2026-03-02 WHOLE FOODS MARKET #10234",
    )
    table = next(t for t in logged_in.find(ui.table).elements if t.selection == "multiple")
    table.selected = [first]
    logged_in.find("Keep selected duplicates").click()
    await logged_in.should_see("Import 1 into Checking", retries=WAIT)
    logged_in.find("Import 1 into Checking").click()
    await logged_in.should_see(
        "Checking: 1 new, 0 duplicate, 14 possible duplicate, 0 matched, 0 skipped", retries=WAIT
    )
    assert len(_transactions()) == 16


async def test_preview_shows_the_memo_and_edits_payee_and_category(logged_in: User) -> None:
    build.saved(build.account, "Checking", "USD")
    with db.session() as s:
        s.add(Category(name="Groceries", kind="expense"))
    await logged_in.open("/import")
    await _upload(logged_in, "march.ofx", (FIXTURES / "us_march_15.ofx").read_bytes())
    await logged_in.should_see("New: 15", retries=WAIT)
    row = next(r for r in _table_rows(logged_in) if r["amount"] == "-$54.23")
    assert (row["payee"], row["memo"]) == ("WHOLE FOODS MARKET #10234", "POS PURCHASE")
    table = next(t for t in logged_in.find(ui.table).elements if t.selection == "multiple")
    table.selected = [row]
    logged_in.find("Edit selected").click()
    payee = logged_in.find(marker=None, kind=ui.input, content="WHOLE FOODS MARKET #10234")
    payee.clear().type("Whole Foods")
    logged_in.find("Category").click()
    logged_in.find("Groceries").click()
    logged_in.find("Apply").click()
    for _ in range(50):
        row = next(r for r in _table_rows(logged_in) if r["amount"] == "-$54.23")
        if row["payee"] == "Whole Foods":
            break
        await asyncio.sleep(0.1)
    assert (row["payee"], row["category"]) == ("Whole Foods", "Groceries")
    logged_in.find("Import 15 into Checking").click()
    await logged_in.should_see("Checking: 15 new", retries=WAIT)
    with db.session() as s:
        stored = s.execute(
            select(Transaction.payee, Category.name, Transaction.notes).join(
                Category, Category.id == Transaction.category_id
            )
        ).all()
    assert stored == [("Whole Foods", "Groceries", "POS PURCHASE")]


async def test_history_undo_says_what_it_removes_then_removes_it(logged_in: User) -> None:
    build.saved(build.account, "Checking", "USD")
    await logged_in.open("/import")
    await logged_in.should_see("No imports yet.", retries=WAIT)
    await _upload(logged_in, "march.ofx", (FIXTURES / "us_march_15.ofx").read_bytes())
    await logged_in.should_see("Import 15 into Checking", retries=WAIT)
    logged_in.find("Import 15 into Checking").click()
    await logged_in.should_see("march.ofx → Checking", retries=WAIT)
    logged_in.find("Undo").click()
    await logged_in.should_see(
        "This removes 15 transactions imported from march.ofx into Checking.", retries=WAIT
    )
    assert len(_transactions()) == 15
    logged_in.find("Undo import").click()
    await logged_in.should_see("Undone", retries=WAIT)
    assert _transactions() == []
