"""Typed dates: in the chosen date format (or ISO), with the reason next to the field when
a date cannot be read."""

from __future__ import annotations

from fintrack import display


def date_problem(text: str | None, required: bool = False) -> str | None:
    """Validation for a date input: None when fine, else what is wrong."""
    if not (text or "").strip() and not required:
        return None
    try:
        display.parse_date(text or "")
    except ValueError as error:
        return str(error)
    return None
