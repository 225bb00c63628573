"""The payee field: as a person types, it lists the payees typed before that best match.

The list comes from all payees, in SQL (those starting with the typed text first, then the
most used), not from a list loaded with the form: a ledger of years has thousands of payees.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from components import core
from fintrack import payees


class PayeeInput:
    """A `Payee` input with a list of best matches under it; `on_known` runs when the text is
    a payee used before (to propose its usual category)."""

    def __init__(self, value: str, on_known: Callable[[], Awaitable[None]]) -> None:
        self.on_known = on_known
        self.input = ui.input("Payee", value=value).classes("w-full")
        with self.input:
            # Opened by typing only; the cursor stays in the field.
            self.menu = ui.menu().props("no-parent-event no-focus fit")
        self.chosen: str | None = None
        self.input.on_value_change(self._typed)

    async def _typed(self) -> None:
        typed = self.input.value or ""
        if typed == self.chosen or not typed.strip():
            self.menu.close()
            return
        found = await core.load(payees.payee_names, typed)
        if found is None or typed != (self.input.value or ""):
            return  # failed (and said so), or the person typed on meanwhile
        self.menu.clear()
        with self.menu:
            for name in found.value:
                ui.menu_item(name, on_click=lambda name=name: self._choose(name))
        if found.value and found.value != [typed]:
            self.menu.open()
        else:
            self.menu.close()
        if typed in found.value:
            await self.on_known()

    async def _choose(self, name: str) -> None:
        self.chosen = name
        self.menu.close()
        self.input.value = name
        await self.on_known()
