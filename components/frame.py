"""The page frame every screen shares: header, navigation drawer, dark mode, logout."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nicegui import app, background_tasks, ui
from nicegui.events import KeyEventArguments

from components import catch_up, core
from components.transaction_dialog import TransactionDialog
from fintrack import preferences
from web import install, live


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation drawer."""

    label: str
    path: str
    icon: str


STYLE = Path(__file__).parent / "layout.css"
SCRIPT = f"<script>{(Path(__file__).parent / 'browser.js').read_text()}</script>"


def navigation() -> tuple[NavItem, ...]:
    """The drawer's entries, derived from the list of pages when the app is built."""
    return app.state.navigation


async def _logout() -> None:
    # Ends every session and sends every open tab, this one included, to the login page.
    await live.logout(app.state.settings)


def _follow_theme(dark: bool) -> None:
    """The browser's own bar (and an installed app's title bar) takes the theme's colour."""
    colour = install.THEME_DARK if dark else install.THEME_LIGHT
    ui.run_javascript(
        f"document.querySelector('meta[name=theme-color]')?.setAttribute('content', '{colour}')"
    )


SHORTCUTS = (
    ("n", "Add a transaction"),
    ("/", "Search the transactions"),
    ("?", "Show these shortcuts"),
    ("↑ ↓ Enter", "Move through the transactions and open one"),
    ("Escape", "Close a dialog (asks first when you changed something)"),
)
# Focus the search of the page, if it has one.
FOCUS_SEARCH = "document.querySelector('input[aria-label=\"Search\"]')?.focus()"


def _quick_add(on_added: Callable[[], Awaitable[None] | None] | None) -> None:
    """A button at the bottom of a phone's screen, and keyboard shortcuts everywhere."""
    dialog = TransactionDialog(on_saved=on_added or (lambda: None))
    with ui.page_sticky(position="bottom-right", x_offset=16, y_offset=16).classes("lt-sm"):
        ui.button(icon="add", on_click=lambda: dialog.open()).props(
            'fab color=primary aria-label="Add transaction"'
        ).mark("quick-add")
    with ui.dialog() as help_dialog, ui.card().classes("w-96 max-w-full"):
        ui.label("Keyboard shortcuts").classes("text-h6")
        with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1 items-baseline"):
            for keys, meaning in SHORTCUTS:
                ui.label(keys).classes("font-mono text-weight-medium")
                ui.label(meaning)
        ui.button("Close", on_click=help_dialog.close).props("flat").classes("self-end")

    async def shortcut(event: KeyEventArguments) -> None:
        modified = event.modifiers.ctrl or event.modifiers.alt or event.modifiers.meta
        if not event.action.keydown or modified or dialog.dialog.value or help_dialog.value:
            return
        if event.key.name == "n":
            await dialog.open()
        elif event.key.name == "/":
            ui.run_javascript(FOCUS_SEARCH)
        elif event.key.name == "?":
            help_dialog.open()

    ui.keyboard(on_key=shortcut)


@contextmanager
def frame(
    title: str, current: str, on_added: Callable[[], Awaitable[None] | None] | None = None
) -> Iterator[ui.column]:
    """Lay out a page: everything created inside the `with` goes into its main column.

    On a phone, a button at the bottom adds a transaction from any page; `on_added` runs
    after it saved one (the page's list shows it), else a notification says so.

    The frame needs no database to be sent: the dark-mode choice and news of the recurring
    catch-up follow once the browser is connected.
    """
    dark = ui.dark_mode(False, on_change=lambda e: _follow_theme(bool(e.value)))
    client = ui.context.client

    async def after_connect() -> None:
        await client.connected()
        with main:
            catch_up.announce()
            try:
                dark.value = await core.call(preferences.dark_mode)
            except Exception as error:
                # The page's own panels say when the database is away; the theme can wait.
                core.report("load the dark-mode choice", error)

    background_tasks.create(after_connect(), name="frame")
    ui.page_title(f"{title} · fintrack")

    with ui.header(elevated=True).classes("items-center px-3 py-1 bg-primary"):
        ui.button(icon="menu", on_click=lambda: drawer.toggle()).props(
            'flat round color=white aria-label="Menu"'
        )
        ui.link("fintrack", "/").classes("text-h6 text-white no-underline")
        ui.space()

        def toggle_dark() -> Awaitable[object]:
            # The switch answers at once; the choice is stored off the loop.
            dark.value = not dark.value
            return core.change(preferences.set_dark_mode, bool(dark.value))

        ui.button(icon="dark_mode", on_click=toggle_dark).props(
            'flat round color=white aria-label="Dark mode"'
        ).mark("dark-mode").tooltip("Dark mode")
        ui.button("Log out", icon="logout", on_click=_logout).props("flat color=white")

    with ui.left_drawer(bordered=True).classes("px-0") as drawer, ui.list().classes("w-full"):
        for item in navigation():
            active = item.path == current
            with (
                ui.item(on_click=lambda p=item.path: ui.navigate.to(p))
                .props(f"clickable {'active' if active else ''}")
                .classes("rounded-r-full mr-2")
            ):
                with ui.item_section().props("avatar"):
                    ui.icon(item.icon)
                ui.item_section(item.label)

    with ui.column().classes("fintrack-main w-full max-w-screen-xl mx-auto p-4 gap-4") as main:
        ui.label(title).classes("text-h5")
        yield main
    # After the page's content, so that it stays on top of it.
    _quick_add(on_added)
