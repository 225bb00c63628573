"""Command line: `python -m fintrack <command>`; `--help` on each command."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from fintrack import auth, backup, config, db, errortracking, export, logs, money, twofactor, words
from fintrack.cli_errors import run


def _settings() -> config.Settings:
    try:
        settings = config.load()
    except config.ConfigError as error:
        print(f"fintrack: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    errortracking.init(settings)
    return settings


def _open_database(settings: config.Settings) -> None:
    """Bind the engine and bring the schema to head, as the app does at start."""
    db.connect_with_retry(db.init(settings.database_url))
    db.migrate(settings.database_direct_url or settings.database_url)


def cmd_hash_password(args: argparse.Namespace) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            print("fintrack: the passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if problem := auth.password_problem(password):
        print(f"fintrack: {problem[0].lower()}{problem[1:]}", file=sys.stderr)
        return 1
    print(auth.hash_password(password))
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    _open_database(_settings())
    with db.session() as s:
        cleared = auth.unlock(s)
    for (username, client), count in cleared.items():
        print(f"cleared {count} failed login{'s' * (count != 1)} for {username!r} from {client}")
    if not cleared:
        print("no failed logins to clear")
    return 0


def cmd_reset_2fa(args: argparse.Namespace) -> int:
    _open_database(_settings())
    with db.session() as s:
        was_on = twofactor.reset(s)
    print(
        "two-factor login is now off; turn it on again in Settings"
        if was_on
        else "two-factor login was not on"
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    url = settings.database_direct_url or settings.database_url
    db.connect_with_retry(db.init(url))
    db.migrate(url)
    # A log line, not a print: in production every output line must be JSON.
    logging.getLogger("fintrack").info("database schema is up to date")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _open_database(_settings())
    target = Path(args.output) if args.output else None
    # Written beside the target and renamed at the end: a failed export leaves no half file.
    partial = target.with_name(target.name + ".partial") if target else None
    with (
        (
            open(partial, "w", encoding="utf-8", newline="") if partial else nullcontext(sys.stdout)
        ) as out,
        db.session() as s,
    ):
        if args.format == "csv":
            summary = f"{export.export_transactions_csv(s, out):,} transaction rows"
        else:
            summary = backup.describe_counts(backup.write_backup(s, out))
    if target and partial:
        partial.replace(target)
    print(f"exported {summary}" + (f" to {target}" if target else ""), file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _open_database(_settings())
    try:
        with open(args.file, encoding="utf-8") as stream, db.session() as s:
            existing = backup.data_counts(s)
            if existing and args.replace:
                print(f"replacing {backup.describe_counts(existing)}", file=sys.stderr)
            restored = backup.restore_backup(s, stream, replace=args.replace)
    except OSError as error:
        print(f"fintrack: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 1
    except backup.NotEmptyError as error:
        print(
            f"fintrack: the database is not empty ({backup.describe_counts(error.counts)}); "
            "run again with --replace to replace all of it",
            file=sys.stderr,
        )
        return 1
    except backup.BackupError as error:
        print(f"fintrack: {args.file}: {error}", file=sys.stderr)
        return 1
    print(f"restored {backup.describe_counts(restored)}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from fintrack import demo  # only this command needs the generator

    _open_database(_settings())
    try:
        with db.session() as s:
            summary = demo.generate(s, transactions=args.transactions, seed=args.seed)
    except demo.DemoError as error:
        print(f"fintrack: {error}", file=sys.stderr)
        return 1
    print(
        f"loaded {summary.transactions:,} demo transactions from {summary.start} to "
        f"{summary.end} in {summary.seconds:.1f} s",
        file=sys.stderr,
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from fintrack import imports

    settings = _settings()
    currency = (args.currency or settings.default_currency).strip().upper()
    if not money.is_currency(currency):
        print(
            f"fintrack: --currency {args.currency} is not an ISO 4217 code (such as EUR or USD)",
            file=sys.stderr,
        )
        return 2
    named = dict(item.partition("=")[::2] for item in args.column or [])
    _open_database(settings)
    try:
        with db.session() as s:
            summary = imports.import_path(
                s,
                Path(args.file),
                args.account,
                currency,
                skip_errors=args.skip_errors,
                match=not args.no_match,
                keep_possible=args.keep_possible,
                payee_column=args.payee_column,
                columns=named,
                max_mb=settings.max_upload_mb,
            )
    except imports.ImportFileError as error:
        print(f"fintrack: {args.file}: {error}", file=sys.stderr)
        return 1
    for problem in summary.errors:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"imported {args.file} into {summary} (import {summary.batch_id})")
    if summary.possible:
        print(
            f"left out {words.count(summary.possible, 'possible duplicate')}: the account "
            "already holds the "
            "same amount within a few days; --keep-possible imports them",
            file=sys.stderr,
        )
    if summary.balance_check:
        print(summary.balance_check)
    return 0


def cmd_imports(args: argparse.Namespace) -> int:
    import json

    from fintrack.imports import history

    _open_database(_settings())
    if args.action == "undo":
        if args.id is None:
            print("fintrack: imports undo needs the import's ID", file=sys.stderr)
            return 2
        try:
            with db.session() as s:
                done = history.undo(s, args.id, force=args.force)
        except history.UndoError as error:
            hint = "; run again with --force to undo anyway" if error.preview else ""
            print(f"fintrack: {error}{hint}", file=sys.stderr)
            return 1
        print(f"undid import {args.id}: {done.describe()}")
        return 0
    with db.session() as s:
        batches = history.list_batches(s, limit=args.limit)
    if args.json:
        rows = [
            {
                "id": b.id,
                "account": b.account,
                "file": b.filename,
                "format": b.file_format,
                "imported_at": b.created_at.isoformat(),
                "new": b.imported,
                "duplicates": b.duplicates,
                "possible_duplicates": b.possible_duplicates,
                "matched": b.matched,
                "skipped": b.skipped,
                "undone_at": b.undone_at.isoformat() if b.undone_at else None,
            }
            for b in batches
        ]
        print(json.dumps(rows, indent=2))
        return 0
    for b in batches:
        state = f" (undone {b.undone_at:%Y-%m-%d %H:%M})" if b.undone_at else ""
        print(
            f"{b.id:>5}  {b.created_at:%Y-%m-%d %H:%M}  {b.account}  {b.filename}: "
            f"{b.imported} new, {b.duplicates} duplicate, {b.possible_duplicates} possible "
            f"duplicate, {b.matched} matched, {b.skipped} skipped{state}"
        )
    if not batches:
        print("no imports yet", file=sys.stderr)
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    import datetime as dt

    from sqlalchemy import select

    from fintrack import money, reconcile
    from fintrack.errors import InputError
    from fintrack.models import Account

    _open_database(_settings())
    try:
        on = dt.date.fromisoformat(args.date)
    except ValueError:
        print(f'fintrack: --date "{args.date}" is not a date (YYYY-MM-DD)', file=sys.stderr)
        return 2
    with db.session() as s:
        account = s.scalar(select(Account).where(Account.name == " ".join(args.account.split())))
        if account is None:
            print(f'fintrack: there is no account "{args.account}"', file=sys.stderr)
            return 1
        try:
            typed = money.parse_amount(args.balance, account.currency)
        except money.MoneyError as error:
            print(f"fintrack: --balance: {error}", file=sys.stderr)
            return 2
        statement = reconcile.statement_amount(account, typed)
        result = reconcile.reconciliation(s, account.id, statement, on)
        print(result.describe())
        for row in result.uncleared:
            amount = money.format_amount(row.amount, result.currency)
            print(f"  uncleared {row.date.isoformat()}  {row.payee or '(no payee)'}  {amount}")
        if result.uncleared_count > len(result.uncleared):
            print(f"  ... and {result.uncleared_count - len(result.uncleared)} more uncleared")
        if result.difference:
            return 1
        if args.commit:
            try:
                count = reconcile.commit(s, account.id, statement, on)
            except InputError as error:
                print(f"fintrack: {error}", file=sys.stderr)
                return 1
            print(f"reconciled {words.count(count, 'transaction')} up to {on.isoformat()}")
    return 0


def _day(text: str) -> dt.date:
    """A command-line date; argparse turns the ValueError into a one-line usage error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def cmd_rates(args: argparse.Namespace) -> int:
    from fintrack import rates

    _open_database(_settings())
    try:
        with db.session() as s:
            if args.action == "update":
                if args.file:
                    result = rates.update_from_file(s, Path(args.file))
                else:
                    result = rates.update_from_ecb(s)
                newest = result.newest.isoformat() if result.newest else "none"
                print(f"added {result.added:,} rates; newest {newest}")
            elif args.action == "set":
                row = rates.set_rate(s, args.date, args.code, args.rate)
                print(f"{row.date} {row.currency} {row.rate.normalize():f} per EUR (manual)")
            else:
                rates.ensure_seeded(s)
                day = args.date or dt.date.today()
                for row in rates.rates_on(s, day):
                    print(f"{row.currency} {row.rate.normalize():f} {row.date} {row.source}")
    except rates.RatesError as error:
        # The ECB's failure was noted in the database for Settings before this message.
        print(f"fintrack: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from fintrack import currency, net_worth, rates, report_json

    _open_database(_settings())
    with db.session() as s:
        rates.ensure_seeded(s)
        try:
            code = rates.check_code(args.currency) if args.currency else None
        except rates.RatesError as error:
            print(f"fintrack: {error}", file=sys.stderr)
            return 1
        code = code or currency.reporting_currency(s)
        if args.kind == "net-worth":
            day = args.date or dt.date.today()
            data = report_json.net_worth(net_worth.net_worth_at(s, day, code))
        else:
            if args.end < args.start:
                print("fintrack: --to is before --from", file=sys.stderr)
                return 1
            data = report_json.income_statement(s, args.start, args.end, code)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print(report_json.as_text(data))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fintrack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help: str):
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    command(
        "hash-password",
        cmd_hash_password,
        "read a password from stdin (or a no-echo prompt) and print its bcrypt hash",
    )
    command("migrate", cmd_migrate, "upgrade the database schema to the latest revision")
    command("unlock", cmd_unlock, "forget failed logins, so no address has to wait to log in")
    command(
        "reset-2fa",
        cmd_reset_2fa,
        "turn two-factor login off without a code (a lost phone); the password still applies",
    )
    exporter = command(
        "export",
        cmd_export,
        "write all transactions as CSV, or a full backup of every table as JSON",
    )
    exporter.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="csv: transactions for a spreadsheet (default); json: a backup for restore",
    )
    exporter.add_argument("--output", metavar="FILE", help="write here instead of to stdout")
    restorer = command("restore", cmd_restore, "load a JSON backup into the database")
    restorer.add_argument("file", metavar="FILE", help="a backup written by export --format json")
    restorer.add_argument(
        "--replace", action="store_true", help="replace the data of a database that is not empty"
    )
    demo_parser = command("demo", cmd_demo, "fill an empty database with realistic demo data")
    demo_parser.add_argument(
        "--transactions", type=int, default=5000, metavar="N", help="how many (default 5000)"
    )
    demo_parser.add_argument(
        "--seed", type=int, default=1, metavar="S", help="the same seed gives the same data"
    )
    importer = command(
        "import",
        cmd_import,
        "import a bank's CSV, Excel, OFX/QFX, QIF, camt.053/052 or MT940 export (format "
        "detected); re-imports add only new rows, possible duplicates are left out",
    )
    importer.add_argument("file", metavar="FILE", help="the exported file")
    importer.add_argument(
        "--account", required=True, metavar="NAME", help="the account (created if missing)"
    )
    importer.add_argument(
        "--currency", metavar="CODE", help="currency of a new account (default DEFAULT_CURRENCY)"
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
        "imports", cmd_imports, "list past imports (newest first), or undo one: imports undo ID"
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
        cmd_reconcile,
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
        "rates", cmd_rates, "exchange rates: update from the ECB or a file, set one, show them"
    )
    rate_actions = rates_parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    updater = rate_actions.add_parser(
        "update", help="add new ECB reference rates (from the ECB, or an ECB-format file)"
    )
    updater.add_argument("--file", metavar="PATH", help="an ECB-format CSV or zip file")
    setter = rate_actions.add_parser(
        "set", help="enter or override a rate: RATE units of CODE per 1 EUR on DATE"
    )
    setter.add_argument("date", type=_day, metavar="DATE", help="YYYY-MM-DD")
    setter.add_argument("code", metavar="CODE", help="currency code, e.g. USD")
    setter.add_argument("rate", metavar="RATE", help="units of CODE per 1 EUR, e.g. 1.0823")
    shower = rate_actions.add_parser("show", help="the rate of every currency on a day")
    shower.add_argument("--date", type=_day, metavar="D", help="YYYY-MM-DD (default today)")

    reporter = command("report", cmd_report, "net worth or income statement in one currency")
    report_kinds = reporter.add_subparsers(dest="kind", required=True, metavar="REPORT")
    worth = report_kinds.add_parser("net-worth", help="every account's balance, converted")
    worth.add_argument("--date", type=_day, metavar="D", help="YYYY-MM-DD (default today)")
    statement = report_kinds.add_parser(
        "income-statement", help="income and expenses by category and month, converted"
    )
    statement.add_argument("--from", dest="start", required=True, type=_day, metavar="D")
    statement.add_argument("--to", dest="end", required=True, type=_day, metavar="D")
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
