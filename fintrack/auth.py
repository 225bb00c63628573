"""The one admin's login: bcrypt password check, signed session tokens, and a login throttle.

Sessions are stateless JWTs in a cookie, so they survive restarts of a container whose disk
is wiped. A session version kept in the database makes logout real: bumping it invalidates
every token issued before, copied cookies included.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import math
import secrets
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import jwt
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from fintrack import preferences
from fintrack.models import LoginAttempt, utcnow

ALGORITHM = "HS256"
COOKIE_NAME = "fintrack_session"
MAX_FAILURES = 5
MIN_PASSWORD_LENGTH = 8
THROTTLE_WINDOW = dt.timedelta(minutes=15)
TICKET_SECONDS = 30
SESSION_VERSION_KEY = "session_version"


@functools.cache
def _decoy_hash(rounds: int) -> str:
    """A hash of the same cost as the real one, checked when the username is unknown, so
    unknown and known usernames take the same time."""
    return bcrypt.hashpw(b"not the password", bcrypt.gensalt(rounds=rounds)).decode()


@dataclass(frozen=True)
class Credentials:
    username: str
    password_hash: str


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str = ""
    # True when the password was right but a second factor is on and no valid code came with it.
    needs_code: bool = False


def hash_password(password: str) -> str:
    """A bcrypt hash of the password, for ADMIN_PASSWORD_HASH."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def check_password(password: str, password_hash: str) -> bool:
    """True when the password matches the bcrypt hash."""
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def dev_credentials(username: str, data_dir: Path) -> tuple[Credentials, str | None]:
    """Development credentials when no hash is configured.

    The first call generates a password and keeps only its hash under `data_dir`; it returns
    the password once so it can be printed. Later calls return None for the password.
    """
    path = data_dir / "admin-password.hash"
    if path.exists():
        return Credentials(username, path.read_text().strip()), None
    password = secrets.token_urlsafe(12)
    path.write_text(hash_password(password))
    path.chmod(0o600)
    return Credentials(username, path.read_text().strip()), password


def two_factor_enabled(session: Session) -> bool:
    """True when the login asks for a second factor (a TOTP or recovery code)."""
    return False


def session_version(session: Session) -> int:
    """The current session version; tokens carrying another one are no longer valid."""
    return int(preferences.get(session, SESSION_VERSION_KEY) or 1)


def end_all_sessions(session: Session) -> int:
    """Invalidate every token issued so far (logout). Returns the new version."""
    new = session_version(session) + 1
    preferences.put(session, SESSION_VERSION_KEY, str(new))
    return new


def issue_token(
    secret: str, username: str, version: int, lifetime: dt.timedelta, purpose: str = "session"
) -> str:
    """A signed token for `username` that expires after `lifetime`."""
    now = utcnow()
    payload = {
        "sub": username,
        "ver": version,
        "pur": purpose,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str, version: int, purpose: str = "session") -> str | None:
    """The username in a valid, unexpired token of the current version, else None."""
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    if payload.get("pur") != purpose or payload.get("ver") != version:
        return None
    username = payload.get("sub")
    return username if isinstance(username, str) else None


def _failures_since(session: Session, username: str, client: str, since: dt.datetime) -> list:
    return list(
        session.scalars(
            select(LoginAttempt.attempted_at)
            .where(
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at >= since,
                or_(
                    func.lower(LoginAttempt.username) == username.lower(),
                    LoginAttempt.client == client,
                ),
            )
            .order_by(LoginAttempt.attempted_at)
        )
    )


def throttle_message(session: Session, username: str, client: str) -> str | None:
    """A 'try again in N minutes' message while the username or client is locked out."""
    now = utcnow()
    failures = _failures_since(session, username, client, now - THROTTLE_WINDOW)
    if len(failures) < MAX_FAILURES:
        return None
    oldest = failures[-MAX_FAILURES]
    if oldest.tzinfo is None:  # SQLite hands back naive datetimes
        oldest = oldest.replace(tzinfo=dt.UTC)
    minutes = max(1, math.ceil((oldest + THROTTLE_WINDOW - now).total_seconds() / 60))
    return f"Too many failed attempts. Try again in {minutes} minute{'s' * (minutes != 1)}."


def attempt_login(
    session: Session,
    credentials: Credentials,
    username: str,
    password: str,
    client: str,
    code: str = "",
) -> LoginResult:
    """Check a login attempt against the throttle and the password, and record it."""
    username = username.strip()
    if message := throttle_message(session, username, client):
        return LoginResult(False, message)
    known = hmac.compare_digest(username.lower().encode(), credentials.username.lower().encode())
    rounds = int(credentials.password_hash.split("$")[2])
    valid = check_password(password, credentials.password_hash if known else _decoy_hash(rounds))
    ok = known and valid
    session.add(LoginAttempt(username=username[:200], client=client[:100], succeeded=ok))
    # Old attempts are of no further use; keep the table small.
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.attempted_at < utcnow() - dt.timedelta(days=1))
    )
    if ok:
        return LoginResult(True)
    return LoginResult(False, "Wrong username or password.")
