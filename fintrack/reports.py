"""Reports and dashboard figures, computed with SQL aggregates and returned as plain data.

Rules every figure follows:
- transfers (rows with `transfer_id`) are never income or expense;
- a split transaction counts through its split lines, each in its own category;
- a category's total includes its sub-categories;
- income and expenses are both positive numbers (spending is positive), whatever the sign of
  the rows; a refund in an expense category lowers that category's spending;
- an uncategorized line is income when it brings money in and an expense otherwise;
- amounts in different currencies are added only once converted into one currency (see
  `fintrack.flows` and `fintrack.currency`); otherwise results are keyed by currency.

The sums come from `fintrack.flows`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import periods
from fintrack.categories import UNCATEGORIZED_COLOR, CategoryTree
from fintrack.currency import prepare
from fintrack.flows import ReportFilters, SumRow, flow_sums, transaction_filters
from fintrack.models import Account, Transaction
from fintrack.net_worth import month_index

UNCATEGORIZED = "Uncategorized"

# Amounts keyed by (category id, kind); the id None is the Uncategorized bucket of that kind.
Keyed = dict[tuple[int | None, str], int]


@dataclass(frozen=True)
class CategoryTotal:
    """A category's figure in one currency; `own` is booked on it directly, `total` adds its
    sub-categories. `id` None is the Uncategorized bucket of that kind."""

    id: int | None
    name: str
    parent_id: int | None
    kind: str
    color: str
    own: int
    total: int
    depth: int = 0


@dataclass(frozen=True)
class MonthFlow:
    """Income and expenses (both positive) of one month; `month` is its first day."""

    month: dt.date
    income: int
    expenses: int

    @property
    def net(self) -> int:
        return self.income - self.expenses


@dataclass(frozen=True)
class PeriodSummary:
    """Income and expenses of a period in one currency."""

    income: int
    expenses: int

    @property
    def net(self) -> int:
        return self.income - self.expenses

    @property
    def savings_rate(self) -> Decimal | None:
        """Share of income kept, in percent with one decimal; None without income."""
        if self.income <= 0:
            return None
        rate = (Decimal(self.net * 100) / Decimal(self.income)).quantize(Decimal("0.1"))
        # A tiny loss rounds to -0.0, which would show as "-0.0%": zero has no sign.
        return rate if rate else Decimal("0.0")


@dataclass(frozen=True)
class TrendSeries:
    """One category's monthly figures (sub-categories included), aligned with `months`."""

    category: CategoryTotal
    months: list[dt.date]
    values: list[int]


@dataclass(frozen=True)
class StatementRow:
    """A line of the income statement: a category (parents carry subtotals) or a total."""

    label: str
    kind: str
    depth: int
    values: list[int]
    total: int
    category_id: int | None = None
    is_total: bool = False


@dataclass(frozen=True)
class Statement:
    """Income statement of one currency: rows by month, with totals."""

    currency: str
    months: list[dt.date]
    rows: list[StatementRow]
    # Currencies left out of a converted statement for want of a rate.
    unconverted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PayeeTotal:
    """Spending at one payee (positive) and how many transactions it took."""

    payee: str
    count: int
    spent: int


# --- building blocks -------------------------------------------------------------------------


def positive(kind: str, signed: int) -> int:
    """Income as it comes in, expenses as spending: both positive."""
    return signed if kind == "income" else -signed


def summarize(rows: Iterable[SumRow]) -> PeriodSummary:
    """Income and expenses of rows summed by category and month."""
    own: Keyed = defaultdict(int)
    for _currency, category_id, kind, _month, signed in rows:
        own[(category_id, kind)] += positive(kind, signed)
    return _summary(own)


