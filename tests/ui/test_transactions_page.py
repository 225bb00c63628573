"""The transactions page through the simulated user."""

from __future__ import annotations

import datetime as dt

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from sqlalchemy import func, select

from fintrack import categories, db, transactions
from fintrack.models import Transaction
from tests import builders as build
from tests.ui.conftest import eventually

# Steps that go through a worker thread (the dialog's load and save) get this many retries of
# 0.1 s: a machine busy with other work takes longer than the default 0.3 s.
WAIT = 50


def count_transactions() -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Transaction)) or 0


def table_rows(user: User) -> list[dict]:
    return user.find(ui.table).elements.pop().rows


async def test_add_an_expense_through_the_dialog(logged_in: User) -> None:
    build.saved(build.account)
    await logged_in.open("/transactions")
    await logged_in.should_see("0 transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction")
    logged_in.find("Amount").type("12.50")
    logged_in.find("Date").clear().type("2026-03-14")
    logged_in.find("Payee").type("Corner Bakery")
    logged_in.find("Tags").type("breakfast")
    logged_in.find("Save").click()
    await logged_in.should_see("1 transaction")
    (row,) = table_rows(logged_in)
    assert (row["date"], row["payee"], row["amount"], row["amount_text"], row["tags"]) == (
        "2026-03-14",
        "Corner Bakery",
        -1250,
        "-€12.50",
        "breakfast",
    )


async def test_amount_filters_read_exact_amounts_and_name_bad_ones(logged_in: User) -> None:
    checking = build.saved(build.account)
    with db.session() as s:
        for payee, amount in (("Kiosk", -999), ("Aldi", -4200), ("Rent", -120000)):
            transactions.create_transaction(
                s, transactions.TransactionInput(checking, dt.date(2026, 1, 5), amount, payee)
            )
    await logged_in.open("/transactions?min=30")
    await logged_in.should_see("2 transactions")
    assert logged_in.find("Min amount").elements.pop().value == "30.00"
    logged_in.find("Max amount").type("lots")
    await logged_in.should_see('"lots" is not an amount')
    # Nothing of the earlier filter stays on show while one cannot be read.
    await logged_in.should_see("0 transactions", retries=WAIT)
    assert table_rows(logged_in) == []
    logged_in.find("Max amount").clear().type("1.000,00")
    await logged_in.should_see("1 transaction")
    assert [r["payee"] for r in table_rows(logged_in)] == ["Aldi"]


async def test_a_search_error_clears_the_results(logged_in: User) -> None:
    with db.session() as s:
        build.entry(s, build.account(s), -999, payee="Kiosk")
    await logged_in.open("/transactions?q=kiosk")
    await logged_in.should_see("1 transaction")
    logged_in.find(kind=ui.input, content="Search").clear().type("amount:>>5")
    await logged_in.should_see("is not an amount", retries=WAIT)
    await logged_in.should_see("0 transactions", retries=WAIT)
    assert table_rows(logged_in) == []


async def test_custom_range_ending_before_it_starts_says_so(logged_in: User) -> None:
    with db.session() as s:
        build.account(s)
    await logged_in.open("/transactions?start=2026-03-10")
    logged_in.find("To").type("2026-03-01")
    await logged_in.should_see("To is before From.")
    await logged_in.should_see("0 transactions")
    logged_in.find("To").clear().type("2026-02-30")
    await logged_in.should_see('"2026-02-30" is not a valid date')


async def test_bad_amount_or_date_shows_a_message_and_saves_nothing(logged_in: User) -> None:
    build.saved(build.account)
    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction")
    logged_in.find("Amount").type("twelve")
    logged_in.find("Save").click()
    await logged_in.should_see('"twelve" is not an amount')
    logged_in.find("Amount").clear().type("12")
    logged_in.find("Date").clear().type("2026-02-30")
    logged_in.find("Save").click()
    await logged_in.should_see('"2026-02-30" is not a valid date')
    assert count_transactions() == 0
    await logged_in.should_see("New transaction")


