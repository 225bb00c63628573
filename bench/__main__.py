"""`python -m bench [--transactions N] [--database-url URL]`: one JSON object of figures.

Loads N demo transactions into a fresh database (a temporary SQLite file, or a PostgreSQL
database whose public schema is dropped and recreated), then runs every figure module.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from fintrack import db

# Each module has `figures(session, transactions) -> dict`; the ledger one loads the data.
MODULES = (
    "bench.ledger",
    "bench.imports",
    "bench.reports",
    "bench.rates",
)


def fresh_database(url: str | None, folder: Path, keep: bool = False) -> str:
    """A migrated database: a new SQLite file, or the given one reset (or kept as it is)."""
    if not url:
        url = f"sqlite:///{folder / 'bench.db'}"
    elif not db.normalize_url(url).startswith("postgresql"):
        raise SystemExit("bench: --database-url must be a PostgreSQL URL")
    elif not keep:
        engine = db.make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    db.migrate(url)
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--transactions", type=int, default=100_000, metavar="N")
    parser.add_argument(
        "--database-url", metavar="URL", help="PostgreSQL database to RESET and use"
    )
    parser.add_argument(
        "--only", nargs="*", metavar="MODULE", help="run only these modules (e.g. bench.ledger)"
    )
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="measure the rows already in --database-url instead of resetting it",
    )
    args = parser.parse_args(argv)
    result: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(args.database_url, Path(folder), args.keep_data)
        engine = db.init(url)
        for name in MODULES:
            if args.only and name not in args.only:
                continue
            module = importlib.import_module(name)
            with Session(engine, expire_on_commit=False) as session:
                figures = module.figures(session, args.transactions)
                session.commit()
            result.update(figures)
            # Progress for long runs; stdout keeps the one JSON object.
            print(f"{name}: {json.dumps(figures)}", file=sys.stderr, flush=True)
        engine.dispose()
    # Linux reports kilobytes.
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
