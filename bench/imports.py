"""Import speed: a bank CSV of N rows through the command's code path, then the same file
again (all exact duplicates), then the same rows read with another payee column (all possible
duplicates: the account holds the same amounts on the same days under other payees)."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from fintrack import imports

PAYEES = [
    "REWE Markt {n}",
    "ALDI SUED {n}",
    "Amazon Marketplace {n}",
    "Shell Station {n}",
    "Deutsche Bahn {n}",
    "Cafe Central",
    "Stadtwerke Strom",
    "Netflix",
    "Salary ACME GmbH",
    "Pharmacy {n}",
]


def bank_csv(rows: int, seed: int = 7) -> bytes:
    """A German-style export (`;`, decimal commas, day-first dates) with `rows` transactions."""
    rng = random.Random(seed)
    start = dt.date(2020, 1, 1)
    lines = ["Buchungstag;Valutadatum;Beguenstigter/Zahlungspflichtiger;Verwendungszweck;Betrag"]
    for i in range(rows):
        day = start + dt.timedelta(days=i * 2000 // rows)
        payee = rng.choice(PAYEES).format(n=rng.randint(1, 400))
        cents = rng.randint(100, 25_000) * (1 if payee.startswith("Salary") else -1)
        amount = f"{cents // 100:,}".replace(",", ".") + f",{abs(cents) % 100:02d}"
        if cents < 0:
            amount = "-" + f"{-cents // 100:,}".replace(",", ".") + f",{-cents % 100:02d}"
        lines.append(f"{day:%d.%m.%Y};{day:%d.%m.%Y};{payee};Ref {i};{amount}")
    return ("\n".join(lines) + "\n").encode("cp1252")


def figures(session: Session, transactions: int = 100_000) -> dict:
    """Seconds to import a CSV of `transactions` rows and to re-import it (all duplicates)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(bank_csv(transactions))
        started = time.perf_counter()
        first = imports.import_path(session, path, "Bench import", "EUR", max_mb=100)
        session.commit()
        imported = time.perf_counter() - started
        started = time.perf_counter()
        again = imports.import_path(session, path, "Bench import", "EUR", max_mb=100)
        session.commit()
        reimported = time.perf_counter() - started
        started = time.perf_counter()
        other = imports.import_path(
            session, path, "Bench import", "EUR", payee_column="Verwendungszweck", max_mb=100
        )
        session.commit()
        possible = time.perf_counter() - started
    if first.new != transactions or again.duplicates != transactions:
        raise RuntimeError(f"unexpected import result: {first}; then {again}")
    if other.possible != transactions:
        raise RuntimeError(f"unexpected possible duplicates: {other}")
    return {
        "import_rows": transactions,
        "import_seconds": round(imported, 2),
        "reimport_seconds": round(reimported, 2),
        "possible_duplicates_seconds": round(possible, 2),
    }
