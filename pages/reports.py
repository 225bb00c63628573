"""Reports `/reports`: category breakdown, cash flow, category trend, income statement, payees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from nicegui import ui
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from components import charts, core
from components.category_select import category_choices
from components.dates import DateInput
from components.frame import frame
from fintrack import (
    accounts,
    categories,
    display,
    money,
    periods,
    preferences,
    report_json,
    reports,
)
from fintrack.currency import reporting_currency

CUSTOM = "custom"
PERIOD_CHOICES = {**periods.PRESET_LABELS, CUSTOM: "Custom dates"}
TREND_DEFAULT_COUNT = 5
# The currency choice that shows every account, converted into the reporting currency.
CONVERTED = "all"


@dataclass
class Choices:
    """What the person picked in the controls."""

    preset: str = "last_12_months"
    start: dt.date | None = None
    end: dt.date | None = None
    account_ids: list[int] = field(default_factory=list)
    currency: str | None = None
    kind: str = "expense"
    trend_ids: list[int] | None = None
    stacked: bool = False

    @classmethod
    def from_params(cls, params: QueryParams) -> Choices:
        """The choices a URL holds; anything unreadable falls back to the default."""
        preset = params.get("period", "last_12_months")
        choices = cls(preset=preset if preset in PERIOD_CHOICES else "last_12_months")
        if choices.preset == CUSTOM:
            choices.start, choices.end = _date(params.get("from")), _date(params.get("to"))
        choices.account_ids = [int(a) for a in params.getlist("account") if a.isdigit()]
        choices.currency = params.get("currency") or None
        choices.kind = "income" if params.get("kind") == "income" else "expense"
        choices.stacked = params.get("chart") == "stacked"
        return choices

    def url(self) -> str:
        """`/reports?...`: a bookmark of this view."""
        params: list[tuple[str, str]] = [("period", self.preset)]
        if self.preset == CUSTOM:
            params += [("from", str(d)) for d in (self.start,) if d]
            params += [("to", str(d)) for d in (self.end,) if d]
        params += [("account", str(a)) for a in self.account_ids]
        params += [("currency", self.currency)] if self.currency else []
        params += [("kind", self.kind)] if self.kind != "expense" else []
        params += [("chart", "stacked")] if self.stacked else []
        return f"/reports?{urlencode(params)}"


def _date(text: str | None) -> dt.date | None:
    try:
        return periods.parse_date(text) if text else None
    except ValueError:
        return None


@dataclass
class ReportData:
    """Everything one rendering of the reports shows, in one currency."""

    dark: bool
    currency: str
    views: dict[str, str]
    view: str
    unconverted: list[str]
    filters: reports.ReportFilters
    months: list[dt.date]
    totals: list[reports.CategoryTotal]
    trend_ids: list[int]
    trend: list[reports.TrendSeries]
    statement: reports.Statement | None
    payees: list[reports.PayeeTotal]
    account_names: dict[int, str]
    category_names: dict[int, str]


def _period(choices: Choices, first: dt.date | None, today: dt.date) -> periods.Period:
    if choices.preset == CUSTOM:
        start, end = choices.start, choices.end
    else:
        chosen = periods.preset(choices.preset, today)
        start, end = chosen.start, chosen.end
    start = start or periods.month_start(min(first or today, today))
    return periods.Period(start, end or periods.month_end(today))


def _load(s: Session, choices: Choices) -> ReportData:
    today = dt.date.today()
    period = _period(choices, reports.first_transaction_date(s), today)
    assert period.start is not None and period.end is not None
    filters = reports.ReportFilters(period.start, period.end, tuple(choices.account_ids) or None)
    found = reports.currencies(s, choices.account_ids or None)
    reporting = reporting_currency(s)
    views = {CONVERTED: f"All accounts in {reporting}"}
    views.update({c: f"Only {c} accounts" for c in found})
    view = choices.currency if choices.currency in views else CONVERTED
    currency = reporting if view == CONVERTED else view
    last = min(period.end, periods.month_end(today)) if period.start <= today else period.end
    months = periods.columns(period.start, last)
    report = reports.period_report(
        s,
        filters,
        months,
        choices.trend_ids,
        TREND_DEFAULT_COUNT,
        currency=reporting if view == CONVERTED else None,
    )
    trend = report.trend.get(currency, [])
    return ReportData(
        dark=preferences.dark_mode(s),
        currency=currency,
        views=views,
        view=view,
        unconverted=report.unconverted,
        filters=filters,
        months=months,
        totals=report.totals.get(currency, []),
        trend_ids=[t.category.id for t in trend if t.category.id is not None],
        trend=trend,
        statement=report.statements.get(currency),
        payees=reports.top_payees(s, filters, currency=currency).get(currency, []),
        account_names={a.id: a.name for a in accounts.balances(s)},
        category_names=category_choices(categories.options(s)),
    )


Opener = Callable[..., None]
Rerender = Callable[[], Awaitable[None]]


def _opener(data: ReportData) -> Opener:
    """A click handler that opens the transactions behind a chart point."""
    account = data.filters.account_ids[0] if len(data.filters.account_ids or ()) == 1 else None

    def open_point(point: list[Any], month: str | None = None) -> None:
        if point[1] is None:
            return
        start, end = data.filters.start, data.filters.end
        if month:
            span = charts.month_period(month)
            start, end = span.start, span.end
        ui.navigate.to(charts.transactions_url(point[1], start, end, account))

    return open_point


def _statement_table(statement: reports.Statement) -> None:
    cur = statement.currency
    columns = [{"name": "label", "label": "Category", "field": "label", "align": "left"}]
    yearly = periods.is_yearly(statement.months)
    for month in statement.months:
        key = periods.column_label(month, yearly)
        columns.append({"name": key, "label": key, "field": key, "align": "right"})
    columns.append({"name": "total", "label": "Total", "field": "total", "align": "right"})
    rows = []
    for index, row in enumerate(statement.rows):
        cells = {
            periods.column_label(m, yearly): money.format_amount(v, cur)
            for m, v in zip(statement.months, row.values, strict=True)
        }
        rows.append(
            {
                "id": index,
                "label": "\u2003" * row.depth + row.label,
                "total": money.format_amount(row.total, cur),
                "is_total": row.is_total,
                **cells,
            }
        )
    table = ui.table(columns=columns, rows=rows, row_key="id").props("dense flat")
    table.classes("w-full")
    table.props(":pagination='{rowsPerPage: 0}' hide-bottom")
    table.add_slot(
        "body-cell",
        r"""
        <q-td :props="props"
              :class="[props.row.is_total ? 'text-weight-bold' : '',
                       props.col.name !== 'label' ? 'tabular-nums' : '',
                       props.col.name !== 'label' && String(props.value).startsWith('-')
                         ? 'text-negative' : '']">
          {{ props.value }}
        </q-td>
        """,
    )


PAYEE_LINK = r"""
<q-td :props="props">
  <a v-if="props.row.url" :href="props.row.url" class="text-primary">{{ props.value }}</a>
  <span v-else>{{ props.value }}</span>
