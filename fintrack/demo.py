"""Realistic, deterministic demo data: years of a person's accounts, spending and income.

Rows are built in Python and inserted in bulk with Core `insert()`, so 100,000 transactions
take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import accumulate
from random import Random
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from fintrack import accounts, bulk, categories, currency, payees, rates
from fintrack.errors import FieldError
from fintrack.models import (
    Budget,
    RecurringSchedule,
    Split,
    Tag,
    Transaction,
    TransactionTag,
    utcnow,
)
from fintrack.periods import add_months, month_end, month_start
from fintrack.rates import RateBook

MAX_MONTHS = 120
ROWS_PER_MONTH = 120  # a busy household: sets how many years a given row count spans
TAGS = ("trip", "business", "gift")
SAVED_PER_MONTH = 950_00  # savings, ETF plan and loan rates leave checking every month

# name, kind, currency, opening balance (minor units), institution
ACCOUNTS = (
    ("Main checking", "checking", "EUR", 2_500_00, "City Bank"),
    ("Savings", "savings", "EUR", 5_000_00, "City Bank"),
    ("Credit card", "credit_card", "EUR", 0, "City Bank"),
    ("Wallet", "cash", "EUR", 80_00, None),
    ("Brokerage", "investment", "EUR", 10_000_00, "Index Invest"),
    ("US brokerage", "investment", "USD", 3_000_00, "Harbor Securities"),
    ("London account", "checking", "GBP", 400_00, "Thames Bank"),
    ("Car loan", "loan", "EUR", -18_000_00, "Auto Finance"),
    ("Pension fund", "other_asset", "EUR", 12_000_00, "Pension Trust"),
    ("Family loan", "other_liability", "EUR", -3_000_00, None),
)

# category path, weight, accounts (name: weight), amount range (minor units, spent), payees
SPENDING: tuple[tuple[str | None, int, dict[str, int], tuple[int, int], tuple[str, ...]], ...] = (
    (
        "Food › Groceries",
        30,
        {"Main checking": 6, "Credit card": 4},
        (15_00, 120_00),
        ("REWE Markt", "ALDI SÜD", "LIDL", "EDEKA Center", "Farmers market"),
    ),
    (
        "Food › Restaurants",
        12,
        {"Credit card": 8, "Main checking": 2},
        (15_00, 90_00),
        ("Trattoria Roma", "Sushi Bar Kyoto", "Burger Barn", "Thai Garden", "Pizzeria Napoli"),
    ),
    (
        "Food › Coffee",
        12,
        {"Wallet": 6, "Credit card": 4},
        (2_50, 6_50),
        ("Bean There Café", "Coffee Corner", "Starbucks"),
    ),
    ("Transport › Fuel", 7, {"Credit card": 1}, (40_00, 90_00), ("Shell", "Aral", "Esso")),
    ("Transport › Public transport", 6, {"Main checking": 1}, (2_90, 3_50), ("City Transit",)),
    (
        "Health",
        4,
        {"Main checking": 1, "Credit card": 1},
        (5_00, 45_00),
        ("City Pharmacy", "Dr. Weber Practice"),
    ),
    ("Shopping › Clothes", 4, {"Credit card": 1}, (20_00, 150_00), ("H&M", "Zara", "Uniqlo")),
    (
        "Shopping › Electronics",
        1,
        {"Credit card": 1},
        (20_00, 1_200_00),
        ("MediaMarkt", "Apple Store", "Amazon"),
    ),
    (
        "Housing › Maintenance",
        1,
        {"Main checking": 1},
        (10_00, 400_00),
        ("Hardware Store", "Plumber Schmidt"),
    ),
    (
        "Transport › Car",
        1,
        {"Main checking": 1},
        (15_00, 600_00),
        ("Auto Service Center", "Car Wash Express"),
    ),
    ("Leisure › Sports", 2, {"Credit card": 1}, (10_00, 80_00), ("Decathlon", "Climbing Hall")),
    (None, 2, {"Credit card": 1, "Main checking": 1}, (5_00, 50_00), ("PAYPAL *MISC", "Web Shop")),
)
TRAVEL_PAYEES = ("Hotel Miramar", "Lufthansa", "Airbnb", "Ryanair", "Booking.com", "Museum Tickets")


class DemoError(FieldError):
    """Demo data cannot be loaded; the message says why."""

    FIELD = "transactions"


@dataclass(frozen=True)
class DemoSummary:
    """What `generate` created and how long it took."""

    accounts: int
    transactions: int
    transfers: int
    splits: int
    budgets: int
    schedules: int
    start: dt.date
    end: dt.date
    seconds: float

    @property
    def rows_per_second(self) -> int:
        return int(self.transactions / self.seconds) if self.seconds > 0 else 0


class _Ledger:
    """Transaction rows being built, with the links that get ids only after sorting."""

    def __init__(self, rng: Random, capacity: int, today: dt.date) -> None:
        self.rng = rng
        self.capacity = capacity
        self.today = today
        self.rows: list[dict[str, Any]] = []
        self.splits: list[tuple[dict[str, Any], int | None, int, str]] = []
        self.tags: list[tuple[dict[str, Any], str]] = []
        self.pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def room(self, rows: int = 1) -> bool:
        return len(self.rows) + rows <= self.capacity

    def add(
        self,
        account_id: int,
        day: dt.date,
        amount: int,
        payee: str,
        category_id: int | None,
        tags: tuple[str, ...] = (),
        notes: str | None = None,
    ) -> dict[str, Any] | None:
        if not self.room() or day > self.today:
            return None
        settled = (self.today - day).days > 7
        row = {
            "account_id": account_id,
            "date": day,
            "amount": amount,
            "payee": payee,
            "payee_norm": payees.normalize(payee),
            "category_id": category_id,
            "notes": notes,
            "cleared": self.rng.random() < (0.98 if settled else 0.3),
            "is_split": False,
            "transfer_id": None,
            "original_amount": None,
            "original_currency": None,
        }
        self.rows.append(row)
        if tags:
            self.tags.extend((row, tag) for tag in tags)
        return row

    def transfer(
        self,
        source: int,
        target: int,
        day: dt.date,
        amount: int,
        payee: str,
        to_amount: int | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """A transfer pair; `to_amount` is what arrives when the currencies differ."""
        if not self.room(2) or day > self.today:
            return None
        out = self.add(source, day, -amount, payee, None)
        back = self.add(target, day, amount if to_amount is None else to_amount, payee, None)
        assert out is not None and back is not None
        self.pairs.append((out, back))
        return out, back

    def split(
        self, account_id: int, day: dt.date, payee: str, parts: list[tuple[int | None, int, str]]
    ) -> None:
        row = self.add(account_id, day, sum(amount for _, amount, _ in parts), payee, None)
        if row is None:
            return
        row["is_split"] = True
        self.splits.extend((row, category_id, amount, memo) for category_id, amount, memo in parts)


def _account_ids(session: Session, opening: dt.date) -> dict[str, int]:
    existing = {a.name.lower() for a in accounts.balances(session)}
    ids = {}
    for name, kind, code, balance, institution in ACCOUNTS:
        stored = name if name.lower() not in existing else f"{name} (demo)"
        ids[name] = accounts.create_account(
            session,
            accounts.AccountInput(stored, kind, code, balance, opening, institution),
        )
    return ids


def _category_ids(session: Session) -> dict[str, int]:
    categories.ensure_default_tree(session)
    paths = {path: id_ for id_, path in categories.CategoryTree.load(session).paths().items()}
    if "Shopping › Household" not in paths and "Shopping" in paths:
        paths["Shopping › Household"] = categories.create_category(
            session, "Household", paths["Shopping"]
        )
    return paths


def _tag_ids(session: Session) -> dict[str, int]:
    ids = {}
    for name in TAGS:
        tag = session.scalar(select(Tag).where(func.lower(Tag.name) == name))
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
        ids[name] = tag.id
    return ids


@dataclass
class _Settlements:
    """Rows whose amounts depend on the spending generated later (filled in by `_settle`)."""

    card_payments: list[tuple[dict[str, Any], dict[str, Any], dt.date]]
    withdrawals: list[tuple[dict[str, Any], dict[str, Any], dt.date]]
    salaries: list[tuple[dict[str, Any], int]]


def _day_of(month: dt.date, day: int) -> dt.date:
    """That day of the month, or the month's last day when the month is shorter."""
    return month.replace(day=min(day, month_end(month).day))


