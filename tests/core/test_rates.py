"""Exchange rates: the ECB file format, storing and updating, manual rates, look-ups."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from fintrack import backup, currency, rates
from fintrack.models import Account, Rate

# The history file's layout: newest first, a trailing comma, `N/A` for a currency that did
# not exist yet (ZZZ starts on the 6th), a weekend missing (the 3rd and 4th).
HISTORY = """Date,USD,JPY,ZZZ,
2026-01-06,1.1700,183.50,2.5,
2026-01-05,1.1600,182.00,N/A,
2026-01-02,1.1500,181.25,N/A,
"""
# The daily file's layout: long dates and spaces after the commas.
DAILY = """Date, USD, JPY, GBP,
7 January 2026, 1.1800, 184.00, 0.85000,
"""


def test_history_format_skips_na_and_reads_late_currencies() -> None:
    rows = list(rates.parse_ecb_csv(HISTORY))
    assert (dt.date(2026, 1, 6), "ZZZ", Decimal("2.5")) in rows
    assert [r for r in rows if r[1] == "ZZZ"] == [(dt.date(2026, 1, 6), "ZZZ", Decimal("2.5"))]
    assert len(rows) == 7
    assert (dt.date(2026, 1, 2), "JPY", Decimal("181.25")) in rows


def test_daily_format_with_spaces_and_long_dates() -> None:
    rows = list(rates.parse_ecb_csv(DAILY))
    assert rows == [
        (dt.date(2026, 1, 7), "USD", Decimal("1.1800")),
        (dt.date(2026, 1, 7), "JPY", Decimal("184.00")),
        (dt.date(2026, 1, 7), "GBP", Decimal("0.85000")),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Day,USD\n2026-01-02,1.1\n", "first column is not Date"),
        ("Date,USD\n2026-13-02,1.1\n", "is not a date"),
        ("Date,USD\n2026-01-02,one\n", "line 2: 'one' is not a rate for USD"),
        ("Date,USD\n2026-01-02,-1\n", "is not a rate for USD"),
        ("Date,US\n2026-01-02,1\n", "is not a currency code"),
    ],
)
def test_broken_files_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(rates.RatesError, match=message):
        list(rates.parse_ecb_csv(text))


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("eurofxref-hist.csv", text)
    return buffer.getvalue()


def test_zip_and_csv_files_read_the_same() -> None:
    assert rates.read_ecb_bytes(_zip(HISTORY)) == rates.read_ecb_bytes(HISTORY.encode())


def test_update_adds_only_new_days_and_keeps_manual_rates(session: Session, tmp_path: Path) -> None:
    history = tmp_path / "hist.zip"
    history.write_bytes(_zip(HISTORY))
    assert rates.update_from_file(session, history) == rates.UpdateResult(7, dt.date(2026, 1, 6))
    # A rate typed for a later day wins over the ECB's for that day.
    rates.set_rate(session, dt.date(2026, 1, 7), "usd", "1.2")
    daily = tmp_path / "daily.csv"
    daily.write_text(DAILY)
    result = rates.update_from_file(session, daily)
    assert result == rates.UpdateResult(2, dt.date(2026, 1, 7))  # JPY and GBP, not USD
    usd = session.get(Rate, ("USD", dt.date(2026, 1, 7)))
    assert (usd.rate, usd.source) == (Decimal("1.2"), "manual")
    # The same file again adds nothing.
    assert rates.update_from_file(session, history).added == 0


def test_manual_rate_overrides_an_ecb_day_and_adds_unpublished_currencies(
    session: Session,
) -> None:
    rates.store_ecb(session, rates.parse_ecb_csv(HISTORY))
    rates.set_rate(session, dt.date(2026, 1, 5), "USD", Decimal("1.25"))
    rates.set_rate(session, dt.date(2026, 1, 1), "ARS", "1500")
    shown = {r.currency: r for r in rates.rates_on(session, dt.date(2026, 1, 5))}
    assert shown["USD"] == rates.RateRow("USD", dt.date(2026, 1, 5), Decimal("1.25"), "manual")
    assert shown["ARS"].rate == Decimal("1500") and shown["ARS"].date == dt.date(2026, 1, 1)
    assert "ZZZ" not in shown  # it starts on the 6th


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("EUR", "1", "pivot"),
        ("US", "1", "not a currency code"),
        ("USD", "0", "positive"),
        ("USD", "x", "not a rate"),
        ("USD", "1.00000000001", "at most 10 digits"),
    ],
)
def test_bad_manual_rates_are_refused(session: Session, code: str, value: str, message: str):
    with pytest.raises(rates.RatesError, match=message):
        rates.set_rate(session, dt.date(2026, 1, 5), code, value)


def test_missing_day_falls_back_to_the_nearest_earlier_rate(session: Session) -> None:
    rates.store_ecb(session, rates.parse_ecb_csv(HISTORY))
    saturday, before_any = dt.date(2026, 1, 3), dt.date(2026, 1, 1)
    book = rates.RateBook(session, ["USD", "ZZZ", "CHF"], saturday, dt.date(2026, 1, 31))
    assert book.at("USD", saturday) == (Decimal("1.15"), dt.date(2026, 1, 2))
    assert book.at("USD", dt.date(2026, 1, 31)) == (Decimal("1.17"), dt.date(2026, 1, 6))
    assert book.at("ZZZ", dt.date(2026, 1, 5)) is None
    assert book.at("CHF", saturday) is None  # no rate at all
    assert book.at("EUR", saturday) == (Decimal(1), saturday)
    # The SQL building block the aggregates use agrees.
    sql = [
        session.scalar(select(rates.rate_sql(literal("USD"), literal(day))))
        for day in (before_any, saturday, dt.date(2026, 1, 5))
    ]
    assert sql == [None, Decimal("1.15"), Decimal("1.16")]


def test_a_book_loaded_after_the_last_rate_still_finds_it(session: Session) -> None:
    rates.set_rate(session, dt.date(2020, 3, 1), "ARS", "80")
    book = rates.RateBook(session, ["ARS"], dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert book.at("ARS", dt.date(2026, 1, 15)) == (Decimal("80"), dt.date(2020, 3, 1))


def test_seeding_from_the_shipped_history_happens_once(session: Session) -> None:
    assert rates.ensure_seeded(session) > 200_000
    assert rates.ensure_seeded(session) == 0
    usd = session.get(Rate, ("USD", dt.date(1999, 1, 4)))
    assert usd is not None and usd.rate == Decimal("1.1789")
    status = rates.status(session)
    assert status.currencies > 30 and status.updated_at


def test_unreachable_ecb_is_an_error_kept_for_settings(session: Session) -> None:
    # Nothing listens on port 9 here: the same failure as the ECB being unreachable.
    with pytest.raises(rates.RatesError, match="could not be reached"):
        rates.update_from_ecb(session, "http://127.0.0.1:9/eurofxref-hist.zip")
    status = rates.status(session)
    assert status.error and "could not be reached" in status.error
    assert status.checked_at is not None
    assert not rates.refresh_due(session)


def test_conversion_rounds_half_even_once_per_figure() -> None:
    # 1 US cent at 2 USD per EUR is half a euro cent: alone it rounds to 0 (half-even) ...
    assert currency.round_minor(currency.convert(1, "USD", "EUR", Decimal(2), Decimal(1))) == 0
    assert currency.round_minor(currency.convert(3, "USD", "EUR", Decimal(2), Decimal(1))) == 2
    # ... but three of them in one figure make 1.5 cents, rounded once to 2.
    totals = currency.Totals("EUR")
    for _ in range(3):
        totals.add("figure", 1, "USD", Decimal(2), None)
    assert totals.rounded() == {"figure": 2}


def test_conversion_respects_minor_units_and_crosses_through_eur() -> None:
    # 1,000 yen at 160 JPY per EUR is 6.25 EUR; in USD at 1.2 USD per EUR it is 7.50 USD.
    assert currency.convert(1000, "JPY", "EUR", Decimal(160), Decimal(1)) == Decimal(625)
    assert currency.convert(1000, "JPY", "USD", Decimal(160), Decimal("1.2")) == Decimal(750)
    assert currency.cross_rate(Decimal("1.25"), Decimal(1)) == Decimal("0.8")
    assert currency.implied_rate(-80000, "EUR", 64000, "GBP") == Decimal("0.8")


def test_a_currency_without_rates_is_named_not_guessed() -> None:
    totals = currency.Totals("EUR")
    totals.add("x", 500, "EUR", None, None)
    totals.add("x", 700, "CHF", None, None)
    assert totals.rounded() == {"x": 500}
    assert totals.unconverted == {"CHF"}


def test_backups_carry_rates_and_restore_them_exactly(session: Session) -> None:
    rates.store_ecb(session, rates.parse_ecb_csv(HISTORY))
    rates.set_rate(session, dt.date(2026, 1, 5), "ARS", "1499.1234567891")
    session.commit()
    out = io.StringIO()
    counts = backup.write_backup(session, out)
    assert counts["rates"] == 8
    document = json.loads(out.getvalue())
    table = next(t for t in document["tables"] if t["name"] == "rates")
    assert ["ARS", "2026-01-05", "1499.1234567891", "manual"] in table["rows"]
    # A fresh database has its own reference rates: they do not make it "not empty".
    session.execute(Rate.__table__.delete())
    rates.set_rate(session, dt.date(2026, 1, 5), "USD", "9")
    restored = backup.restore_backup(session, io.StringIO(out.getvalue()))
    assert restored["rates"] == 8
    assert session.get(Rate, ("ARS", dt.date(2026, 1, 5))).rate == Decimal("1499.1234567891")
    assert session.get(Rate, ("USD", dt.date(2026, 1, 5))).rate == Decimal("1.16")
    broken = out.getvalue().replace('"1499.1234567891"', "1499.1234567891")
    with pytest.raises(backup.BackupError, match=r"rates\.rate: .* is not a decimal"):
        backup.restore_backup(session, io.StringIO(broken), replace=True)


def test_background_refresh_seeds_when_needed_and_keeps_the_ecb_failure(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.add_all([Account(name="Euro", currency="EUR"), Account(name="Dollar", currency="USD")])
    session.commit()
    # The same failure as the ECB being unreachable: nothing listens there.
    monkeypatch.setattr(rates, "ECB_URL", "http://127.0.0.1:9/eurofxref-hist.zip")
    rates.refresh()
    session.expire_all()
    status = rates.status(session)
    assert status.currencies > 30
    assert status.error and "could not be reached" in status.error


def test_background_refresh_does_nothing_for_one_currency(session: Session) -> None:
    session.add(Account(name="Euro", currency="EUR"))
    session.commit()
    rates.refresh()
    assert rates.status(session) == rates.Status(None, None, None, None, 0)
