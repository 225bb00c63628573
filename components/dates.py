"""Typed dates: in the chosen date format (or ISO), with the reason next to the field when
a date cannot be read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nicegui import ui

from fintrack import display


def missing_date() -> str:
    """What an empty date that is needed asks for."""
    return f"Enter a date as {display.date_mask()}."


class DateInput(ui.input):
    """A text input that reads a date in the chosen format and says next to itself what is
    wrong. `required` refuses an empty one; `after` is the input of the range's first date,
    which this one may not precede; `picker` adds a calendar."""

    def __init__(
        self,
        label: str = "Date",
        value: dt.date | None = None,
        *,
        required: bool = False,
        after: DateInput | None = None,
        picker: bool = False,
        **kwargs: Any,
    ) -> None:
        # Set first: the validation below reads them.
        self.required = required
        self.after = after
        super().__init__(
            label,
            value=display.date(value) if value else "",
            placeholder=display.date_mask(),
            validation=self._problem,
            **kwargs,
        )
        if picker:
            with self.add_slot("append"):
                icon = ui.icon("event").classes("cursor-pointer")
                with ui.menu() as menu:
                    ui.date(mask=display.date_mask(), on_change=menu.close).bind_value(self)
                icon.on("click", menu.open)

    def _problem(self, text: str | None) -> str | None:
        if not (text or "").strip():
            return missing_date() if self.required else None
        try:
            day = display.parse_date(text or "")
        except ValueError as error:
            return str(error)
        first = self.after.date if self.after is not None else None
        if first is not None and day < first:
            return f"{self.label} is before {self.after.label}."
        return None

    @property
    def date(self) -> dt.date | None:
        """The date, or None when empty or unreadable (the field then says why)."""
        if not self.validate() or not (self.value or "").strip():
            return None
        return display.parse_date(self.value)

    @date.setter
    def date(self, day: dt.date | None) -> None:
        self.value = display.date(day) if day else ""
