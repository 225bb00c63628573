"""Report figures against numbers worked out by hand on a small fixed ledger.

The ledger (EUR unless said otherwise), with Food > Groceries, Food > Restaurants:
January 2026: salary +3000, rent -1000, groceries -50 on the card, a split -120 (groceries -80,
restaurants -40), a transfer of 500 to savings, a card payment of 50 (a transfer), an
uncategorized -30, a restaurant refund +10 on the card; in USD salary +100, groceries -40.
February 2026: salary +3000, interest +5, restaurants -200 on the card, uncategorized +20.
One rate is typed in: 2 USD per EUR from 2025-12-01, so the dashboard (in EUR) counts the USD
salary as +50, its groceries as 20 of spending, and its balance of 60 USD as 30.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from fintrack import categories, dashboard, flows, net_worth, rates, report_json, reports
from fintrack.models import Category
from fintrack.periods import Period
from tests import builders as build

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
JAN_FEB = reports.ReportFilters(JAN, dt.date(2026, 2, 28))


def eur(major: str) -> int:
    return int(Decimal(major) * 100)


@pytest.fixture
def ledger(session: Session) -> dict[str, int]:
    checking = build.account(session, "Checking", opening=eur("1000"), opened=JAN)
    card = build.account(session, "Card", kind="credit_card", opening=eur("-100"))
    savings = build.account(session, "Savings", kind="savings")
    dollars = build.account(session, "US Checking", "USD")
    food = build.category(session, "Food")
    groceries = build.category(session, "Food › Groceries")
    restaurants = build.category(session, "Food › Restaurants")
    housing = build.category(session, "Housing")
    salary = build.category(session, "Salary", kind="income")
    interest = build.category(session, "Interest", kind="income")
    rates.set_rate(session, dt.date(2025, 12, 1), "USD", "2")

    def add(account: int, day: int, month: int, amount: str, payee: str, category=None) -> None:
        build.entry(session, account, eur(amount), dt.date(2026, month, day), payee, category)

    def transfer(source: int, target: int, day: int, amount: str) -> None:
        build.transfer(
            session, source, target, eur(amount), dt.date(2026, 1, day), payee="Transfer"
        )

    add(checking, 1, 1, "3000", "ACME Corp", salary)
    add(checking, 2, 1, "-1000", "Landlord", housing)
    add(card, 5, 1, "-50", "Aldi", groceries)
    lines = [(groceries, eur("-80")), (restaurants, eur("-40"))]
    build.split(session, checking, lines, dt.date(2026, 1, 10), "Market Hall")
    transfer(checking, savings, 15, "500")
    transfer(checking, card, 20, "50")
    add(checking, 25, 1, "-30", "Kiosk")
    add(card, 26, 1, "10", "Bistro", restaurants)
    add(dollars, 3, 1, "100", "ACME Inc", salary)
    add(dollars, 4, 1, "-40", "Walmart", groceries)
    add(checking, 1, 2, "3000", "ACME Corp", salary)
    add(savings, 2, 2, "5", "Bank", interest)
    add(card, 3, 2, "-200", "Bistro", restaurants)
    add(checking, 4, 2, "20", "Someone")
    session.commit()
    return {
        "food": food,
        "groceries": groceries,
        "restaurants": restaurants,
        "housing": housing,
        "salary": salary,
        "checking": checking,
        "card": card,
    }


def by_name(totals: list[reports.CategoryTotal], kind: str) -> dict[str, int]:
    return {c.name: c.total for c in totals if c.kind == kind}


def report(session: Session, filters: reports.ReportFilters, months: list[dt.date] | None = None):
    return reports.period_report(session, filters, months or [JAN, FEB])


def test_summary_ignores_transfers_and_keeps_currencies_apart(session, ledger) -> None:
    january = report(session, reports.ReportFilters(JAN, dt.date(2026, 1, 31)), [JAN]).summary
    assert january["EUR"] == reports.PeriodSummary(income=eur("3000"), expenses=eur("1190"))
    assert january["USD"] == reports.PeriodSummary(income=eur("100"), expenses=eur("40"))
    assert january["EUR"].savings_rate == Decimal("60.3")


@pytest.mark.parametrize(
    ("income", "expenses", "shown"), [(100000, 100001, "0.0"), (3, 4, "-33.3")]
)
def test_savings_rate_rounded_to_zero_has_no_sign(income: int, expenses: int, shown: str) -> None:
    assert f"{reports.PeriodSummary(income, expenses).savings_rate}" == shown


def test_category_totals_roll_splits_and_refunds_into_parents(session, ledger) -> None:
    totals = report(session, reports.ReportFilters(JAN, dt.date(2026, 1, 31)), [JAN]).totals
    expenses = by_name(totals["EUR"], "expense")
    assert expenses == {
        "Food": eur("160"),
        "Groceries": eur("130"),
        "Restaurants": eur("30"),
        "Housing": eur("1000"),
        "Uncategorized": eur("30"),
    }
    assert by_name(totals["EUR"], "income") == {"Salary": eur("3000")}
    assert by_name(totals["USD"], "expense") == {"Food": eur("40"), "Groceries": eur("40")}
    food = next(c for c in totals["EUR"] if c.name == "Food")
    color = session.get(Category, ledger["food"]).color
    assert (food.own, food.color, food.depth) == (0, color, 0)
    groceries = next(c for c in totals["EUR"] if c.name == "Groceries")
    assert (groceries.parent_id, groceries.depth) == (ledger["food"], 1)
    tops = [c.name for c in reports.top_level(totals["EUR"], "expense")]
    assert tops == ["Housing", "Food", "Uncategorized"]


def test_account_filter_limits_lines(session, ledger) -> None:
    card_only = reports.ReportFilters(JAN, dt.date(2026, 2, 28), (ledger["card"],))
    expenses = by_name(report(session, card_only).totals["EUR"], "expense")
    assert expenses == {"Food": eur("240"), "Groceries": eur("50"), "Restaurants": eur("190")}


def test_monthly_flows_has_every_month(session, ledger) -> None:
    months = [dt.date(2025, 12, 1), JAN, FEB]
    flows = report(session, reports.ReportFilters(months[0], dt.date(2026, 2, 28)), months).flows
    assert [(f.income, f.expenses, f.net) for f in flows["EUR"]] == [
        (0, 0, 0),
        (eur("3000"), eur("1190"), eur("1810")),
        (eur("3025"), eur("200"), eur("2825")),
    ]


def test_net_worth_series_month_ends_with_liabilities_apart(session, ledger) -> None:
    series = net_worth.net_worth_series(session, dt.date(2025, 12, 1), FEB)
    eur_points = [(p.month, p.assets, p.liabilities, p.net_worth) for p in series["EUR"]]
    assert eur_points == [
        (dt.date(2025, 12, 1), 0, eur("-100"), eur("-100")),
        (JAN, eur("2800"), eur("-90"), eur("2710")),
        (FEB, eur("5825"), eur("-290"), eur("5535")),
    ]
    assert [p.net_worth for p in series["USD"]] == [0, eur("60"), eur("60")]
    mid_january = net_worth.balances_at(session, dt.date(2026, 1, 12))["EUR"]
    # 1000 + 3000 - 1000 - 120 on checking; -100 - 50 on the card.
    assert (mid_january.assets, mid_january.liabilities) == (eur("2880"), eur("-150"))


def test_income_statement_with_subtotals_and_csv(session, ledger) -> None:
    statement = report(session, JAN_FEB).statements["EUR"]
    rows = [(r.label, r.depth, r.values, r.total) for r in statement.rows]
    assert rows == [
        ("Interest", 0, [0, eur("5")], eur("5")),
        ("Salary", 0, [eur("3000"), eur("3000")], eur("6000")),
        ("Uncategorized", 0, [0, eur("20")], eur("20")),
        ("Total income", 0, [eur("3000"), eur("3025")], eur("6025")),
        ("Food", 0, [eur("160"), eur("200")], eur("360")),
        ("Groceries", 1, [eur("130"), 0], eur("130")),
        ("Restaurants", 1, [eur("30"), eur("200")], eur("230")),
        ("Housing", 0, [eur("1000"), 0], eur("1000")),
        ("Uncategorized", 0, [eur("30"), 0], eur("30")),
        ("Total expenses", 0, [eur("1190"), eur("200")], eur("1390")),
        ("Net", 0, [eur("1810"), eur("2825")], eur("4635")),
    ]
    lines = report_json.statement_csv(statement).splitlines()
    assert lines[0] == "Category,Parent,Kind,2026-01,2026-02,Total"
    # The parent in a column of its own, not spaces before the name.
    assert "Food,,expense,160.00,200.00,360.00" in lines
    assert "Groceries,Food,expense,130.00,0.00,130.00" in lines
    assert "Housing,,expense,1000.00,0.00,1000.00" in lines
    assert lines[-1] == "Net,,net,1810.00,2825.00,4635.00"


def test_statement_csv_keeps_formulas_out(session, ledger) -> None:
    session.get(Category, ledger["housing"]).name = "=HYPERLINK(1)"
    session.commit()
    statement = report(session, JAN_FEB).statements["EUR"]
    assert "'=HYPERLINK(1),,expense,1000.00,0.00,1000.00" in report_json.statement_csv(statement)


def test_category_trend_includes_sub_categories(session, ledger) -> None:
    trend = reports.period_report(
        session, JAN_FEB, [JAN, FEB], [ledger["food"], ledger["restaurants"]]
    ).trend
    assert [(s.category.name, s.values) for s in trend["EUR"]] == [
        ("Food", [eur("160"), eur("200")]),
        ("Restaurants", [eur("30"), eur("200")]),
    ]


def test_top_payees_by_spending_without_transfers(session, ledger) -> None:
    payees = reports.top_payees(session, JAN_FEB, limit=4)
    assert [(p.payee, p.count, p.spent) for p in payees["EUR"]] == [
        ("Landlord", 1, eur("1000")),
        ("Bistro", 2, eur("190")),
        ("Market Hall", 1, eur("120")),
        ("Aldi", 1, eur("50")),
    ]
    assert [p.payee for p in payees["USD"]] == ["Walmart"]
    only_usd = reports.top_payees(session, JAN_FEB, limit=4, currency="USD")
    assert only_usd == {"USD": payees["USD"]}
    assert report_json.payees_csv(payees["EUR"][:2], "EUR").splitlines() == [
        "Payee,Transactions,Spent (EUR)",
        "Landlord,1,1000.00",
        "Bistro,2,190.00",
    ]


def test_dashboard_compares_with_previous_month(session, ledger) -> None:
    board = dashboard.dashboard(session, "this_month", today=dt.date(2026, 2, 15))
    assert board.currency == "EUR"
    assert board.unconverted == [] and board.converted
    assert board.period == Period(FEB, dt.date(2026, 2, 28))
    assert board.summary == reports.PeriodSummary(eur("3025"), eur("200"))
    assert board.previous_summary == reports.PeriodSummary(eur("3050"), eur("1210"))
    assert (board.net_worth, board.previous_net_worth) == (eur("5565"), eur("2740"))
    assert [(c.name, c.total) for c in board.spending] == [("Food", eur("200"))]
    assert len(board.months) == 12 and board.months[-1].month == FEB
    assert board.months[-2].expenses == eur("1210")
    assert board.net_worth_series[-1].net_worth == eur("5565")


def test_dashboard_all_time_starts_at_first_transaction(session, ledger) -> None:
    board = dashboard.dashboard(session, "all", today=dt.date(2026, 2, 15))
    assert board.period.start == JAN
    assert board.previous_summary is None and board.previous_net_worth is None
    assert board.summary == reports.PeriodSummary(eur("6075"), eur("1410"))


def test_empty_database_has_no_data_and_zero_dashboard(session) -> None:
    assert not reports.has_data(session)
    board = dashboard.dashboard(session, "this_month", today=dt.date(2026, 2, 15))
    assert board.summary == reports.PeriodSummary(0, 0)
    assert board.summary.savings_rate is None
    assert board.spending == [] and board.net_worth == 0


def test_category_color_is_stable_by_id() -> None:
    assert categories.category_color(7, None) in categories.PALETTE
    assert categories.category_color(None, None) == categories.UNCATEGORIZED_COLOR
    assert categories.category_color(7, None) != categories.category_color(8, None)
    assert categories.category_color(7, "#ABCDEF") == "#ABCDEF"


def test_the_trend_follows_the_largest_expenses_or_the_chosen_categories(session, ledger) -> None:
    whole = report(session, JAN_FEB)
    # Without a choice the trend follows the largest top-level expense categories.
    assert [s.category.name for s in whole.trend["EUR"]] == ["Housing", "Food"]
    assert whole.trend["EUR"][1].values == [eur("160"), eur("200")]
    chosen = reports.period_report(session, JAN_FEB, [JAN, FEB], [ledger["restaurants"]])
    assert [s.values for s in chosen.trend["EUR"]] == [[eur("30"), eur("200")]]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_months_lines_are_found_by_date_not_by_the_transfer_index(session: Session) -> None:
    # SQLite takes the transfer_id index for `transfer_id IS NULL` (nearly every row) and then
    # reads the whole ledger for one month of a report or budget.
    lines = flows.lines(reports.ReportFilters(JAN, dt.date(2026, 1, 31)))
    query = select(lines.c.amount).compile(
        session.get_bind(), compile_kwargs={"literal_binds": True}
    )
    plan = " ".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {query}")))
    assert "ix_transactions_transfer_id" not in plan
    assert "ix_transactions_date" in plan
