"""The login session as the web layer sees it: cookie, tokens and the cached session version.

The session version lives in the database. Request handlers on the event loop never query it:
they read a copy that a worker thread refreshes (`refresh`, run every few seconds by
`web.live.watch_sessions` and right after a logout).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from fintrack import auth, db
from fintrack.config import Settings

# A copy older than this is refreshed before use (the watcher normally keeps it younger).
VERSION_CACHE_SECONDS = 5.0


@dataclass
class _Cache:
    version: int | None = None
    two_factor: bool = False
    at: float = float("-inf")


_cache = _Cache()


def refresh() -> int:
    """Read the session version (and whether login asks for a code) from the database.

    Blocking: call it in a worker thread when on the event loop.
    """
    with db.session() as s:
        version = auth.session_version(s)
        two_factor = auth.two_factor_enabled(s)
    _cache.version, _cache.two_factor, _cache.at = version, two_factor, time.monotonic()
    return version


def _fresh() -> bool:
    return _cache.version is not None and time.monotonic() - _cache.at <= VERSION_CACHE_SECONDS


_refreshing: asyncio.Future[int] | None = None


async def ensure_fresh() -> None:
    """Refresh the cached version in a worker thread when it is missing or old.

    Concurrent callers share one refresh, so a slow database ties up one thread, not one per
    request.
    """
    global _refreshing
    if _fresh():
        return
    if _refreshing is None or _refreshing.done():
        _refreshing = asyncio.ensure_future(asyncio.to_thread(refresh))
    await asyncio.shield(_refreshing)


def current_version() -> int:
    """The session version; blocking when the copy is stale, so only call it off the loop."""
    if not _fresh():
        return refresh()
    return int(_cache.version or 0)


def cached_version() -> int | None:
    """The last version read, without touching the database (None before the first read)."""
    return _cache.version


def remember_two_factor() -> None:
    """A login just asked for a code: the next form shows the code field without waiting for a
    refresh (two-factor may have been turned on less than a refresh ago)."""
    _cache.two_factor = True


def two_factor_cached() -> bool:
    """Whether the login form shows the code field, as last read from the database."""
    return _cache.two_factor


def end_all_sessions() -> int:
    """End every session, this one and copied cookies alike. Blocking: run it in a thread."""
    with db.session() as s:
        version = auth.end_all_sessions(s)
    _cache.version, _cache.at = version, time.monotonic()
    return version


def forget_cached_version() -> None:
    """Drop the cached version (a new database was configured)."""
    global _refreshing
    _cache.version, _cache.at = None, float("-inf")
    _refreshing = None


def user_of_token(settings: Settings, token: str | None) -> str | None:
    """The username of a valid session token, checked against the cached version (no query)
    and the admin's name: renaming ADMIN_USERNAME ends the sessions of the old name."""
    version = cached_version()
    if not token or version is None:
        return None
    username = auth.read_token(settings.jwt_secret, token, version)
    return username if username == settings.admin_username else None


def logged_in_user(connection: HTTPConnection, settings: Settings) -> str | None:
    """The username of a valid session cookie on this request, else None."""
    return user_of_token(settings, connection.cookies.get(auth.COOKIE_NAME))


def session_token(settings: Settings, username: str) -> str:
    """The session cookie's value. Blocking when the cached version is stale."""
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
