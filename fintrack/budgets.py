"""Monthly budgets per category: budgeted vs spent, sub-categories rolled up, rollover.

A budget on a category covers its sub-categories. Spending is summed in SQL: transfers never
count, split lines count in their own categories. Budget amounts are in the reporting
currency (`fintrack.currency.reporting_currency`, the one main-currency rule); spending in
accounts of other currencies counts converted at its date's rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from fintrack import currency as currency_rules
from fintrack import flows, money, periods
from fintrack.categories import CategoryTree
from fintrack.errors import InputError
from fintrack.models import Budget, Category
from fintrack.periods import add_months, month_end, month_start, months_between

NEAR_PERCENT = 85
AVERAGE_MONTHS = 3


class BudgetError(InputError):
    """Input a person can fix; `field` names the input that is wrong."""


@dataclass(frozen=True)
class BudgetLine:
    """One budgeted category in one month. For income categories `spent` is what came in."""

    category_id: int
    name: str
    color: str | None
    kind: str
    parent_id: int | None
    budgeted: int
    spent: int
    rollover: int
    available: int
    state: str
    carries_over: bool = False

    @property
    def percent(self) -> int:
        """Spent as a whole percentage of what was available (budget plus rollover)."""
        limit = self.budgeted + self.rollover
        if limit <= 0:
            return 100 if self.spent > 0 else 0
        return self.spent * 100 // limit


@dataclass(frozen=True)
class BudgetTotals:
    """Expense totals (budgeted, spent, left to spend) and the income budget of one currency."""

    currency: str
    budgeted: int = 0
    spent: int = 0
    rollover: int = 0
    available: int = 0
    income_budgeted: int = 0
    income_received: int = 0


@dataclass(frozen=True)
class BudgetMonth:
    """Everything the budgets screen and the dashboard show for one month."""

    month: dt.date
    currency: str
    lines: list[BudgetLine]
    totals: dict[str, BudgetTotals] = field(default_factory=dict)
    # Currencies whose spending could not be converted (no rate) and is left out.
    unconverted: list[str] = field(default_factory=list)
    # Whether spending in accounts of other currencies is counted, converted.
    converted: bool = False


def monthly_sums(
    session: Session, start: dt.date, end: dt.date, currency: str, tree: CategoryTree
) -> tuple[dict[tuple[int, dt.date], int], list[str]]:
    """Signed sums per (category, month), rolled up into every ancestor category, in `currency`:
    lines of accounts in other currencies converted at their date's rate. Also the currencies
    that had no rate (left out)."""
    found = flows.flow_sums(
        session, flows.ReportFilters(start, end), by_month=True, currency=currency
    )
    own: dict[dt.date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for _currency, category_id, _kind, month_index, total in found.rows:
        if category_id is None or month_index is None:
            continue
        own[dt.date(month_index // 12, month_index % 12 + 1, 1)][category_id] += total
    sums = {
        (category_id, month): total
        for month, amounts in own.items()
        for category_id, total in tree.rollup(amounts).items()
    }
    return sums, found.unconverted


def _spent(kind: str, signed: int) -> int:
    """Money out of an expense category as a positive number; money in for an income category."""
    return signed if kind == "income" else -signed


def _state(kind: str, limit: int, spent: int) -> str:
    if kind == "income":
        return "ok" if spent >= limit else "near"
    if spent > limit:
        return "over"
    if spent > 0 and spent * 100 >= limit * NEAR_PERCENT:
        return "near"
    return "ok"


def _budgets(session: Session, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], int]:
    rows = session.execute(
        select(Budget.category_id, Budget.month, Budget.amount).where(
            Budget.month.between(start, end)
        )
    )
    return {(cid, month): amount for cid, month, amount in rows}


def month_status(session: Session, month: dt.date) -> BudgetMonth:
    """Budgeted, spent, rollover and what is left for every budgeted category in the month.

    Lines cover categories with a budget this month, plus rollover categories carrying a
    non-zero amount in. Totals count each line once: a line under a budgeted parent is
    already inside the parent's figures.
    """
    month = month_start(month)
    currency = currency_rules.prepare(session)
    tree = CategoryTree.load(session)
    rollover_ids = list(
        session.scalars(
            select(Category.id).where(
                Category.budget_rollover.is_(True), Category.kind == "expense"
            )
        )
    )
    first_month = month
    if rollover_ids:
        earliest = session.scalar(
            select(func.min(Budget.month)).where(
                Budget.category_id.in_(rollover_ids), Budget.month <= month
            )
        )
        first_month = min(earliest or month, month)
    budgets = _budgets(session, first_month, month)
    sums, unconverted = monthly_sums(session, first_month, month_end(month), currency, tree)

    carry: dict[int, int] = {}
    for cid in rollover_ids:
        started = min((m for (c, m) in budgets if c == cid), default=month)
        balance = 0
        for m in months_between(started, add_months(month, -1)) if started < month else []:
            balance += budgets.get((cid, m), 0) + sums.get((cid, m), 0)
        carry[cid] = balance

    shown = {cid for (cid, m) in budgets if m == month} | {c for c, v in carry.items() if v}
    lines = []
    for cid in shown:
        node = tree.by_id[cid]
        budgeted = budgets.get((cid, month), 0)
        rollover = carry.get(cid, 0)
        spent = _spent(node.kind, sums.get((cid, month), 0))
        limit = budgeted + rollover
        lines.append(
            BudgetLine(
                category_id=cid,
                name=tree.path(cid),
                color=node.color,
                kind=node.kind,
                parent_id=node.parent_id,
                budgeted=budgeted,
                spent=spent,
                rollover=rollover,
                available=limit - spent,
                state=_state(node.kind, limit, spent),
                carries_over=cid in carry,
            )
        )
    lines.sort(key=lambda line: (line.kind != "expense", line.name.lower()))
    totals = {currency: _totals(currency, lines, tree, shown)}
    converted = currency_rules.needs_rates(session, currency)
    return BudgetMonth(month, currency, lines, totals, unconverted, converted)


def _totals(
    currency: str, lines: list[BudgetLine], tree: CategoryTree, shown: set[int]
) -> BudgetTotals:
    values: dict[str, int] = defaultdict(int)
    for line in lines:
        if any(a in shown for a in tree.ancestors(line.category_id)[1:]):
            continue
        if line.kind == "income":
            values["income_budgeted"] += line.budgeted
            values["income_received"] += line.spent
        else:
            values["budgeted"] += line.budgeted
            values["spent"] += line.spent
            values["rollover"] += line.rollover
            values["available"] += line.available
    return BudgetTotals(currency, **values)


def set_budget(session: Session, category_id: int, month: dt.date, amount: int) -> int:
    """Budget an amount (minor units, as the form's money input read it) for a category in a
    month; returns it.

    Raises BudgetError naming the field when the amount is negative or out of range, or the
    category does not exist; nothing is saved then.
    """
    if session.get(Category, category_id) is None:
        raise BudgetError("category_id", "choose a category")
    if amount < 0:
        raise BudgetError("amount", "type the budget without a sign")
    try:
        money.check_bounds(amount, currency_rules.reporting_currency(session))
        month = month_start(periods.check_date(month))
    except money.MoneyError as error:
        raise BudgetError("amount", str(error)) from None
    except ValueError as error:
        raise BudgetError("month", str(error)) from None
    budget = session.scalar(
        select(Budget).where(Budget.category_id == category_id, Budget.month == month)
    )
    if budget is None:
        session.add(Budget(category_id=category_id, month=month, amount=amount))
    else:
        budget.amount = amount
    session.flush()
    return amount


def set_rollover(session: Session, category_id: int, enabled: bool) -> None:
    """Let a category's unspent or overspent budget carry into the next month (or stop it)."""
    category = session.get(Category, category_id)
    if category is None:
        raise BudgetError("category_id", "That category does not exist.")
    if enabled and category.kind != "expense":
        raise BudgetError("rollover", "Only expense budgets roll over.")
    category.budget_rollover = enabled
    session.flush()


def remove_budget(session: Session, category_id: int, month: dt.date) -> None:
    """Remove a category's budget for the month."""
    session.execute(
        delete(Budget).where(Budget.category_id == category_id, Budget.month == month_start(month))
    )


def copy_last_month(session: Session, month: dt.date) -> int:
    """Copy last month's budgets into `month` for categories without one; returns how many."""
    month = month_start(month)
    existing = select(Budget.category_id).where(Budget.month == month)
    rows = session.execute(
        select(Budget.category_id, Budget.amount).where(
            Budget.month == add_months(month, -1), Budget.category_id.not_in(existing)
        )
    ).all()
    session.add_all(Budget(category_id=cid, month=month, amount=amount) for cid, amount in rows)
    session.flush()
    return len(rows)


def _round_up(minor: int, currency: str) -> int:
    """Round a positive amount up to whole major units: budgets read better without cents."""
    unit: int = 10 ** money.minor_digits(currency)
    return -(-minor // unit) * unit


def fill_from_average(session: Session, month: dt.date) -> int:
    """Budget every top-level expense category by its average spending of the last 3 months.

    Categories that already have a budget in the month, or a sub-category with one, are left
    alone. The average is rounded up to whole units. Returns how many budgets were added.
    """
    month = month_start(month)
    currency = currency_rules.reporting_currency(session)
    tree = CategoryTree.load(session)
    start = add_months(month, -AVERAGE_MONTHS)
    sums, _unconverted = monthly_sums(session, start, month - dt.timedelta(days=1), currency, tree)
    budgeted = set(session.scalars(select(Budget.category_id).where(Budget.month == month)))
    covered = {a for cid in budgeted for a in tree.ancestors(cid)}
    added = 0
    for cat in tree.by_id.values():
        if cat.parent_id is not None or cat.kind != "expense" or cat.id in covered:
            continue
        total = sum(-sums.get((cat.id, m), 0) for m in months_between(start, add_months(month, -1)))
        if total <= 0:
            continue
        session.add(
            Budget(
                category_id=cat.id,
                month=month,
                amount=_round_up(-(-total // AVERAGE_MONTHS), currency),
            )
        )
        added += 1
    session.flush()
    return added


@dataclass(frozen=True)
class MonthFigures:
    """Budgeted and spent (expenses, each counted once) in one month of a year chart."""

    month: dt.date
    budgeted: int
    spent: int


def year_figures(session: Session, year: int) -> list[MonthFigures]:
    """Budget against actual spending for each month of a year, for the year chart.

    Each month counts its budgeted expense categories once (a budgeted parent covers its
    budgeted children); one spending query serves the whole year.
    """
    currency = currency_rules.reporting_currency(session)
    tree = CategoryTree.load(session)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    amounts = _budgets(session, first, last)
    sums, _unconverted = monthly_sums(session, first, last, currency, tree)
    figures = []
    for month in months_between(first, last):
        ids = {cid for (cid, m) in amounts if m == month and tree.by_id[cid].kind == "expense"}
        top = [cid for cid in ids if not any(a in ids for a in tree.ancestors(cid)[1:])]
        figures.append(
            MonthFigures(
                month,
                sum(amounts[(cid, month)] for cid in top),
                sum(-sums.get((cid, month), 0) for cid in top),
            )
        )
    return figures
