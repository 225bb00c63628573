"""The error every capability raises for input a person can fix."""

from __future__ import annotations


class InputError(ValueError):
    """Input a person can fix; `field` names the form field the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
