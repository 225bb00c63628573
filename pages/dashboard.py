"""The dashboard `/`."""

from __future__ import annotations

from nicegui import ui

from components.frame import frame


@ui.page("/")
def dashboard_page() -> None:
    with frame("Dashboard", "/"), ui.card().classes("w-full"):
        ui.label("Welcome to fintrack").classes("text-h6")
        ui.markdown(
            "fintrack keeps your accounts, cards and transactions in one place: "
            "import your banks' CSV and OFX exports, sort spending into categories, "
            "set a monthly budget and see where the money goes.\n\n"
            "**Start here:** add your first account under **Accounts**, then import a "
            "bank export under **Import**."
        )
