"""Preferences of the one user, kept in the database so they survive container restarts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fintrack.models import AppState


def get(session: Session, key: str, default: str | None = None) -> str | None:
    """A stored preference, or `default`."""
    state = session.get(AppState, key)
    return state.value if state else default


def put(session: Session, key: str, value: str) -> None:
    """Store a preference."""
    state = session.get(AppState, key)
    if state:
        state.value = value
    else:
        session.add(AppState(key=key, value=value))


def dark_mode(session: Session) -> bool:
    """Whether the person chose dark mode."""
    return get(session, "dark_mode") == "1"


def set_dark_mode(session: Session, enabled: bool) -> None:
    """Remember the dark-mode choice."""
    put(session, "dark_mode", "1" if enabled else "0")


def default_currency(session: Session, fallback: str = "EUR") -> str:
    """The currency a new account starts with: the person's choice, else `fallback`."""
    return get(session, "default_currency") or fallback


def set_default_currency(session: Session, code: str) -> str:
    """Remember the currency for new accounts; ValueError unless it is a 3-letter ISO code."""
    code = code.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError("Use a three-letter ISO 4217 code such as EUR or USD")
    put(session, "default_currency", code)
    return code


# How a person writes amounts: the decimal separator of `1,234.56` (".") or `1.234,56` (",").
NUMBER_FORMATS = {".": "1,234.56", ",": "1.234,56"}


def number_format(session: Session) -> str | None:
    """The decimal separator the person chose, or None: then an amount that reads two ways
    (`1.500`) is refused instead of guessed."""
    return get(session, "number_format") or None


def set_number_format(session: Session, decimal_sep: str | None) -> None:
    """Remember the decimal separator ("." or ","), or forget it with None."""
    if decimal_sep is not None and decimal_sep not in NUMBER_FORMATS:
        raise ValueError("Choose 1,234.56 or 1.234,56")
    put(session, "number_format", decimal_sep or "")
