"""What every command shares: the settings, the database at head, command-line dates."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from fintrack import config, db, errortracking


def load_settings() -> config.Settings:
    try:
        settings = config.load()
    except config.ConfigError as error:
        print(f"fintrack: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    errortracking.init(settings)
    return settings


def open_database(settings: config.Settings) -> None:
    """Bind the engine and bring the schema to head, as the app does at start."""
    db.connect_with_retry(db.init(settings.database_url))
    db.migrate(settings.database_direct_url or settings.database_url)


def day(text: str) -> dt.date:
    """A command-line date; argparse turns the ValueError into a one-line usage error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None
