"""Finding transactions: the query language, filters, pages and sums."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.orm import Session

from fintrack import money, reports, transaction_list, transactions
from fintrack.filters import TransactionFilters
from fintrack.models import Transaction
from fintrack.query import AmountRange, Query, QueryError, Term, parse_query
from tests import builders as build

# --- the query language -------------------------------------------------------------------


def test_words_fields_negation_and_or():
    query = parse_query('coffee payee:aldi,lidl -tag:work amount:10..20 after:2025-01-01 "a b"')
    assert query.terms == (
        Term("text", ("coffee",)),
        Term("payee", ("aldi", "lidl")),
        Term("tag", ("work",), negated=True),
        Term("amount", (AmountRange(1000, 2000),)),
        Term("after", (dt.date(2025, 1, 1),)),
        Term("text", ("a b",)),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("amount:>50", AmountRange(low=5000, low_open=True)),
        ("amount:>=50", AmountRange(low=5000)),
        ("amount:<10", AmountRange(high=1000, high_open=True)),
        ("amount:<=9.99", AmountRange(high=999)),
        ("amount:12.50", AmountRange(1250, 1250)),
        ("AMOUNT:12.50", AmountRange(1250, 1250)),
    ],
)
def test_amount_terms(text, expected):
    assert parse_query(text).terms[0].values == (expected,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("payee:", "payee: needs a value"),
        ("tag:a,,b", "tag: needs a value"),
        ("amount:lots", '"lots" is not an amount'),
        ("amount:20..10", "put the smaller amount first"),
        ("amount:<-50", "amounts are sizes without a sign"),
        ("is:big", "use is:expense"),
        ("before:2026-02-30", '"2026-02-30" is not a valid date'),
        ('payee:"aldi', "quote is not closed"),
    ],
)
def test_malformed_terms_say_what_is_wrong(text, message):
    with pytest.raises(QueryError, match=message):
        parse_query(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [("12:30", ("12:30",)), ("color:red", ("color:red",)), ('"re":invoice', ("re:invoice",))],
)
def test_a_word_before_a_colon_that_is_no_filter_is_free_text(text, words):
    assert parse_query(text).terms == (Term("text", words),)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_text_parses_or_gives_a_query_error(text):
    try:
        query = parse_query(text)
    except QueryError as error:
        assert str(error)
        return
    assert parse_query(str(query)) == query


words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters='"'), min_size=1, max_size=12
).filter(str.strip)
amounts = st.integers(min_value=0, max_value=10**9)
ranges = st.one_of(
    amounts.map(lambda a: AmountRange(a, a)),
    amounts.map(lambda a: AmountRange(low=a, low_open=True)),
    amounts.map(lambda a: AmountRange(high=a)),
    st.tuples(amounts, amounts).map(lambda p: AmountRange(min(p), max(p))),
)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2070, 12, 31))
terms = st.one_of(
    st.builds(
        Term,
        st.sampled_from(["text", "payee", "category", "account", "tag"]),
        st.lists(words, min_size=1, max_size=3, unique=True).map(tuple),
        st.booleans(),
    ),
    st.builds(Term, st.just("amount"), st.tuples(ranges), st.booleans()),
    st.builds(Term, st.sampled_from(["after", "before"]), st.tuples(dates), st.booleans()),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(terms, max_size=5).map(tuple))
def test_written_query_reads_back_the_same(query_terms):
    query = Query(query_terms)
    assert parse_query(str(query)) == query


# --- filters in the URL -------------------------------------------------------------------


def test_filters_round_trip_through_url_params():
    filters = TransactionFilters(
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 31),
        account_ids=[3, 4],
        category_id=7,
        tag="trip",
        amount_min=1000,
        amount_max=25050,
        uncategorized=True,
        text="payee:aldi",
    )
    params = filters.to_query_params()
    assert params["min"] == "10.00" and params["account"] == "3,4"
    assert TransactionFilters.from_query_params(params) == filters


def test_period_preset_in_url_sets_dates():
    filters = TransactionFilters.from_query_params(
        {"period": "last_month"}, today=dt.date(2026, 3, 14)
    )
    assert (filters.start, filters.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert filters.to_query_params() == {"period": "last_month"}


def test_unreadable_url_values_are_ignored():
    filters = TransactionFilters.from_query_params({"start": "soon", "account": "x", "min": "lots"})
    assert filters == TransactionFilters()


# --- against the database -----------------------------------------------------------------


@pytest.fixture
def ledger(session: Session) -> dict[str, int]:
    """Two accounts, a small category tree and a handful of transactions."""
    checking = build.account(session, "Checking")
    visa = build.account(session, "Visa Card", kind="credit_card")
    yen = build.account(session, "Yen Wallet", "JPY", kind="cash")
    food = build.category(session, "Food")
    groceries = build.category(session, "Food › Groceries")
    home = build.category(session, "Home")
    salary = build.category(session, "Salary", kind="income")

    def add(account, day, amount, payee, category=None, **kwargs):
        return build.entry(
            session, account, amount, dt.date(2026, 1, day), payee, category, **kwargs
        )

    ids = {
        "aldi": add(checking, 3, -4250, "ALDI SÜD 1234", groceries, tags=["weekly"]),
        "restaurant": add(visa, 5, -6000, "Trattoria", food, tags=["trip", "work"]),
        "salary": add(checking, 1, 300000, "ACME Corp", salary),
        "unsorted": add(checking, 9, -999, "Kiosk", notes="Newspaper"),
        "split": build.split(
            session, visa, [(groceries, -3000), (home, -2000)], dt.date(2026, 1, 10), "Market"
        ),
        "ramen": add(yen, 12, -1500, "Ramen Bar", food),
    }
    ids["transfer"], ids["transfer_in"] = build.transfer(
        session, checking, visa, 10000, dt.date(2026, 1, 15), payee="Pay card"
    )
    session.commit()
    ids.update(food=food, groceries=groceries, home=home, checking=checking)
    return ids


def found(session: Session, **kwargs) -> set[int]:
    page = transaction_list.list_transactions(session, TransactionFilters(**kwargs), page_size=250)
    assert page.total == len(page.rows)
    return {row.id for row in page.rows}


def test_category_filter_includes_sub_categories_and_split_lines(session, ledger):
    assert found(session, category_id=ledger["food"]) == {
        ledger["aldi"],
        ledger["restaurant"],
        ledger["split"],
        ledger["ramen"],
    }
    assert found(session, category_id=ledger["home"]) == {ledger["split"]}
    assert found(session, text="category:groceries") == {ledger["aldi"], ledger["split"]}
    assert ledger["split"] not in found(session, text="-category:home")


def test_uncategorized_leaves_out_splits_and_transfers(session, ledger):
    assert found(session, uncategorized=True) == {ledger["unsorted"]}


def test_text_searches_payee_and_notes_case_insensitively(session, ledger):
    assert found(session, text="newspaper") == {ledger["unsorted"]}
    assert found(session, text="payee:aldi") == {ledger["aldi"]}
    assert found(session, text="payee:sud") == {ledger["aldi"]}
    assert found(session, text="payee:aldi,kiosk") == {ledger["aldi"], ledger["unsorted"]}
    assert found(session, text="100%") == set()


def test_free_text_also_matches_category_paths(session, ledger):
    # "grocer" names no payee or note: it finds what is booked on, or split into, Groceries.
    assert found(session, text="grocer") == {ledger["aldi"], ledger["split"]}
    assert found(session, text="food") == {
        ledger["aldi"],
        ledger["restaurant"],
        ledger["split"],
        ledger["ramen"],
    }
    assert found(session, text="kiosk,grocer") == {
        ledger["aldi"],
        ledger["split"],
        ledger["unsorted"],
    }
    assert ledger["aldi"] not in found(session, text="-grocer")


def test_a_time_typed_as_free_text_searches_notes(session, ledger):
    transactions.create_transaction(
        session,
        transactions.TransactionInput(
            account_id=ledger["checking"],
            date=dt.date(2026, 1, 20),
            amount=-700,
            payee="Cinema",
            notes="Show at 12:30",
        ),
    )
    session.commit()
    assert len(found(session, text="12:30")) == 1


def test_tag_account_and_negation(session, ledger):
    assert found(session, text="tag:trip") == {ledger["restaurant"]}
    assert found(session, tag="WEEKLY") == {ledger["aldi"]}
    assert ledger["restaurant"] not in found(session, text="-tag:work")
    assert ledger["unsorted"] in found(session, text="-tag:work")
    assert found(session, text="account:visa -payee:pay") == {ledger["restaurant"], ledger["split"]}


def test_amount_bounds_compare_sizes_in_each_currency(session, ledger):
    assert found(session, text="amount:>50 amount:<=100") == {
        ledger["restaurant"],
        ledger["transfer"],
        ledger["transfer_in"],
    }
    assert found(session, amount_min=150000, amount_max=150000) == {ledger["ramen"]}
    assert found(session, text="amount:9.99") == {ledger["unsorted"]}


def test_dates_and_accounts(session, ledger):
    assert found(
        session,
        start=dt.date(2026, 1, 9),
        end=dt.date(2026, 1, 10),
        account_ids=[ledger["checking"]],
    ) == {ledger["unsorted"]}
    assert found(session, text="after:2026-01-12 before:2026-01-12") == {ledger["ramen"]}


def test_rows_carry_what_the_table_shows(session, ledger):
    rows = {r.id: r for r in transaction_list.list_transactions(session, TransactionFilters()).rows}
    aldi, transfer, split = rows[ledger["aldi"]], rows[ledger["transfer"]], rows[ledger["split"]]
    assert (aldi.account, aldi.currency, aldi.category, aldi.tags) == (
        "Checking",
        "EUR",
        "Food › Groceries",
        ["weekly"],
    )
    assert transfer.transfer_account == "Visa Card" and transfer.amount == -10000
    assert split.is_split and split.category == ""


def test_pages_are_stable_and_complete(session, ledger):
    # Same dates everywhere would make an unstable order without the id tie-breaker.
    account = ledger["checking"]
    for i in range(23):
        transactions.create_transaction(
            session,
            transactions.TransactionInput(account, dt.date(2026, 2, 1), -100 * (i % 3 + 1), "Same"),
        )
    session.commit()
    for sort, descending in (("date", True), ("amount", False), ("payee", True)):
        seen = []
        for page in range(1, 5):
            result = transaction_list.list_transactions(
                session,
                TransactionFilters(),
                page=page,
                page_size=9,
                sort=sort,
                descending=descending,
            )
            assert result.total == 31
            seen += [row.id for row in result.rows]
        assert len(seen) == len(set(seen)) == 31


def test_sort_by_amount_compares_major_units_across_currencies(session, ledger):
    rows = transaction_list.list_transactions(
        session, TransactionFilters(), sort="amount", descending=False
    ).rows
    in_major = [money.to_decimal(r.amount, r.currency) for r in rows]
    assert in_major == sorted(in_major)
    # 1,500 yen is a bigger amount than 100.00 euros, though it has fewer minor units.
    assert [rows[0].id, rows[1].id] == [ledger["ramen"], ledger["transfer"]]


def test_is_filters_by_direction_and_cleared(session, ledger):
    assert found(session, text="is:income") == {ledger["salary"], ledger["transfer_in"]}
    assert found(session, text="is:expense amount:>50") == {
        ledger["restaurant"],
        ledger["transfer"],
        ledger["ramen"],
    }
    session.execute(
        update(Transaction).where(Transaction.id == ledger["aldi"]).values(cleared=True)
    )
    assert ledger["aldi"] not in found(session, text="is:uncleared")
    assert found(session, text="is:cleared") == {ledger["aldi"]}


def test_a_mixed_sign_split_counts_each_line_by_its_direction(session, ledger):
    transactions.create_transaction(
        session,
        transactions.TransactionInput(
            account_id=ledger["checking"],
            date=dt.date(2026, 2, 1),
            amount=-5000,
            payee="Shop",
            splits=[
                transactions.SplitInput(ledger["groceries"], -6000),
                transactions.SplitInput(None, 1000),
            ],
        ),
    )
    (eur,) = transaction_list.summarize(session, TransactionFilters(text="payee:shop"))
    assert (eur.inflow, eur.outflow, eur.net) == (1000, -6000, -5000)
    february = reports.ReportFilters(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    totals = reports.period_report(session, february, [dt.date(2026, 2, 1)]).summary
    assert (totals["EUR"].income, totals["EUR"].expenses) == (1000, 6000)


def test_summaries_per_currency_leave_transfers_out_of_money(session, ledger):
    eur, jpy = transaction_list.summarize(session, TransactionFilters())
    assert (eur.currency, eur.count, eur.inflow, eur.outflow) == ("EUR", 7, 300000, -16249)
    assert eur.net == 300000 - 16249
    assert (jpy.currency, jpy.count, jpy.inflow, jpy.outflow, jpy.net) == (
        "JPY",
        1,
        0,
        -1500,
        -1500,
    )
    (only,) = transaction_list.summarize(session, TransactionFilters(text="payee:kiosk"))
    assert (only.count, only.net) == (1, -999)
    assert transaction_list.summarize(session, TransactionFilters(text="payee:nobody")) == []


def test_category_summary_counts_only_the_split_lines_in_it(session, ledger):
    eur, _ = transaction_list.summarize(session, TransactionFilters(category_id=ledger["food"]))
    assert (eur.count, eur.outflow) == (3, -4250 - 6000 - 3000)
    (home,) = transaction_list.summarize(session, TransactionFilters(category_id=ledger["home"]))
    assert (home.count, home.outflow, home.net) == (1, -2000, -2000)


def test_find_is_the_page_and_the_sums_together(session, ledger):
    for filters in (
        TransactionFilters(),
        TransactionFilters(category_id=ledger["food"]),
        TransactionFilters(text="payee:kiosk"),
        TransactionFilters(text="payee:nobody"),
    ):
        page, summaries = transaction_list.find(session, filters, page_size=3, sort="amount")
        assert page == transaction_list.list_transactions(
            session, filters, page_size=3, sort="amount"
        )
        assert summaries == transaction_list.summarize(session, filters)
    assert transaction_list.find(session, TransactionFilters())[0].total == 8


def test_malformed_search_text_raises_query_error(session, ledger):
    with pytest.raises(QueryError):
        transaction_list.list_transactions(session, TransactionFilters(text="amount:>>"))
