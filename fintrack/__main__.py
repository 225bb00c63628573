"""Command line: `python -m fintrack <command>`; `--help` on each command."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable

from fintrack import logs
from fintrack.cli import admin, bank, data, reports
from fintrack.cli.common import day
from fintrack.cli.errors import run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fintrack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    command(
        "hash-password",
        admin.hash_password,
        "read a password from stdin (or a no-echo prompt) and print its bcrypt hash",
    )
    command("migrate", admin.migrate, "upgrade the database schema to the latest revision")
    command("unlock", admin.unlock, "forget failed logins, so no address has to wait to log in")
    command(
        "reset-2fa",
        admin.reset_2fa,
        "turn two-factor login off without a code (a lost phone); the password still applies",
    )
    exporter = command(
        "export",
        data.export_data,
        "write all transactions as CSV, or a full backup of every table as JSON",
    )
    exporter.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="csv: transactions for a spreadsheet (default); json: a backup for restore",
    )
    exporter.add_argument("--output", metavar="FILE", help="write here instead of to stdout")
    restorer = command("restore", data.restore, "load a JSON backup into the database")
    restorer.add_argument("file", metavar="FILE", help="a backup written by export --format json")
    restorer.add_argument(
        "--replace", action="store_true", help="replace the data of a database that is not empty"
    )
    demo_parser = command("demo", data.load_demo, "fill an empty database with realistic demo data")
    demo_parser.add_argument(
        "--transactions", type=int, default=5000, metavar="N", help="how many (default 5000)"
    )
    demo_parser.add_argument(
        "--seed", type=int, default=1, metavar="S", help="the same seed gives the same data"
    )
    importer = command(
        "import",
        bank.import_file,
        "import a bank's CSV, Excel, OFX/QFX, QIF, camt.053/052 or MT940 export (format "
        "detected); re-imports add only new rows, possible duplicates are left out",
    )
    importer.add_argument("file", metavar="FILE", help="the exported file")
    importer.add_argument(
        "--account", required=True, metavar="NAME", help="the account (created if missing)"
    )
    importer.add_argument(
        "--currency",
        metavar="CODE",
        help="currency of a new account (default: the Settings choice)",
    )
    importer.add_argument(
        "--skip-errors", action="store_true", help="skip rows that cannot be read and list them"
    )
    importer.add_argument(
        "--no-match",
        action="store_true",
        help="import rows as new even when a hand-typed transaction matches",
    )
    importer.add_argument(
        "--keep-possible",
        action="store_true",
        help="import rows even when the account holds the same amount within a few days "
        "(possible duplicates are left out and counted otherwise)",
    )
    importer.add_argument(
        "--payee-column",
        metavar="NAME",
        help="the CSV column holding the payee or description, when it is not found",
    )
    importer.add_argument(
        "--column",
        action="append",
        metavar="ROLE=NAME",
        help='the CSV column of a role, e.g. original_amount="Foreign amount" or '
        "original_currency=Currency (repeatable)",
    )
    history_parser = command(
        "imports",
        bank.import_history,
        "list past imports (newest first), or undo one: imports undo ID",
    )
    history_parser.add_argument(
        "action", nargs="?", choices=("list", "undo"), default="list", help="list (default) or undo"
    )
    history_parser.add_argument("id", nargs="?", type=int, metavar="ID", help="the import to undo")
    history_parser.add_argument("--json", action="store_true", help="print the list as JSON")
    history_parser.add_argument(
        "--limit", type=int, default=50, metavar="N", help="how many to list (default 50)"
    )
    history_parser.add_argument(
        "--force",
        action="store_true",
        help="undo even when rows were edited or reconciled since the import",
    )
    reconciler = command(
        "reconcile",
        bank.reconcile_account,
        "compare the bank's balance at a date with the account's cleared transactions; "
        "non-zero exit when they differ",
    )
    reconciler.add_argument("--account", required=True, metavar="NAME", help="the account")
    reconciler.add_argument(
        "--balance",
        required=True,
        metavar="AMOUNT",
        help="the bank's balance (for a card or loan: the amount owed)",
    )
    reconciler.add_argument("--date", required=True, metavar="D", help="the statement date")
    reconciler.add_argument(
        "--commit",
        action="store_true",
        help="when the difference is zero, mark the cleared transactions reconciled",
    )
    rates_parser = command(
        "rates",
        reports.exchange_rates,
        "exchange rates: update from the ECB or a file, set one, show them",
    )
    rate_actions = rates_parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    updater = rate_actions.add_parser(
        "update", help="add new ECB reference rates (from the ECB, or an ECB-format file)"
    )
    updater.add_argument("--file", metavar="PATH", help="an ECB-format CSV or zip file")
    setter = rate_actions.add_parser(
        "set", help="enter or override a rate: RATE units of CODE per 1 EUR on DATE"
    )
    setter.add_argument("date", type=day, metavar="DATE", help="YYYY-MM-DD")
    setter.add_argument("code", metavar="CODE", help="currency code, e.g. USD")
    setter.add_argument("rate", metavar="RATE", help="units of CODE per 1 EUR, e.g. 1.0823")
    shower = rate_actions.add_parser("show", help="the rate of every currency on a day")
    shower.add_argument("--date", type=day, metavar="D", help="YYYY-MM-DD (default today)")

    reporter = command("report", reports.report, "net worth or income statement in one currency")
    report_kinds = reporter.add_subparsers(dest="kind", required=True, metavar="REPORT")
    worth = report_kinds.add_parser("net-worth", help="every account's balance, converted")
    worth.add_argument("--date", type=day, metavar="D", help="YYYY-MM-DD (default today)")
    statement = report_kinds.add_parser(
        "income-statement", help="income and expenses by category and month, converted"
    )
    statement.add_argument("--from", dest="start", required=True, type=day, metavar="D")
    statement.add_argument("--to", dest="end", required=True, type=day, metavar="D")
    for sub in (worth, statement):
        sub.add_argument(
            "--currency", metavar="C", help="convert into C (default: the reporting currency)"
        )
        sub.add_argument("--json", action="store_true", help="print JSON (amounts as strings)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    production = os.environ.get("APP_ENV", "").strip().lower() == "production"
    logs.configure(production=production, level="WARNING")
    logging.getLogger("fintrack").setLevel("INFO")
    return run(args.handler, args)


if __name__ == "__main__":
    raise SystemExit(main())
