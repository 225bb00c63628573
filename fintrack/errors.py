"""The error every capability raises for input a person can fix."""

from __future__ import annotations


class InputError(ValueError):
    """Input a person can fix; `field` names the input (the attribute of the input dataclass,
    or the form field) the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class FieldError(InputError):
    """An InputError whose kind settles its usual field: raised with the message alone."""

    FIELD = ""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(field or self.FIELD, message)
