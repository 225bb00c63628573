"""Showing and entering money: right-aligned, in the account's currency, negative in red."""

from __future__ import annotations

from nicegui import ui

from fintrack import display, money

# Quasar table cell for a formatted amount: right-aligned, red when it starts with a minus.
MONEY_CELL = r"""
<q-td :props="props" class="text-right tabular-nums"
      :class="String(props.value).startsWith('-') ? 'text-negative' : ''">{{ props.value }}</q-td>
"""


def amount_label(minor: int, currency: str) -> ui.label:
    """An amount as text, red when negative."""
    label = ui.label(money.format_amount(minor, currency)).classes("text-right tabular-nums")
    if minor < 0:
        label.classes("text-negative")
    return label


class MoneyInput(ui.input):
    """A text input that reads an amount exactly and shows what is wrong next to the field.

    With `size=True` it takes what a person types next to a direction choice: a positive,
    non-zero amount without a sign (`money.parse_size`); the form applies the direction.
    """

    def __init__(
        self,
        label: str = "Amount",
        currency: str = "EUR",
        value: int | None = None,
        *,
        size: bool = False,
        **kwargs,
    ) -> None:
        shown = abs(value) if size and value is not None else value
        super().__init__(
            label,
            value=money.format_input(shown, currency) if shown is not None else "",
            validation=self._problem,
            **kwargs,
        )
        self.currency = currency
        self.size = size
        self.props("inputmode=decimal input-class=text-right")

    def _parse(self, text: str) -> int:
        parse = money.parse_size if self.size else money.parse_amount
        # The chosen number format settles which separator is the decimal one.
        return parse(text, self.currency, display.decimal_separator())

    def _problem(self, text: str) -> str | None:
        if not (text or "").strip():
            return None
        try:
            self._parse(text)
        except money.MoneyError as error:
            return str(error)
        return None

    @property
    def minor(self) -> int | None:
        """The amount in minor units, or None when empty or invalid (the field says why)."""
        if not (self.value or "").strip() or not self.validate():
            return None
        return self._parse(self.value)
