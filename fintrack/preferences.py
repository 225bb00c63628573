"""Preferences of the one user, kept in the database so they survive container restarts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fintrack import config, money
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
    """Remember the currency for new accounts; MoneyError unless it is an ISO 4217 code (an
    account could not be opened in anything else)."""
    code = money.check_currency(code)
    put(session, "default_currency", code)
    return code
