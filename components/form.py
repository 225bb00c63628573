"""One form contract: a form reads its fields into a typed core input and submits it, and
every refusal (from reading or from the core) shows next to the field it names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Literal, TypeVar, overload

from nicegui import ui
from nicegui.elements.mixins.validation_element import ValidationElement

from components import core
from components.dates import DateInput, missing_date
from components.money import MoneyInput
from fintrack.errors import InputError

T = TypeVar("T")
R = TypeVar("R")

# `core.change` or a wrapper of it (such as `reconciled.change`).
Change = Callable[..., Awaitable[Any]]


class Form(Generic[T]):
    """A form for the core input `T`.

    `fields` maps attribute names of `T` to the elements that show a message about them;
    `status` shows one that names no field. A subclass fills both and implements `data()`,
    which raises an InputError naming the field it cannot read; the `*_at` helpers below do
    that for the usual inputs.
    """

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.status: ui.label | None = None

    def data(self) -> T:
        """The typed input the fields say; InputError naming a field that cannot be read."""
        raise NotImplementedError

    def clear_errors(self) -> None:
        """Take every message away."""
        for element in self.fields.values():
            element.error = None
        if self.status is not None:
            self.status.text = ""

    def read(self) -> T | None:
        """The typed input, or None after showing at its field what cannot be read.

        Inputs that check themselves (money, dates, patterns) check again, so each keeps
        saying what is wrong with it while another field's message shows.
        """
        self.clear_errors()
        for element in self.fields.values():
            if isinstance(element, ValidationElement) and element.validation is not None:
                element.validate()
        try:
            return self.data()
        except InputError as error:
            core.show_input_error(str(error), error.field, self.fields, self.status)
            return None

    async def submit(
        self, fn: Callable[..., R], *args: Any, through: Change = core.change, **options: Any
    ) -> core.Done[R] | None:
        """`core.change(fn, *args)` (or `through`, a wrapper of it) with this form's fields
        and status: a refusal from the core shows where a refusal from reading would."""
        return await through(fn, *args, fields=self.fields, status=self.status, **options)

    def chosen(self, field: str, message: str) -> Any:
        """The value at `field`; InputError with `message` there when nothing is chosen."""
        value = self.fields[field].value
        if value is None or value == "":
            raise InputError(field, message)
        return value

    def _checked(self, field: str) -> Any:
        element = self.fields[field]
        if not element.validate():
            raise InputError(field, element.error or "")
        return element

    @overload
    def amount_at(self, field: str) -> int | None: ...
    @overload
    def amount_at(self, field: str, required: str) -> int: ...
    def amount_at(self, field: str, required: str | None = None) -> int | None:
        """The minor units the money input at `field` reads; None when it is empty, unless
        `required` says what to ask for."""
        element: MoneyInput = self._checked(field)
        minor = element.minor
        if minor is None and required:
            raise InputError(field, required)
        return minor

    @overload
    def date_at(self, field: str) -> dt.date | None: ...
    @overload
    def date_at(self, field: str, required: Literal[True]) -> dt.date: ...
    def date_at(self, field: str, required: bool = False) -> dt.date | None:
        """The date the date input at `field` reads; None when it is empty and not `required`."""
        element: DateInput = self._checked(field)
        day = element.date
        if day is None and required:
            raise InputError(field, missing_date())
        return day

    @overload
    def whole_at(self, field: str) -> int | None: ...
    @overload
    def whole_at(self, field: str, required: str) -> int: ...
    def whole_at(self, field: str, required: str | None = None) -> int | None:
        """The whole number in the number input at `field`; None when it is empty, unless
        `required` says what to ask for."""
        value = self.fields[field].value
        if value is None or value == "":
            if required:
                raise InputError(field, required)
            return None
        if float(value) != int(value):
            raise InputError(field, "Enter a whole number.")
        return int(value)
