"""Command line: `python -m fintrack <command>`; `--help` on each command."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from fintrack import auth, backup, config, db, export, logs, money
from fintrack.errors import InputError


def _settings() -> config.Settings:
    try:
        return config.load()
    except config.ConfigError as error:
        print(f"fintrack: {error}", file=sys.stderr)
        raise SystemExit(2) from None


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
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        print(
            f"fintrack: use a password of at least {auth.MIN_PASSWORD_LENGTH} characters",
            file=sys.stderr,
        )
        return 1
    print(auth.hash_password(password))
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
                max_mb=settings.max_upload_mb,
            )
    except imports.ImportFileError as error:
        print(f"fintrack: {args.file}: {error}", file=sys.stderr)
        return 1
    for problem in summary.errors:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"imported {args.file} into {summary}")
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
        "import a bank's CSV, OFX/QFX or QIF export (format detected); re-imports add only "
        "new rows",
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
    return parser


def _first_line(error: BaseException) -> str:
    """The first line of an error's message (drivers add details and SQL on later lines)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _run(args: argparse.Namespace) -> int:
    """Run a command; every error a person can meet ends as one line on stderr, no traceback."""
    try:
        code = args.handler(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`export | head`): stop quietly, as other tools do. Point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("fintrack: interrupted", file=sys.stderr)
        return 130
    except OperationalError as error:
        print(f"fintrack: cannot reach the database: {_first_line(error)}", file=sys.stderr)
        return 1
    except (InputError, ValueError, OSError, SQLAlchemyError) as error:
        print(f"fintrack: {_first_line(error)}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    production = os.environ.get("APP_ENV", "").strip().lower() == "production"
    logs.configure(production=production, level="WARNING")
    logging.getLogger("fintrack").setLevel("INFO")
    return _run(args)


if __name__ == "__main__":
    raise SystemExit(main())
