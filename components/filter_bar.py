"""The filter bar over the transaction list: period, account, category, tag, amounts, search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable

from nicegui import ui

from components.category_select import category_select
from components.dates import DateInput
from components.money import MoneyInput
from fintrack import periods
from fintrack.accounts import AccountChoice
from fintrack.categories import CategoryOption
from fintrack.filters import TransactionFilters
from fintrack.query import QueryError, parse_query

CUSTOM = "custom"
SEARCH_HELP = (
    "Words match payee, notes or category. Also payee:aldi category:food account:visa tag:trip "
    "amount:>50 amount:10..20 (sizes, either direction) after:2025-01-01 before:2025-12-31 "
    "(dates included); -tag:work excludes; a,b means either."
)


def _query_problem(text: str | None) -> str | None:
    try:
        parse_query(text or "")
    except QueryError as error:
        return str(error)
    return None


class FilterBar:
    """Inputs for `Filters`; calls `on_change` with the new filters whenever one changes, and
    `on_invalid` when a change leaves one unreadable (its message is under it)."""

    def __init__(
        self,
        filters: TransactionFilters,
        accounts: Iterable[AccountChoice],
        categories: Iterable[CategoryOption],
        tags: Iterable[str],
        on_change: Callable[[TransactionFilters], Awaitable[None] | None],
        on_invalid: Callable[[], Awaitable[None] | None] = lambda: None,
    ) -> None:
        self.filters = filters
        self.on_change = on_change
        self.on_invalid = on_invalid
        period = filters.period or (CUSTOM if filters.start or filters.end else "all")
        with ui.row().classes("w-full items-start gap-2"):
            self.search = (
                ui.input(
                    "Search",
                    value=filters.text,
                    placeholder="e.g. payee:aldi amount:>20 -tag:work",
                    validation=_query_problem,
                )
                .props('clearable debounce=400 aria-label="Search"')
                .classes("grow min-w-48")
                .tooltip(SEARCH_HELP)
            )
            self.search.on_value_change(self._changed)
            # On a phone the other filters fold behind this button, which counts them.
            self.toggle = (
                ui.button("Filter", icon="filter_list", on_click=self._fold)
                .props('outline no-caps aria-expanded="false"')
                .classes("lt-sm self-center")
                .mark("filter-toggle")
            )
        with ui.column().classes("w-full gap-2 filters-fold") as self.fold:
            self._more(filters, period, accounts, categories, tags)
        self._count()

    def _more(
        self,
        filters: TransactionFilters,
        period: str,
        accounts: Iterable[AccountChoice],
        categories: Iterable[CategoryOption],
        tags: Iterable[str],
    ) -> None:
        with ui.row().classes("w-full items-start gap-2"):
            self.period = ui.select(
                {**periods.PRESET_LABELS, CUSTOM: "Custom range"},
                value=period,
                label="Period",
                on_change=self._period_changed,
            ).classes("w-40")
            self.start = DateInput("From", filters.start).classes("w-32")
            # A custom range that ends before it starts finds nothing: `To` says so.
            self.end = DateInput("To", filters.end, after=self.start).classes("w-32")
            for field in (self.start, self.end):
                field.props("debounce=600")
                field.on_value_change(self._changed)
                field.bind_visibility_from(self.period, "value", value=CUSTOM)
        with ui.row().classes("w-full items-start gap-2"):
            account_options = {a.id: a.name for a in accounts}
            self.accounts = ui.select(
                account_options,
                value=[i for i in filters.account_ids if i in account_options],
                label="Accounts",
                multiple=True,
                clearable=True,
                on_change=self._changed,
            ).classes("w-56")
            self.category = category_select(
                categories, value=filters.category_id, on_change=self._changed
            ).classes("w-56")
            tag_options = sorted({*tags, *([filters.tag] if filters.tag else [])}, key=str.lower)
            self.tag = ui.select(
                tag_options,
                value=filters.tag,
                label="Tag",
                clearable=True,
                on_change=self._changed,
            ).classes("w-40")
            self.amount_min = MoneyInput("Min amount", value=filters.amount_min or None)
            self.amount_max = MoneyInput("Max amount", value=filters.amount_max or None)
            for field in (self.amount_min, self.amount_max):
                field.classes("w-28").props("debounce=600")
                field.on_value_change(self._changed)
            self.uncategorized = ui.checkbox(
                "Uncategorized only", value=filters.uncategorized, on_change=self._changed
            )

    def _fold(self) -> None:
        opened = "filters-open" not in self.fold.classes
        if opened:
            self.fold.classes(add="filters-open")
        else:
            self.fold.classes(remove="filters-open")
        self.toggle.props(f'aria-expanded="{str(opened).lower()}"')

    def active(self) -> int:
        """How many filters besides the search narrow the list."""
        values = (
            self.period.value not in (None, "all"),
            bool(self.accounts.value),
            self.category.value is not None,
            bool(self.tag.value),
            bool((self.amount_min.value or "").strip()),
            bool((self.amount_max.value or "").strip()),
            bool(self.uncategorized.value),
        )
        return sum(values)

    def _count(self) -> None:
        count = self.active()
        self.toggle.text = f"Filter ({count})" if count else "Filter"

    def show_search_error(self, message: str | None) -> None:
        """Put a message (or none) under the search box."""
        self.search.error = message

    def _period_changed(self) -> Awaitable[None] | None:
        if self.period.value == CUSTOM:
            today = dt.date.today()
            current = periods.preset("this_month", today)
            if not self.start.value and not self.end.value:
                self.start.date, self.end.date = current.start, current.end
        return self._changed()

    def read(self) -> TransactionFilters | None:
        """The filters the inputs say, or None while one of them is unreadable."""
        fields = (self.search, self.start, self.end, self.amount_min, self.amount_max)
        if not all(field.validate() for field in fields):
            return None
        text = (self.search.value or "").strip()
        filters = TransactionFilters(
            account_ids=list(self.accounts.value or []),
            category_id=self.category.value,
            tag=self.tag.value or None,
            uncategorized=bool(self.uncategorized.value),
            text=text,
        )
        if self.period.value == CUSTOM:
            filters.start, filters.end = self.start.date, self.end.date
        elif self.period.value in periods.PRESETS and self.period.value != "all":
            filters.period = self.period.value
            span = periods.preset(self.period.value)
            filters.start, filters.end = span.start, span.end
        for field, attr in ((self.amount_min, "amount_min"), (self.amount_max, "amount_max")):
            if field.minor is not None:
                setattr(filters, attr, abs(field.minor))
        return filters

    def _changed(self) -> Awaitable[None] | None:
        self._count()
        filters = self.read()
        if filters is None:
            return self.on_invalid()
        self.filters = filters
        return self.on_change(filters)
