"""Preferences of the one user, kept in the database so they survive container restarts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fintrack import config
from fintrack.errors import InputError
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


def default_currency(session: Session) -> str:
    """The currency a new account starts with: the person's choice, else DEFAULT_CURRENCY."""
    return get(session, "default_currency") or config.default_currency()


def set_default_currency(session: Session, code: str) -> str:
    """Remember the currency for new accounts; InputError unless it is a 3-letter ISO code."""
    code = code.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InputError("currency", "Use a three-letter ISO 4217 code such as EUR or USD")
    put(session, "default_currency", code)
    return code
