"""Commands for a bank's files and statements: import, the import history, reconcile."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from fintrack import db, money, preferences, words
from fintrack.cli.common import load_settings, open_database


def import_file(args: argparse.Namespace) -> int:
    from fintrack import imports

    settings = load_settings()
    typed = (args.currency or "").strip().upper()
    if typed and not money.is_currency(typed):
        print(
            f"fintrack: --currency {args.currency} is not an ISO 4217 code (such as EUR or USD)",
            file=sys.stderr,
        )
        return 2
    named = dict(item.partition("=")[::2] for item in args.column or [])
    open_database(settings)
    try:
        with db.session() as s:
            summary = imports.import_path(
                s,
                Path(args.file),
                args.account,
                # A new account gets what Settings gives new accounts, as on the Import page.
                typed or preferences.default_currency(s),
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
            "already holds the same amount within a few days; --keep-possible imports them",
            file=sys.stderr,
        )
    if summary.balance_check:
        print(summary.balance_check)
    return 0


def import_history(args: argparse.Namespace) -> int:
    from fintrack.imports import history

    open_database(load_settings())
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


def reconcile_account(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from fintrack import reconcile
    from fintrack.errors import InputError
    from fintrack.models import Account

    open_database(load_settings())
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