def _fixed(
    ledger: _Ledger,
    months: list[dt.date],
    acc: dict[str, int],
    cat: dict[str, int],
) -> _Settlements:
    """Salary, rent, bills, subscriptions and transfers, month by month."""
    rng = ledger.rng
    checking, card = acc["Main checking"], acc["Credit card"]
    car_loan, family_loan = -18_000_00, -3_000_00
    plan = _Settlements([], [], [])
    for index, month in enumerate(months):
        year = index // 12
        on = partial(_day_of, month)
        add = ledger.add
        add(
            checking,
            on(1),
            -(1_250_00 + 25_00 * year),
            "City Apartments Ltd",
            cat.get("Housing › Rent"),
        )
        add(checking, on(2), -29_00, "FitClub", cat.get("Leisure › Sports"))
        ledger.transfer(checking, acc["Brokerage"], on(3), 200_00, "Monthly ETF savings plan")
        add(
            checking,
            on(3),
            -rng.randint(80_00, 125_00),
            "City Power & Water",
            cat.get("Housing › Utilities"),
        )
        add(checking, on(5), -39_90, "FiberNet", cat.get("Bills › Internet"))
        cash = ledger.transfer(checking, acc["Wallet"], on(6), 1, "ATM withdrawal")
        if cash:
            plan.withdrawals.append((*cash, month))
        if index > 0:
            payment = ledger.transfer(checking, card, on(8), 1, "Credit card payment")
            if payment:
                plan.card_payments.append((*payment, add_months(month, -1)))
        add(checking, on(10), -42_50, "SafeGuard Insurance", cat.get("Bills › Insurance"))
        add(card, on(12), -25_99, "Telco Mobile", cat.get("Bills › Phone"))
        add(card, on(14), -13_99, "StreamFlix", cat.get("Leisure › Subscriptions"))
        if car_loan < 0:
            payment = min(350_00, -car_loan)
            if ledger.transfer(checking, acc["Car loan"], on(15), payment, "Auto Finance rate"):
                car_loan += payment
        if month.month in (3, 6, 9, 12):
            add(
                acc["US brokerage"],
                on(15),
                rng.randint(50_00, 150_00),
                "Dividend",
                cat.get("Income › Interest"),
            )
        if month.month == 12:
            add(
                checking,
                on(15),
                rng.randint(2_000_00, 4_000_00),
                "ACME GmbH bonus",
                cat.get("Income › Bonus"),
            )
        add(card, on(20), -10_99, "Tunely Music", cat.get("Leisure › Subscriptions"))
        cash = ledger.transfer(checking, acc["Wallet"], on(20), 1, "ATM withdrawal")
        if cash:
            plan.withdrawals.append((*cash, month))
        if family_loan < 0:
            payment = min(100_00, -family_loan)
            if ledger.transfer(checking, acc["Family loan"], on(20), payment, "Repayment to Mum"):
                family_loan += payment
        salary = add(checking, on(25), 1, "ACME GmbH salary", cat.get("Income › Salary"))
        if salary:
            plan.salaries.append((salary, year))
        ledger.transfer(checking, acc["Savings"], on(28), 300_00, "Savings transfer")
        add(
            acc["Savings"],
            on(31),
            rng.randint(2_00, 9_00),
            "Interest",
            cat.get("Income › Interest"),
        )
    return plan


