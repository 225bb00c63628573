"""Commands on exchange rates and converted reports."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from fintrack import db
from fintrack.cli.common import load_settings, open_database


def exchange_rates(args: argparse.Namespace) -> int:
    from fintrack import rates

    open_database(load_settings())
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


def report(args: argparse.Namespace) -> int:
    from fintrack import currency, net_worth, rates, report_json

    open_database(load_settings())
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
