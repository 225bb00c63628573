"""Reports over long spans: yearly columns instead of hundreds of months."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from fintrack import dashboard, periods, reports, transactions
from fintrack.models import Account, Category

D = dt.date


def test_columns_are_months_up_to_three_years_then_years() -> None:
    assert len(periods.columns(D(2024, 1, 1), D(2026, 12, 1))) == 36
    years = periods.columns(D(1990, 5, 1), D(2026, 11, 1))
    assert years[0] == D(1990, 1, 1) and years[-1] == D(2026, 1, 1) and len(years) == 37
    assert periods.is_yearly(years)
    assert not periods.is_yearly(periods.columns(D(2026, 1, 1), D(2026, 2, 1)))
    assert periods.column_label(D(2026, 1, 1), True) == "2026"


def test_all_time_from_a_1990_transaction_reports_by_year(session: Session) -> None:
    account = Account(name="Checking", currency="EUR")
    food = Category(name="Food")
    session.add_all([account, food])
    session.flush()
    for day, amount in ((D(1990, 3, 5), -1_000), (D(1990, 11, 5), -2_000), (D(2026, 2, 1), -500)):
        transactions.create_transaction(
            session,
            transactions.TransactionInput(account.id, day, amount, "Shop", category_id=food.id),
        )
    columns = periods.columns(D(1990, 3, 1), D(2026, 11, 1))
    filters = reports.ReportFilters(D(1990, 3, 1), D(2026, 11, 30))

    report = reports.period_report(session, filters, columns)
    statement = report.statements["EUR"]
    food_row = next(r for r in statement.rows if r.label == "Food")

    assert len(statement.months) == 37
    assert food_row.values[0] == 3_000 and food_row.values[-1] == 500
    assert food_row.total == 3_500
    flows = report.flows["EUR"]
    assert [f.expenses for f in flows if f.expenses] == [3_000, 500]

    board = dashboard.dashboard(session, "all", today=D(2026, 11, 29))
    assert len(board.months) == 37
    assert board.summary.expenses == 3_500