</q-td>
"""


def _payee_url(data: ReportData, payee: str) -> str:
    """The payee's transactions in the report's period (and account, when one is chosen)."""
    # The search language has no escape for a quote inside quotes; banks rarely write one.
    query = {"q": f'payee:"{payee.replace(chr(34), " ")}"'}
    query.update(start=data.filters.start.isoformat(), end=data.filters.end.isoformat())
    if len(data.filters.account_ids or ()) == 1:
        query["account"] = str(data.filters.account_ids[0])
    return "/transactions?" + urlencode(query)


def _payees_table(data: ReportData, currency: str) -> None:
    columns = [
        {"name": "payee", "label": "Payee", "field": "payee", "align": "left"},
        {"name": "count", "label": "Transactions", "field": "count", "align": "right"},
        {"name": "spent", "label": "Spent", "field": "spent", "align": "right"},
    ]
    rows = [
        {
            "id": i,
            "payee": p.payee or "(no payee)",
            "url": _payee_url(data, p.payee) if p.payee.strip() else "",
            "count": p.count,
            "spent": money.format_amount(p.spent, currency),
        }
        for i, p in enumerate(data.payees)
    ]
    table = ui.table(columns=columns, rows=rows, row_key="id").props("dense flat hide-bottom")
    table.classes("w-full").add_slot("body-cell-payee", PAYEE_LINK)
    if data.payees:
        name = f"top-payees-{data.filters.start}-{data.filters.end}-{currency}.csv"
        ui.button(
            "Download payees CSV",
            icon="download",
            on_click=lambda: ui.download.content(
                report_json.payees_csv(data.payees, currency).encode(), name, "text/csv"
            ),
        ).props("flat no-caps")


class ReportsPage:
    """`/reports`: the controls and the reports of the chosen period, accounts and currency."""

    def __init__(self) -> None:
        # Everything chosen lives in the URL: a view can be bookmarked and reloaded.
        self.choices = Choices.from_params(ui.context.client.request.query_params)
        self.shown = False
        with frame("Reports", "/reports"):
            controls = ui.row().classes("w-full items-start gap-4")
            self.view = core.Panel(self.load, self.show)
        with controls:
            self.controls()

    def load(self, s: Session) -> ReportData:
        return _load(s, self.choices)

    async def render(self) -> None:
        """Show the new choices, in a new history entry (Back returns to the previous ones)."""
        ui.navigate.history.push(self.choices.url())
        await self.view.refresh()

    def show(self, data: ReportData) -> None:
        _render(data, self.choices, self.render)
        self.account_select.options = data.account_names
        if not self.shown:
            # The accounts of the URL, now that the choice of accounts is known.
            chosen = [a for a in self.choices.account_ids if a in data.account_names]
            self.account_select.set_value(chosen)
            self.shown = True
        self.account_select.update()
        self.choices.currency = data.view
        self.currency_select.options = data.views
        self.currency_select.value = data.view
        self.currency_select.visible = len(data.views) > 2 or data.currency not in data.views

    async def on_period(self, value: str) -> None:
        self.choices.preset = value
        self.dates.visible = value == CUSTOM
        if value != CUSTOM:
            await self.render()

    async def on_dates(self) -> None:
        """Apply the custom range; a date that cannot be used says why under its field."""
        fields = (self.start_input, self.end_input)
        if not all(field.validate() for field in fields):
            return
        self.choices.start, self.choices.end = self.start_input.date, self.end_input.date
        await self.render()

    async def on_accounts(self, value: list[int] | None) -> None:
        if list(value or []) == self.choices.account_ids:
            return
        self.choices.account_ids = list(value or [])
        await self.render()

    async def on_currency(self, value: str | None) -> None:
        if value and value != self.choices.currency:
            self.choices.currency = value
            await self.render()

    def controls(self) -> None:
        ui.select(
            PERIOD_CHOICES,
            value=self.choices.preset,
            label="Period",
            on_change=lambda e: self.on_period(e.value),
        ).classes("w-48")
        with ui.row().classes("items-start gap-2") as self.dates:
            start, end = self.choices.start, self.choices.end
            self.start_input = DateInput("From", start).classes("w-36")
            self.end_input = DateInput("To", end, after=self.start_input).classes("w-36")
            ui.button("Apply", on_click=self.on_dates).props("flat")
        self.dates.visible = self.choices.preset == CUSTOM
        self.account_select = (
            ui.select(
                {},
                multiple=True,
                label="Accounts",
                clearable=True,
                on_change=lambda e: self.on_accounts(e.value),
            )
            .classes("min-w-[14rem]")
            .props('hint="All when none is chosen"')
        )
        self.currency_select = ui.select(
            [], label="Currency", on_change=lambda e: self.on_currency(e.value)
        ).classes("w-28")
        self.currency_select.visible = False


def _render(data: ReportData, choices: Choices, rerender: Rerender) -> None:
    cur = data.currency
    open_point = _opener(data)
    converted = data.view == CONVERTED and len(data.views) > 2
    with ui.row().classes("w-full text-grey-7"):
        ui.label(f"{display.span(data.filters.start, data.filters.end)}, figures in {cur}")
        if converted:
            ui.label(
                f"Amounts in other currencies are converted to {cur} at each transaction "
                "date's rate."
            ).props('data-testid="converted"')
    if data.unconverted:
        ui.label(
            f"No exchange rate for {', '.join(data.unconverted)}: those amounts are not in "
            "these figures. Add a rate in Settings."
        ).classes("text-negative").props('role="alert"')
    if not data.totals:
        ui.label("Nothing to report for this period and these accounts.").classes("text-grey-7")
        return
    kind_totals = [c for c in data.totals if c.kind == choices.kind]

    async def on_kind(value: str) -> None:
        choices.kind = value
        await rerender()

    with ui.card().classes("w-full"):
        ui.label("Cash flow").classes("text-subtitle1")
        income = [c for c in data.totals if c.kind == "income"]
        expenses = [c for c in data.totals if c.kind == "expense"]
        full = charts.sankey(income, expenses, cur, data.dark)
        charts.chart(full, open_point, "32rem").classes("gt-xs")
        # Below 600 px the labels of five columns overlap: a phone shows the top-level flow.
        simple = charts.sankey(income, expenses, cur, data.dark, top_level=True)
        charts.chart(simple, open_point, "28rem").classes("xs")

    with ui.grid().classes("w-full grid-cols-1 lg:grid-cols-2 gap-4"):
        with ui.card().classes("w-full"):
            with ui.row().classes("w-full items-center"):
                ui.label("Category breakdown").classes("text-subtitle1")
                ui.space()
                ui.toggle(
                    {"expense": "Expenses", "income": "Income"},
                    value=choices.kind,
                    on_change=lambda e: on_kind(e.value),
                ).props("dense no-caps")
            if any(c.total > 0 for c in kind_totals):
                charts.chart(
                    charts.sunburst(kind_totals, cur, data.dark),
                    open_point,
                    height="26rem",
                )
            else:
                ui.label("Nothing of this kind in the period.").classes("text-grey-7")
        with ui.card().classes("w-full"):
            ui.label("Top payees").classes("text-subtitle1")
            if converted:
                ui.label(f"Accounts in {cur} only.").classes("text-caption text-grey-7")
            _payees_table(data, cur)

    _trend_card(data, choices, rerender, open_point)

    with ui.card().classes("w-full"):
        with ui.row().classes("w-full items-center"):
            ui.label("Income statement").classes("text-subtitle1")
            ui.space()
            if data.statement:
                statement = data.statement
                name = f"income-statement-{data.filters.start}-{data.filters.end}-{cur}.csv"
                ui.button(
                    "Download CSV",
                    icon="download",
                    on_click=lambda: ui.download.content(
                        report_json.statement_csv(statement).encode(), name, "text/csv"
                    ),
                ).props("flat")
        if data.statement:
            with ui.element("div").classes("w-full overflow-x-auto"):
                _statement_table(data.statement)


def _trend_card(data: ReportData, choices: Choices, rerender: Rerender, open_point: Opener) -> None:
    async def on_categories(value: list[int] | None) -> None:
        choices.trend_ids = list(value or [])
        await rerender()

    async def on_style(value: bool) -> None:
        choices.stacked = value
        await rerender()

    with ui.card().classes("w-full"):
        with ui.row().classes("w-full items-center gap-4"):
            ui.label("Category trend").classes("text-subtitle1")
            ui.select(
                data.category_names,
                value=[c for c in data.trend_ids if c in data.category_names],
                multiple=True,
                with_input=True,
                label="Categories",
                on_change=lambda e: on_categories(e.value),
            ).classes("min-w-[16rem]").props("use-chips")
            ui.space()
            ui.toggle(
                {False: "Lines", True: "Stacked bars"},
                value=choices.stacked,
                on_change=lambda e: on_style(e.value),
            ).props("dense no-caps")
        if data.trend:
            charts.chart(
                charts.trend(data.trend, data.currency, data.dark, choices.stacked),
                lambda p: open_point(p, p[2]),
            )
        else:
            ui.label("Choose categories to compare.").classes("text-grey-7")
