"""The demo data's generator: a household's transactions built in memory, month by month
(salary, rent, bills, transfers), then everyday spending on random days until the requested
row count is reached, and at last amounts that make the books add up. `fintrack.demo` writes
them to the database.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import accumulate
from random import Random
from typing import Any

from fintrack import currency, payees
from fintrack.demo_catalogue import LONDON_SPENDING, SPENDING, TRAVEL_PAYEES
from fintrack.periods import add_months, month_end, month_start
from fintrack.rates import RateBook

SAVED_PER_MONTH = 950_00  # savings, ETF plan and loan rates leave checking every month


class Ledger:
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


@dataclass
class Settlements:
    """Rows whose amounts depend on the spending generated later (filled in by `settle`)."""

    card_payments: list[tuple[dict[str, Any], dict[str, Any], dt.date]]
    withdrawals: list[tuple[dict[str, Any], dict[str, Any], dt.date]]
    salaries: list[tuple[dict[str, Any], int]]


def day_of(month: dt.date, day: int) -> dt.date:
    """That day of the month, or the month's last day when the month is shorter."""
    return month.replace(day=min(day, month_end(month).day))


def fixed(
    ledger: Ledger,
    months: list[dt.date],
    acc: dict[str, int],
    cat: dict[str, int],
) -> Settlements:
    """Salary, rent, bills, subscriptions and transfers, month by month."""
    rng = ledger.rng
    checking, card = acc["Main checking"], acc["Credit card"]
    car_loan, family_loan = -18_000_00, -3_000_00
    plan = Settlements([], [], [])
    for index, month in enumerate(months):
        year = index // 12
        on = partial(day_of, month)
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
            rate = min(350_00, -car_loan)
            if ledger.transfer(checking, acc["Car loan"], on(15), rate, "Auto Finance rate"):
                car_loan += rate
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
            repaid = min(100_00, -family_loan)
            if ledger.transfer(checking, acc["Family loan"], on(20), repaid, "Repayment to Mum"):
                family_loan += repaid
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


def variable(
    ledger: Ledger, start: dt.date, acc: dict[str, int], cat: dict[str, int], book: RateBook
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


def abroad(
    ledger: Ledger, months: list[dt.date], acc: dict[str, int], cat: dict[str, int], book: RateBook
) -> None:
    """A pound account: euros sent over every month at that day's rate, spent in London."""
    rng, london = ledger.rng, acc["London account"]
    for month in months:
        day = day_of(month, 4)
        found = book.at("GBP", day)
        if found:
            pounds = currency.round_minor(
                currency.convert(150_00, "EUR", "GBP", Decimal(1), found[0])
            )
            ledger.transfer(acc["Main checking"], london, day, 150_00, "To London", pounds)
        for day_number, payee, category, low, high in LONDON_SPENDING:
            ledger.add(
                london,
                day_of(month, day_number),
                -rng.randint(low, high),
                payee,
                cat.get(category),
            )


def round_up(amount: int, unit: int) -> int:
    return -(-amount // unit) * unit


def settle(ledger: Ledger, acc: dict[str, int], plan: Settlements) -> None:
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
        amount = max(20_00, round_up(spent.get((wallet, month), 0) // 2, 10_00))
        out["amount"], back["amount"] = -amount, amount
    by_year: dict[int, list[int]] = {}
    for row, year in plan.salaries:
        by_year.setdefault(year, []).append(spent.get((None, month_start(row["date"])), 0))
    for row, year in plan.salaries:
        months = by_year[year]
        needed = (sum(months) // len(months) + SAVED_PER_MONTH) * 105 // 100
        row["amount"] = max(3_850_00 + 100_00 * year, round_up(needed, 50_00))


def monthly_spending(ledger: Ledger) -> dict[int | None, int]:
    """Average spending per month by category, split lines included, in one pass."""
    spent: dict[int | None, int] = {}
    lines = [(row["category_id"], row["amount"]) for row in ledger.rows]
    lines += [(category_id, amount) for _, category_id, amount, _ in ledger.splits]
    for category_id, amount in lines:
        spent[category_id] = spent.get(category_id, 0) - amount
    months = len({(row["date"].year, row["date"].month) for row in ledger.rows}) or 1
    return {category_id: total // months for category_id, total in spent.items()}
