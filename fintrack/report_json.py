"""Reports as plain data to hand out: JSON for the command line (amounts as decimal strings)
and the income statement as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy.orm import Session

from fintrack import export, flows, money, periods, reports
from fintrack.net_worth import NetWorth


def _rate(value: Any) -> str | None:
    return None if value is None else f"{value:f}"


def net_worth(worth: NetWorth) -> dict[str, Any]:
    """`report net-worth --json`: the total, every account, and what could not be converted."""
    return {
        "date": worth.date.isoformat(),
        "currency": worth.currency,
        "net_worth": money.format_plain(worth.net_worth, worth.currency),
        "accounts": [
            {
                "name": account.name,
                "currency": account.currency,
                "balance": money.format_plain(account.balance, account.currency),
                "converted": None
                if account.converted is None
                else money.format_plain(account.converted, worth.currency),
                "rate": _rate(account.rate),
                "rate_date": account.rate_date.isoformat() if account.rate_date else None,
            }
            for account in worth.accounts
        ],
        "unconverted": worth.unconverted,
    }


def income_statement(
    session: Session, start: dt.date, end: dt.date, currency: str
) -> dict[str, Any]:
    """`report income-statement --json`: rows by month and total, converted into `currency`."""
    months = periods.months_between(periods.month_start(start), periods.month_start(end))
    report = reports.period_report(
        session, flows.ReportFilters(start, end), months, currency=currency
    )
    statement = report.statements[currency]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "currency": currency,
        "months": [m.strftime("%Y-%m") for m in months],
        "rows": [
            {
                "label": row.label,
                "kind": row.kind,
                "depth": row.depth,
                "values": [money.format_plain(v, currency) for v in row.values],
                "total": money.format_plain(row.total, currency),
            }
            for row in statement.rows
        ],
        "unconverted": statement.unconverted,
    }


def as_text(data: dict[str, Any]) -> str:
    """Either report as aligned plain text, for a person at a terminal."""
    code = data["currency"]
    if "accounts" in data:
        lines = [f"Net worth on {data['date']}: {data['net_worth']} {code}"]
        for account in data["accounts"]:
            converted = account["converted"] or "no rate"
            lines.append(
                f"  {account['name']:<30} {account['balance']:>14} {account['currency']}"
                f"  = {converted:>14} {code}"
                + (f"  at {account['rate']} ({account['rate_date']})" if account["rate"] else "")
            )
    else:
        lines = [f"Income statement {data['from']} to {data['to']} in {code}"]
        for row in data["rows"]:
            lines.append(f"  {'  ' * row['depth'] + row['label']:<34} {row['total']:>14}")
    if data["unconverted"]:
        lines.append("Not converted (no rate): " + ", ".join(data["unconverted"]))
    return "\n".join(lines)


def statement_csv(statement: reports.Statement) -> str:
    """The income statement as CSV: each category with the path of its parent in a column of
    its own (a spreadsheet can filter and pivot by it), plain decimal amounts, one column per
    month (or year, over long spans), then total."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yearly = periods.is_yearly(statement.months)
    labels = (periods.column_label(m, yearly) for m in statement.months)
    writer.writerow(["Category", "Parent", "Kind", *labels, "Total"])
    ancestors: list[str] = []
    for row in statement.rows:
        del ancestors[row.depth :]
        writer.writerow(
            [
                export.text_cell(row.label),
                export.text_cell(" › ".join(ancestors)),
                row.kind,
                *(money.format_plain(v, statement.currency) for v in row.values),
                money.format_plain(row.total, statement.currency),
            ]
        )
        ancestors.append(row.label)
    return buffer.getvalue()


def payees_csv(payees: list[reports.PayeeTotal], currency: str) -> str:
    """The top payees as CSV: payee, number of transactions, amount spent."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Payee", "Transactions", f"Spent ({currency})"])
    for payee in payees:
        writer.writerow(
            [export.text_cell(payee.payee), payee.count, money.format_plain(payee.spent, currency)]
        )
    return buffer.getvalue()
