"""Every screen of fintrack in one list: the app registers them and the navigation shows them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import app, ui

from components.frame import SCRIPT, STYLE, NavItem
from components.progress import Progress
from pages import (
    accounts,
    budgets,
    categories,
    dashboard,
    imports,
    not_found,
    recurring,
    reports,
    rules,
    settings,
    transactions,
)
from web import install


@dataclass(frozen=True)
class Screen:
    """A page: its path, the class that builds it, and its navigation entry if it has one."""

    path: str
    page: Callable[..., object]
    label: str = ""
    icon: str = ""


SCREENS = (
    Screen("/", dashboard.DashboardPage, "Dashboard", "dashboard"),
    Screen("/transactions", transactions.TransactionsPage, "Transactions", "receipt_long"),
    Screen("/accounts", accounts.AccountsPage, "Accounts", "account_balance"),
    Screen("/accounts/{account_id}", accounts.AccountPage),
    Screen("/categories", categories.CategoriesPage, "Categories", "account_tree"),
    Screen("/budgets", budgets.BudgetsPage, "Budgets", "savings"),
    Screen("/recurring", recurring.RecurringPage, "Recurring", "event_repeat"),
    Screen("/import", imports.ImportPage, "Import", "upload_file"),
    Screen("/reports", reports.ReportsPage, "Reports", "insights"),
    Screen("/settings", settings.SettingsPage, "Settings", "settings"),
    Screen("/settings/rules", rules.RulesPage),
)


def register() -> None:
    """Add every screen to the app and derive the navigation drawer from the list."""
    for screen in SCREENS:
        ui.page(screen.path)(screen.page)
    app.state.navigation = tuple(
        NavItem(screen.label, screen.path, screen.icon) for screen in SCREENS if screen.label
    )
    app.exception_handlers[404] = not_found.not_found
    ui.add_head_html(install.HEAD_HTML, shared=True)
    ui.add_css(STYLE, shared=True)
    ui.add_body_html(SCRIPT, shared=True)
    # One restore at a time for the whole app, whichever tab started it.
    app.state.restore = Progress()
