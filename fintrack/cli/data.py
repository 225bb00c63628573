"""Commands that move whole data sets: export, restore, demo data."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path

from fintrack import backup, db, export
from fintrack.cli.common import load_settings, open_database


def export_data(args: argparse.Namespace) -> int:
    open_database(load_settings())
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


def restore(args: argparse.Namespace) -> int:
    open_database(load_settings())
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


def load_demo(args: argparse.Namespace) -> int:
    from fintrack import demo  # only this command needs the generator

    open_database(load_settings())
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
