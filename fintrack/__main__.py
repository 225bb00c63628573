"""Command line: `python -m fintrack <command>`; `--help` on each command."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable

from fintrack import auth, config, db, logs


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
    if len(password) < 8:
        print("fintrack: use a password of at least 8 characters", file=sys.stderr)
        return 1
    print(auth.hash_password(password))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    url = settings.database_direct_url or settings.database_url
    db.connect_with_retry(db.init(url))
    db.migrate(url)
    print("database schema is up to date")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(production=False, level="WARNING")
    logging.getLogger("fintrack").setLevel("INFO")
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