async def test_filters_come_from_the_url(logged_in: User) -> None:
    checking, visa = build.saved(build.account), build.saved(build.account, "Visa")
    with db.session() as s:
        for account, payee, amount in (
            (checking, "Aldi", -4200),
            (visa, "Aldi", -1800),
            (checking, "Salary", 250000),
        ):
            transactions.create_transaction(
                s, transactions.TransactionInput(account, dt.date(2026, 1, 5), amount, payee)
            )
    await logged_in.open(f"/transactions?q=payee:aldi&account={checking}")
    await logged_in.should_see("1 transaction")
    assert [(r["payee"], r["amount"]) for r in table_rows(logged_in)] == [("Aldi", -4200)]
    await logged_in.open("/transactions?q=amount:>20&sort=amount")
    await logged_in.should_see("2 transactions")
    assert [r["amount"] for r in table_rows(logged_in)] == [-4200, 250000]

    logged_in.find("Export CSV").click()
    exported = (await logged_in.download.next(timeout=5)).text.splitlines()
    assert exported[0].startswith("date,account,currency,amount,payee")
    assert sorted(line.split(",")[3] for line in exported[1:]) == ["-42.00", "2500.00"]


async def test_malformed_search_in_url_shows_message_not_error_page(logged_in: User) -> None:
    build.saved(build.account)
    await logged_in.open("/transactions?q=amount:lots")
    await logged_in.should_see('"lots" is not an amount')


async def test_editing_the_receiving_side_of_a_transfer_changes_both(logged_in: User) -> None:
    checking, savings = build.saved(build.account), build.saved(build.account, "Savings")
    with db.session() as s:
        _, incoming = transactions.create_transfer(s, checking, savings, dt.date(2026, 1, 5), 5000)
    await logged_in.open("/transactions")
    await logged_in.should_see("2 transactions")
    logged_in.find(ui.table).trigger("edit", incoming)
    await logged_in.should_see("Edit transaction")
    logged_in.find("Amount").clear().type("75")
    logged_in.find("Save").click()
    await logged_in.should_see("Saved")
    await eventually(
        lambda: (
            sorted((r["account"], r["amount"], r["category"]) for r in table_rows(logged_in))
            == [
                ("Checking", -7500, "Transfer to Savings"),
                ("Savings", 7500, "Transfer from Checking"),
            ]
        )
    )


async def test_editing_a_reconciled_transaction_asks_first(logged_in: User) -> None:
    account = build.saved(build.account)
    with db.session() as s:
        kiosk = transactions.create_transaction(
            s,
            transactions.TransactionInput(
                account, dt.date(2026, 1, 5), -100, "Kiosk", cleared=True
            ),
        )
        s.get(Transaction, kiosk).reconciled_on = dt.date(2026, 1, 31)
    await logged_in.open("/transactions")
    await logged_in.should_see("1 transaction")
    logged_in.find(ui.table).trigger("edit", kiosk)
    await logged_in.should_see("Edit transaction", retries=WAIT)
    logged_in.find("Payee").clear().type("Newsstand")
    logged_in.find("Save").click()
    await logged_in.should_see("reconciled with a bank statement", retries=WAIT)
    logged_in.find("Cancel").click()
    with db.session() as s:
        assert s.get(Transaction, kiosk).payee == "Kiosk"

    logged_in.find("Save").click()
    await logged_in.should_see("Change reconciled transactions?", retries=WAIT)
    logged_in.find("Change anyway").click()
    await logged_in.should_see("Saved", retries=WAIT)
    with db.session() as s:
        assert s.get(Transaction, kiosk).payee == "Newsstand"


async def test_cleared_toggle_in_the_table_is_saved(logged_in: User) -> None:
    account = build.saved(build.account)
    with db.session() as s:
        new_id = transactions.create_transaction(
            s, transactions.TransactionInput(account, dt.date(2026, 1, 5), -100, "Kiosk")
        )
    await logged_in.open("/transactions")
    await logged_in.should_see("1 transaction")
    logged_in.find(ui.table).trigger("toggle_cleared", {"id": new_id, "value": True})
    await eventually(lambda: table_rows(logged_in)[0]["cleared"] is True)
    with db.session() as s:
        assert transactions.get_transaction(s, new_id).cleared


async def test_known_payee_proposes_its_usual_category(logged_in: User) -> None:
    account = build.saved(build.account)
    with db.session() as s:
        groceries = next(o for o in categories.options(s) if o.name == "Groceries")
        transactions.create_transaction(
            s,
            transactions.TransactionInput(
                account, dt.date(2026, 1, 5), -900, "Corner Shop", category_id=groceries.id
            ),
        )
    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction")
    logged_in.find("Amount").type("3")
    logged_in.find("Payee").type("Corner Shop")
    # The dialog's category field, built after the filter bar's.
    category = max(logged_in.find("Category").elements, key=lambda element: element.id)
    await eventually(lambda: category.value == groceries.id)
    logged_in.find("Save").click()
    await logged_in.should_see("2 transactions")
    assert [r["category"] for r in table_rows(logged_in)] == [groceries.path, groceries.path]


