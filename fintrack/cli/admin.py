"""Commands that look after the installation: password hash, schema, login locks, 2FA."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from fintrack import auth, db, twofactor
from fintrack.cli.common import load_settings, open_database


def hash_password(args: argparse.Namespace) -> int:
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


def unlock(args: argparse.Namespace) -> int:
    open_database(load_settings())
    with db.session() as s:
        cleared = auth.unlock(s)
    for (username, client), count in cleared.items():
        print(f"cleared {count} failed login{'s' * (count != 1)} for {username!r} from {client}")
    if not cleared:
        print("no failed logins to clear")
    return 0


def reset_2fa(args: argparse.Namespace) -> int:
    open_database(load_settings())
    with db.session() as s:
        was_on = twofactor.reset(s)
    print(
        "two-factor login is now off; turn it on again in Settings"
        if was_on
        else "two-factor login was not on"
    )
    return 0


def migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    url = settings.database_direct_url or settings.database_url
    db.connect_with_retry(db.init(url))
    db.migrate(url)
    # A log line, not a print: in production every output line must be JSON.
    logging.getLogger("fintrack").info("database schema is up to date")
    return 0