def by_currency(rows: Iterable[SumRow]) -> dict[str, list[SumRow]]:
    """Rows apart by their currency: amounts in different currencies are never added up."""
    grouped: dict[str, list[SumRow]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return grouped


def column_flows(rows: Iterable[SumRow], months: Sequence[dt.date]) -> list[MonthFlow]:
    """Income and expenses of each column given (months, or years: see `periods.columns`),
    from rows summed by month."""
    yearly = periods.is_yearly(list(months))
    by_month: dict[int | None, list[SumRow]] = defaultdict(list)
    for row in rows:
        by_month[column_index(row[3] or 0, yearly)].append(row)
    return [_month_flow(m, summarize(by_month.get(month_index(m), []))) for m in months]


def _month_flow(month: dt.date, figures: PeriodSummary) -> MonthFlow:
    return MonthFlow(month, figures.income, figures.expenses)


def _rollup(tree: CategoryTree, own: Keyed) -> Keyed:
    """Totals per (category, kind): each category's own amount added to all its ancestors."""
    totals: Keyed = defaultdict(int)
    categorized: dict[int, int] = defaultdict(int)
    for (category_id, kind), amount in own.items():
        if category_id is None:
            totals[(None, kind)] += amount
        else:
            categorized[category_id] += amount
    for category_id, amount in tree.rollup(categorized).items():
        totals[(category_id, tree.by_id[category_id].kind)] += amount
    return totals


def _summary(own: Keyed) -> PeriodSummary:
    """Income and expenses of amounts already made positive (see `positive`)."""
    income = sum(amount for (_id, kind), amount in own.items() if kind == "income")
    return PeriodSummary(income, sum(own.values()) - income)


def _category(tree: CategoryTree, category_id: int, own: int = 0, total: int = 0) -> CategoryTotal:
    node = tree.by_id[category_id]
    depth = len(tree.ancestors(category_id)) - 1
    color = tree.color(category_id)
    return CategoryTotal(
        category_id, node.name, node.parent_id, node.kind, color, own, total, depth
    )


def category_totals(tree: CategoryTree, own: Keyed) -> list[CategoryTotal]:
    """Each category's own total and its total with its sub-categories, largest first per kind."""
    result = []
    for (category_id, kind), total in _rollup(tree, own).items():
        if category_id is None:
            result.append(
                CategoryTotal(None, UNCATEGORIZED, None, kind, UNCATEGORIZED_COLOR, total, total)
            )
        else:
            result.append(_category(tree, category_id, own.get((category_id, kind), 0), total))
    result.sort(key=lambda c: (c.kind, -c.total, c.name.lower()))
    return result


# --- report functions ------------------------------------------------------------------------


def currencies(session: Session, account_ids: Sequence[int] | None = None) -> list[str]:
    """Currencies of the accounts (all, or the given ones), most used first."""
    query = select(Account.currency, func.count()).group_by(Account.currency)
    if account_ids:
        query = query.where(Account.id.in_(account_ids))
    rows = session.execute(query).all()
    return [c for c, _ in sorted(rows, key=lambda r: (-r[1], r[0]))]


def top_level(totals: Iterable[CategoryTotal], kind: str) -> list[CategoryTotal]:
    """The top-level categories (and Uncategorized) of one kind, largest first."""
    return [c for c in totals if c.kind == kind and c.parent_id is None]


def column_index(month: int, yearly: bool) -> int:
    """The column a month index falls in: itself, or its year's January for yearly columns."""
    return month - month % 12 if yearly else month


def _own_by_month(
    session: Session, filters: ReportFilters, currency: str | None = None, yearly: bool = False
) -> tuple[dict[str, dict[int, Keyed]], list[str]]:
    """Per currency and column (month index, or the year's January with `yearly`): each
    category's own amount (income and spending positive), all converted into `currency` when
    given; and the currencies that could not be."""
    own: dict[str, dict[int, Keyed]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    sums = flow_sums(session, filters, by_month=True, currency=currency)
    for code, category_id, kind, month, signed in sums.rows:
        assert month is not None
        own[code][column_index(month, yearly)][(category_id, kind)] += positive(kind, signed)
    return own, sums.unconverted


def _trend(
    tree: CategoryTree,
    rolled: dict[int, Keyed],
    category_ids: Sequence[int],
    months: Sequence[dt.date],
) -> list[TrendSeries]:
    series = []
    for category_id in category_ids:
        if category_id not in tree.by_id:
            continue
        key = (category_id, tree.by_id[category_id].kind)
        values = [rolled.get(month_index(m), {}).get(key, 0) for m in months]
        series.append(TrendSeries(_category(tree, category_id), list(months), values))
    return series


def _statement_rows(
    tree: CategoryTree,
    rolled: dict[int, Keyed],
    indexes: list[int],
    kind: str,
) -> list[StatementRow]:
    """Rows of one kind in tree order (parents before their children), then its total."""
    active = {key for values in rolled.values() for key in values}
    rows: list[StatementRow] = []

    def add(category_id: int | None, depth: int) -> None:
        if (category_id, kind) not in active:
            return
        values = [rolled.get(i, {}).get((category_id, kind), 0) for i in indexes]
        label = UNCATEGORIZED if category_id is None else tree.by_id[category_id].name
        rows.append(StatementRow(label, kind, depth, values, sum(values), category_id))
        if category_id is not None:
            for child in tree.children(category_id):
                add(child, depth + 1)

    roots = [r for r in tree.children(None) if tree.by_id[r].kind == kind]
    for root in roots:
        add(root, 0)
    add(None, 0)
    totals = [sum(rolled.get(i, {}).get((r, kind), 0) for r in [*roots, None]) for i in indexes]
    heading = "Total income" if kind == "income" else "Total expenses"
    rows.append(StatementRow(heading, kind, 0, totals, sum(totals), is_total=True))
    return rows


def _statement(
    tree: CategoryTree,
    rolled: dict[int, Keyed],
    months: Sequence[dt.date],
    currency: str,
    unconverted: Sequence[str] = (),
) -> Statement:
    indexes = [month_index(m) for m in months]
    income = _statement_rows(tree, rolled, indexes, "income")
    expenses = _statement_rows(tree, rolled, indexes, "expense")
    net = [i - e for i, e in zip(income[-1].values, expenses[-1].values, strict=True)]
    rows = [*income, *expenses, StatementRow("Net", "net", 0, net, sum(net), is_total=True)]
    return Statement(currency, list(months), rows, list(unconverted))


@dataclass(frozen=True)
class PeriodReport:
    """Every figure of one period, per currency, from a single GROUP BY: income and expenses
    (`summary`), the same per column (`flows`), category totals with sub-categories rolled up
    (sorted by kind, then largest first), the trend of chosen categories and the income
    statement."""

    summary: dict[str, PeriodSummary]
    flows: dict[str, list[MonthFlow]]
    totals: dict[str, list[CategoryTotal]]
    trend: dict[str, list[TrendSeries]]
    statements: dict[str, Statement]
    unconverted: list[str] = field(default_factory=list)


def period_report(
    session: Session,
    filters: ReportFilters,
    months: Sequence[dt.date],
    trend_ids: Sequence[int] | None = None,
    trend_count: int = 5,
    currency: str | None = None,
) -> PeriodReport:
    """Every figure of a period (see `PeriodReport`) over the columns `months` (months, or
    years: see `periods.columns`); what `/reports`, the command line and the tests read.

    Without `trend_ids` the trend follows the `trend_count` largest top-level expense
    categories of each currency. With `currency`, everything is converted into it (flows at
    their date's rate) and keyed by it alone, present even when empty.
    """
    if currency:
        prepare(session)
    tree = CategoryTree.load(session)
    summary, flows, totals, trend, statements = {}, {}, {}, {}, {}
    yearly = periods.is_yearly(list(months))
    by_currency, unconverted = _own_by_month(session, filters, currency, yearly)
    if currency:
        by_currency.setdefault(currency, {})
    for code, own in by_currency.items():
        rolled = {m: _rollup(tree, values) for m, values in own.items()}
        whole: Keyed = defaultdict(int)
        for values in own.values():
            for key, amount in values.items():
                whole[key] += amount
        summary[code] = _summary(whole)
        flows[code] = [_month_flow(m, _summary(own.get(month_index(m), {}))) for m in months]
        totals[code] = category_totals(tree, whole)
        ids = trend_ids
        if ids is None:
            tops = top_level(totals[code], "expense")
            ids = [c.id for c in tops if c.id is not None][:trend_count]
        trend[code] = _trend(tree, rolled, ids, months)
        statements[code] = _statement(tree, rolled, months, code, unconverted)
    return PeriodReport(summary, flows, totals, trend, statements, unconverted)


def top_payees(
    session: Session, filters: ReportFilters, limit: int = 10, currency: str | None = None
) -> dict[str, list[PayeeTotal]]:
    """The payees where most money went, per currency (refunds from a payee count against it);
    only in `currency` when given (one query instead of one per currency)."""
    t = Transaction.__table__.c
    result: dict[str, list[PayeeTotal]] = {}
    chosen = [currency] if currency else currencies(session, filters.account_ids)
    for code in chosen:
        total = func.sum(t.amount)
        query = (
            select(func.max(t.payee), func.count(), total)
            .select_from(Transaction.__table__)
            .join(Account, Account.id == t.account_id)
            .where(*transaction_filters(filters), Account.currency == code)
            .group_by(t.payee_norm)
            .having(total < 0)
            .order_by(total, func.max(t.payee))
            .limit(limit)
        )
        rows = [
            PayeeTotal(payee or "", count, -int(spent))
            for payee, count, spent in session.execute(query)
        ]
        if rows:
            result[code] = rows
    return result


def has_data(session: Session) -> bool:
    """Whether there is anything to report on: at least one transaction."""
    return session.execute(select(Transaction.id).limit(1)).first() is not None


def first_transaction_date(session: Session) -> dt.date | None:
    """The date of the oldest transaction, if any."""
    return session.execute(select(func.min(Transaction.date))).scalar()