async def test_dialog_refuses_zero_a_sign_a_typod_year_and_an_ambiguous_amount(
    logged_in: User,
) -> None:
    build.saved(build.account)
    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=WAIT)
    for typed, message in (
        ("0", "the amount is zero"),
        ("-50", "type the amount without a sign and choose its direction"),
        ("1.500", "could mean 1500 or 1.5"),
        ("99999999999999999999", "amounts go up to"),
    ):
        logged_in.find("Amount").clear().type(typed)
        logged_in.find("Save").click()
        await logged_in.should_see(message, retries=WAIT)
    logged_in.find("Amount").clear().type("12")
    logged_in.find("Date").clear().type("1026-11-28")
    logged_in.find("Save").click()
    await logged_in.should_see("outside the dates fintrack keeps", retries=WAIT)
    assert count_transactions() == 0


async def test_rules_categorize_a_transaction_entered_by_hand(logged_in: User) -> None:
    from fintrack import rules

    build.saved(build.account)
    with db.session() as s:
        sports = categories.create_category(s, "Sports")
        rules.save_rule(
            s, rules.RuleInput(name="Gym", payee_contains="gym", set_category_id=sports)
        )
    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("Left empty, your rules pick the category.", retries=WAIT)
    logged_in.find("Amount").type("50")
    logged_in.find("Payee").type("City Gym")
    logged_in.find("Save").click()
    await logged_in.should_see("1 transaction", retries=WAIT)
    (row,) = table_rows(logged_in)
    assert row["category"] == "Sports"


def chosen_account(user: User) -> int | None:
    (account,) = [e for e in user.find(ui.select).elements if e.props.get("label") == "Account"]
    return account.value


async def test_a_new_transaction_starts_in_the_filtered_then_the_last_used_account(
    logged_in: User,
) -> None:
    alpha = build.saved(build.account, "Alpha")
    savings = build.saved(build.account, "Savings")
    await logged_in.open(f"/transactions?account={savings}")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=WAIT)
    assert chosen_account(logged_in) == savings  # not Alpha, the first by name
    logged_in.find("Amount").type("5")
    logged_in.find("Save").click()
    await logged_in.should_see("1 transaction", retries=WAIT)
    with db.session() as s:
        assert s.scalar(select(Transaction.account_id)) == savings

    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=WAIT)
    assert chosen_account(logged_in) == savings
    await logged_in.open(f"/transactions?account={alpha}")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=WAIT)
    assert chosen_account(logged_in) == alpha


async def test_payee_type_ahead_lists_the_best_matches_from_all_payees(logged_in: User) -> None:
    with db.session() as s:
        account = build.account(s)
        for payee, uses in (("Aldi", 1), ("Waldi's Bar", 3), ("Kiosk", 2)):
            for _ in range(uses):
                build.entry(s, account, -900, payee=payee)
    await logged_in.open("/transactions")
    logged_in.find("Add transaction").click()
    await logged_in.should_see("New transaction", retries=WAIT)
    logged_in.find("Payee").type("ald")
    await logged_in.should_see("Waldi's Bar", retries=WAIT)
    # Those starting with the text first, then the most used; a click takes one.
    items = sorted(logged_in.find(ui.menu_item).elements, key=lambda item: item.id)
    names = [item.default_slot.children[0].text for item in items]
    assert names == ["Aldi", "Waldi's Bar"]
    UserInteraction(logged_in, {items[1]}, None).click()
    await eventually(lambda: logged_in.find("Payee").elements.pop().value == "Waldi's Bar")


async def test_the_empty_list_says_whether_there_are_none_or_none_match(logged_in: User) -> None:
    # The label is set with the rows and the count, once the list has loaded.
    await logged_in.open("/transactions")
    await logged_in.should_see("0 transactions")
    table = logged_in.find(ui.table).elements.pop()
    assert table.props["no-data-label"] == "No transactions yet: add one, or import a bank file."
    await logged_in.open("/transactions?q=nothing-like-this")
    await logged_in.should_see("0 transactions")
    table = logged_in.find(ui.table).elements.pop()
    assert table.props["no-data-label"] == "No transactions match these filters."