def _trips(rng: Random, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Two holidays a year, one to two weeks each."""
    trips = []
    for year in range(start.year, end.year + 1):
        for first, last in (
            (dt.date(year, 2, 1), dt.date(year, 6, 15)),
            (dt.date(year, 7, 1), dt.date(year, 11, 30)),
        ):
            begin = first + dt.timedelta(days=rng.randrange((last - first).days))
            trips.append((begin, begin + dt.timedelta(days=rng.randint(6, 14))))
    return trips


def _variable(
    ledger: _Ledger, start: dt.date, acc: dict[str, int], cat: dict[str, int], book: RateBook
) -> None:
    """Everyday spending on random days until the requested row count is reached. Holidays
    are in the US: paid by card in dollars, booked in euros."""
    rng = ledger.rng
    rand = rng.random  # one cheap draw per decision keeps 100k rows at well under a second
    days = [start + dt.timedelta(days=i) for i in range((ledger.today - start).days + 1)]
    trips = _trips(rng, start, ledger.today)
    trip_days = {
        begin + dt.timedelta(days=offset)
        for begin, end in trips
        for offset in range((end - begin).days + 1)
    }
    kinds = [
        (
            cat.get(path) if path else None,
            path or "",
            [acc[name] for name, weight in account_weights.items() for _ in range(weight)],
            low,
            high - low + 1,
            names,
        )
        for path, _, account_weights, (low, high), names in SPENDING
    ]
    cumulative = list(accumulate(weight for _, weight, *_ in SPENDING))
    household = cat.get("Shopping › Household")
    travel = cat.get("Leisure › Travel")
    card = acc["Credit card"]
    while ledger.room():
        day = days[int(rand() * len(days))]
        on_trip = day in trip_days
        if on_trip and rand() < 0.5:
            payee = TRAVEL_PAYEES[int(rand() * len(TRAVEL_PAYEES))]
            row = ledger.add(card, day, -(30_00 + int(rand() * 570_00)), payee, travel, ("trip",))
            if row:
                _receipt_in(row, "USD", book)
            continue
        if rand() < 0.01:
            payee = "Tax refund" if rand() < 0.5 else "eBay sale"
            amount = 10_00 + int(rand() * 190_00)
            ledger.add(acc["Main checking"], day, amount, payee, cat.get("Income › Other income"))
            continue
        kind = bisect(cumulative, rand() * cumulative[-1])
        category_id, path, account_ids, low, width, names = kinds[kind]
        account = account_ids[int(rand() * len(account_ids))]
        payee = names[int(rand() * len(names))]
        amount = -(low + int(rand() * width))
        if path == "Food › Groceries" and household and rand() < 0.1:
            extra = -(3_00 + int(rand() * 27_00))
            parts = [(category_id, amount, "Food"), (household, extra, "Cleaning and paper")]
            ledger.split(account, day, payee, parts)
            continue
        tags: tuple[str, ...] = ()
        if on_trip:
            tags = ("trip",)
        elif path == "Food › Restaurants" and rand() < 0.08:
            tags = ("business",)
        elif path.startswith("Shopping") and rand() < 0.1:
            tags = ("gift",)
        notes = "Receipt in the drawer" if rand() < 0.01 else None
        ledger.add(account, day, amount, payee, category_id, tags, notes)


def _receipt_in(row: dict[str, Any], code: str, book: RateBook) -> None:
    """Keep what the receipt said in `code`: the booked euros at that day's rate."""
    found = book.at(code, row["date"])
    if found:
        exact = currency.convert(row["amount"], "EUR", code, Decimal(1), found[0])
        row["original_amount"], row["original_currency"] = currency.round_minor(exact), code


def _abroad(
    ledger: _Ledger, months: list[dt.date], acc: dict[str, int], cat: dict[str, int], book: RateBook
) -> None:
    """A pound account: euros sent over every month at that day's rate, spent in London."""
    rng, london = ledger.rng, acc["London account"]
    for month in months:
        day = _day_of(month, 4)
        found = book.at("GBP", day)
        if found:
            pounds = currency.round_minor(
                currency.convert(150_00, "EUR", "GBP", Decimal(1), found[0])
            )
            ledger.transfer(acc["Main checking"], london, day, 150_00, "To London", pounds)
        for day_number, payee, category, low, high in (
            (9, "Tesco Metro", "Food › Groceries", 8_00, 35_00),
            (16, "Pret A Manger", "Food › Restaurants", 6_00, 18_00),
            (23, "Transport for London", "Transport › Public transport", 10_00, 30_00),
        ):
            ledger.add(
                london,
                _day_of(month, day_number),
                -rng.randint(low, high),
                payee,
                cat.get(category),
            )


def _round_up(amount: int, unit: int) -> int:
    return -(-amount // unit) * unit


def _settle(ledger: _Ledger, acc: dict[str, int], plan: _Settlements) -> None:
    """Make the books add up: card payments settle last month's card spending, cash
    withdrawals cover what the wallet spends, and the salary (raised a little every year)
    covers a year's spending, savings and loan rates, so balances stay believable for any
    number of rows."""
    transfers = {id(row) for pair in ledger.pairs for row in pair}
    card, wallet = acc["Credit card"], acc["Wallet"]
    spent: dict[tuple[int | None, dt.date], int] = {}
    # Spending in euros: the dollar and pound accounts pay their own way.
    foreign = {acc["US brokerage"], acc["London account"]}
    for row in ledger.rows:
        if row["amount"] < 0 and id(row) not in transfers and row["account_id"] not in foreign:
            month = month_start(row["date"])
            for key in ((row["account_id"], month), (None, month)):
                spent[key] = spent.get(key, 0) - row["amount"]
    for out, back, month in plan.card_payments:
        amount = spent.get((card, month)) or 10_00
        out["amount"], back["amount"] = -amount, amount
    for out, back, month in plan.withdrawals:
        amount = max(20_00, _round_up(spent.get((wallet, month), 0) // 2, 10_00))
        out["amount"], back["amount"] = -amount, amount
    by_year: dict[int, list[int]] = {}
    for row, year in plan.salaries:
        by_year.setdefault(year, []).append(spent.get((None, month_start(row["date"])), 0))
    for row, year in plan.salaries:
        months = by_year[year]
        needed = (sum(months) // len(months) + SAVED_PER_MONTH) * 105 // 100
        row["amount"] = max(3_850_00 + 100_00 * year, _round_up(needed, 50_00))


def _write(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    progress: bulk.Progress | None = None,
) -> None:
    """Insert rows (dicts with the same keys) in bulk, see `fintrack.bulk`."""
    if rows:
        columns = list(rows[0])
        values = (tuple(row[c] for c in columns) for row in rows)
        bulk.write(session, table, columns, values, progress)


def _insert(
    session: Session,
    ledger: _Ledger,
    tag_ids: dict[str, int],
    progress: Callable[[float], None] | None,
) -> None:
    first_id = (session.scalar(select(func.max(Transaction.id))) or 0) + 1
    ledger.rows.sort(key=lambda row: row["date"])
    stamp = utcnow()
    for offset, row in enumerate(ledger.rows):
        row["id"] = first_id + offset
        row["created_at"] = row["updated_at"] = stamp
    for out, back in ledger.pairs:
        # The later row points at the earlier one now; the earlier one is linked after insert.
        earlier, later = (out, back) if out["id"] < back["id"] else (back, out)
        later["transfer_id"] = earlier["id"]
    total = len(ledger.rows)
    table = Transaction.__table__
    split_rows = [
        {"transaction_id": row["id"], "category_id": category_id, "amount": amount, "memo": memo}
        for row, category_id, amount, memo in ledger.splits
    ]
    tag_rows = [{"transaction_id": row["id"], "tag_id": tag_ids[tag]} for row, tag in ledger.tags]
    # The ledger is empty (see `generate`): indexes and foreign keys are built once, after.
    with bulk.rebuilt_after(session, [table, Split.__table__, TransactionTag.__table__]):
        _write(session, table, ledger.rows, progress and (lambda n: progress(0.9 * n / total)))
        if ledger.pairs:
            # Now that both sides exist, the earlier side can point at the later one.
            links = [
                {"row": min(out["id"], back["id"]), "other": max(out["id"], back["id"])}
                for out, back in ledger.pairs
            ]
            session.execute(
                update(table)
                .where(table.c.id == bindparam("row"))
                .values(transfer_id=bindparam("other")),
                links,
            )
        _write(session, Split.__table__, split_rows)
        _write(session, TransactionTag.__table__, tag_rows)
    # Ids were given explicitly: move the sequence past them for later inserts.
    bulk.advance_sequence(session, table)
    if session.get_bind().dialect.name == "postgresql":
        # Fresh statistics: with none, the planner guesses a few hundred split lines and picks
        # plans that take a minute instead of a second at a million rows.
        session.execute(text("ANALYZE transactions, splits, transaction_tags"))
    if progress:
        progress(1.0)


# Budget per category as a percentage of its typical monthly spending: some months end
# green, some amber, some over, as a real person's do.
BUDGET_SHARES = {
    "Food › Groceries": 105,
    "Food › Restaurants": 90,
    "Food › Coffee": 130,
    "Transport › Fuel": 110,
    "Housing › Utilities": 120,
    "Shopping": 100,
    "Leisure": 125,
}


def _monthly_spending(ledger: _Ledger) -> dict[int | None, int]:
    """Average spending per month by category, split lines included, in one pass."""
    spent: dict[int | None, int] = {}
    lines = [(row["category_id"], row["amount"]) for row in ledger.rows]
    lines += [(category_id, amount) for _, category_id, amount, _ in ledger.splits]
    for category_id, amount in lines:
        spent[category_id] = spent.get(category_id, 0) - amount
    months = len({(row["date"].year, row["date"].month) for row in ledger.rows}) or 1
    return {category_id: total // months for category_id, total in spent.items()}


def _budgets(session: Session, today: dt.date, cat: dict[str, int], ledger: _Ledger) -> int:
    monthly = _monthly_spending(ledger)
    months = [add_months(month_start(today), -back) for back in range(3, -1, -1)]
    # Budgets already set for these months are kept: one query, not one per category and month.
    existing = {
        (category_id, month)
        for category_id, month in session.execute(
            select(Budget.category_id, Budget.month).where(Budget.month.in_(months))
        )
    }
    created = 0
    for path, share in BUDGET_SHARES.items():
        category_id = cat.get(path)
        if category_id is None:
            continue
        ids = {cid for name, cid in cat.items() if name == path or name.startswith(path + " › ")}
        typical = max(0, sum(monthly.get(category_id, 0) for category_id in ids))
        amount = _round_up(typical * share // 100, 10_00)
        if amount <= 0:
            continue
        for month in months:
            if (category_id, month) not in existing:
                session.add(Budget(category_id=category_id, month=month, amount=amount))
                created += 1
    session.flush()
    return created


def _schedules(session: Session, today: dt.date, acc: dict[str, int], cat: dict[str, int]) -> int:
    """Recurring items that start with their next due date, so nothing is posted twice, and
    book what the generated history booked last (a raise or a rent increase included)."""
    items = (
        ("Rent", "Main checking", "City Apartments Ltd", -1_250_00, "Housing › Rent", 1),
        ("Salary", "Main checking", "ACME GmbH salary", 3_850_00, "Income › Salary", 25),
        ("Phone", "Credit card", "Telco Mobile", -25_99, "Bills › Phone", 12),
        ("Streaming", "Credit card", "StreamFlix", -13_99, "Leisure › Subscriptions", 14),
    )
    for name, account, payee, amount, path, day in items:
        latest = session.scalar(
            select(Transaction.amount)
            .where(Transaction.account_id == acc[account], Transaction.payee == payee)
            .order_by(Transaction.date.desc(), Transaction.id.desc())
            .limit(1)
        )
        amount = latest if latest is not None else amount
        due = _day_of(today, day)
        if due <= today:
            due = _day_of(add_months(month_start(today), 1), day)
        session.add(
            RecurringSchedule(
                name=name,
                account_id=acc[account],
                payee=payee,
                amount=amount,
                category_id=cat.get(path),
                interval_unit="month",
                interval_count=1,
                day_of_month=day,
                start_date=due,
                auto_post=True,
                active=True,
            )
        )
    session.flush()
    return len(items)


def has_transactions(session: Session) -> bool:
    """Whether the database holds any transaction (demo data only goes into an empty one)."""
    return session.scalar(select(Transaction.id).limit(1)) is not None


def generate(
    session: Session,
    transactions: int = 5000,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[float], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with `transactions` realistic rows ending `today`.

    The same seed and date give the same data. Raises DemoError when there are
    transactions already. `progress` (optional) receives a fraction from 0 to 1.
    The caller commits the session.
    """
    began = time.perf_counter()
    if transactions < 1:
        raise DemoError("Ask for at least one transaction")
    if has_transactions(session):
        raise DemoError(
            "The database already has transactions; demo data only goes into an empty one"
        )
    today = today or dt.date.today()
    span = min(MAX_MONTHS, max(1, transactions // ROWS_PER_MONTH))
    start = add_months(month_start(today), -(span - 1))
    months = [add_months(start, i) for i in range(span)]
    rng = Random(seed)

    acc = _account_ids(session, start - dt.timedelta(days=1))
    cat = _category_ids(session)
    tag_ids = _tag_ids(session)
    ledger = _Ledger(rng, transactions, today)
    plan = _fixed(ledger, months, acc, cat)
    rates.ensure_seeded(session)
    book = RateBook(session, ["GBP", "USD"], start, today)
    _abroad(ledger, months, acc, cat, book)
    _variable(ledger, start, acc, cat, book)
    _settle(ledger, acc, plan)
    _insert(session, ledger, tag_ids, progress)
    budgets = _budgets(session, today, cat, ledger)
    schedules = _schedules(session, today, acc, cat)
    return DemoSummary(
        accounts=len(acc),
        transactions=len(ledger.rows),
        transfers=len(ledger.pairs),
        splits=len(ledger.splits),
        budgets=budgets,
        schedules=schedules,
        start=start,
        end=today,
        seconds=time.perf_counter() - began,
    )
