"""What a purchase cost in another currency (the receipt's amount), kept beside the amount
the bank booked, with the rate the two imply."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from components.money import MoneyInput
from fintrack import currency, money


def typed_minor(field: MoneyInput) -> int | None:
    """The field's amount, or None while it is empty or unreadable (without marking it)."""
    text = (field.value or "").strip()
    if not text:
        return None
    try:
        return field._parse(text)
    except money.MoneyError:
        return None


class OriginalAmount:
    """A folded "Paid in another currency" section: amount, currency and the implied rate."""

    def __init__(self, original: tuple[int | None, str | None], on_change: Callable[[], None]):
        minor, code = original
        self.box = ui.expansion(
            "Paid in another currency", icon="currency_exchange", value=code is not None
        ).classes("w-full")
        with self.box, ui.row().classes("w-full items-start gap-2 no-wrap"):
            self.amount = MoneyInput(
                "Original amount", currency=code or "EUR", value=minor, size=True
            ).classes("grow")
            self.currency = ui.input(
                "Original currency", value=code or "", autocomplete=sorted(money.CURRENCIES)
            ).classes("w-40")
        with self.box:
            self.rate = ui.label().classes("text-caption text-grey-7").props('role="status"')
        self.amount.on_value_change(on_change)
        self.currency.on_value_change(lambda: self._currency_changed(on_change))

    @property
    def code(self) -> str:
        """The currency as typed, upper-cased."""
        return (self.currency.value or "").strip().upper()

    def _currency_changed(self, on_change: Callable[[], None]) -> None:
        self.amount.currency = self.code if money.is_currency(self.code) else "EUR"
        self.currency.error = None
        on_change()

    def show_rate(self, booked: int | None, booked_currency: str) -> None:
        """`1 USD = 0.914074 EUR` once both amounts are readable."""
        original, code = typed_minor(self.amount), self.code
        usable = booked and original and money.is_currency(code) and code != booked_currency
        self.rate.text = (
            currency.rate_text(original, code, booked, booked_currency) if usable else ""
        )

    def value(self, sign: int) -> tuple[int | None, str | None]:
        """The original amount in the booked direction (`sign`), and its currency."""
        minor = typed_minor(self.amount)
        return (None if minor is None else sign * abs(minor)), (self.code or None)
