"""The login session as the web layer sees it: cookie, tokens and the cached session version."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from fintrack import auth, db
from fintrack.config import Settings

VERSION_CACHE_SECONDS = 5.0
_version_cache: dict[str, float] = {}


def current_version() -> int:
    """The session version, cached briefly so page loads do not each query the database."""
    now = time.monotonic()
    if now - _version_cache.get("at", 0.0) > VERSION_CACHE_SECONDS:
        with db.session() as s:
            _version_cache["version"] = auth.session_version(s)
        _version_cache["at"] = now
    return int(_version_cache["version"])


def logout() -> None:
    """End every session, this one and copied cookies alike."""
    with db.session() as s:
        _version_cache["version"] = auth.end_all_sessions(s)
    _version_cache["at"] = time.monotonic()


def forget_cached_version() -> None:
    """Drop the cached version (a new database was configured)."""
    _version_cache.clear()


def logged_in_user(connection: HTTPConnection, settings: Settings) -> str | None:
    """The username of a valid session cookie on this request, else None."""
    token = connection.cookies.get(auth.COOKIE_NAME)
    if not token:
        return None
    return auth.read_token(settings.jwt_secret, token, current_version())


def login_ticket(settings: Settings, username: str) -> str:
    """A short-lived token that /auth/complete swaps for the session cookie.

    The login form runs over NiceGUI's websocket, which cannot set cookies; the browser
    follows this ticket to an ordinary HTTP route that can.
    """
    lifetime = dt.timedelta(seconds=auth.TICKET_SECONDS)
    return auth.issue_token(
        settings.jwt_secret, username, current_version(), lifetime, purpose="ticket"
    )


def session_token(settings: Settings, username: str) -> str:
    """The session cookie's value."""
    lifetime = dt.timedelta(days=settings.session_days)
    return auth.issue_token(settings.jwt_secret, username, current_version(), lifetime)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths may be returned to after login (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or target.startswith("/login"):
        return "/"
    return target
