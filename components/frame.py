"""The page frame every screen shares: header, navigation drawer, dark mode, logout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import app, ui

from fintrack import db, preferences, recurring
from web import live

NAVIGATION = (
    ("Dashboard", "/", "dashboard"),
    ("Transactions", "/transactions", "receipt_long"),
    ("Accounts", "/accounts", "account_balance"),
    ("Categories", "/categories", "account_tree"),
    ("Budgets", "/budgets", "savings"),
    ("Recurring", "/recurring", "event_repeat"),
    ("Import", "/import", "upload_file"),
    ("Reports", "/reports", "insights"),
    ("Settings", "/settings", "settings"),
)


def _existing_paths() -> set[str]:
    return {getattr(route, "path", "") for route in app.routes}


def _save_dark_mode(enabled: bool) -> None:
    with db.session() as s:
        preferences.set_dark_mode(s, enabled)


async def _logout() -> None:
    # Ends every session and sends every open tab, this one included, to the login page.
    await live.logout(app.state.settings)


@contextmanager
def frame(title: str, current: str) -> Iterator[ui.column]:
    """Lay out a page: everything created inside the `with` goes into its main column."""
    recurring.catch_up_now()
    with db.session() as s:
        dark_enabled = preferences.dark_mode(s)
    dark = ui.dark_mode(dark_enabled)
    ui.page_title(f"{title} · fintrack")

    with ui.header(elevated=True).classes("items-center px-3 py-1 bg-primary"):
        ui.button(icon="menu", on_click=lambda: drawer.toggle()).props(
            'flat round color=white aria-label="Menu"'
        )
        ui.link("fintrack", "/").classes("text-h6 text-white no-underline")
        ui.space()

        def toggle_dark() -> None:
            dark.value = not dark.value
            _save_dark_mode(bool(dark.value))

        ui.button(icon="dark_mode", on_click=toggle_dark).props(
            'flat round color=white aria-label="Dark mode"'
        ).mark("dark-mode").tooltip("Dark mode")
        ui.button("Log out", icon="logout", on_click=_logout).props("flat color=white")

    paths = _existing_paths()
    with ui.left_drawer(bordered=True).classes("px-0") as drawer, ui.list().classes("w-full"):
        for label, path, icon in NAVIGATION:
            if path not in paths:
                continue
            active = path == current
            with (
                ui.item(on_click=lambda p=path: ui.navigate.to(p))
                .props(f"clickable {'active' if active else ''}")
                .classes("rounded-r-full mr-2")
            ):
                with ui.item_section().props("avatar"):
                    ui.icon(icon)
                ui.item_section(label)

    with ui.column().classes("w-full max-w-screen-xl mx-auto p-4 gap-4") as main:
        ui.label(title).classes("text-h5")
        yield main
