"""The one admin's login: bcrypt password check, signed session tokens, and a login throttle.

Sessions are stateless JWTs in a cookie, so they survive restarts of a container whose disk
is wiped. A session version kept in the database makes logout real: bumping it invalidates
every token issued before, copied cookies included.

The throttle counts failures per username and address: a stranger's failures from elsewhere
never lock the owner's address out, and the wait grows with each failure past the limit.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import math
import secrets
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import jwt
from sqlalchemy import Engine, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from fintrack import config, preferences, twofactor
from fintrack.models import LoginAttempt, utcnow

ALGORITHM = "HS256"
COOKIE_NAME = "fintrack_session"
MIN_PASSWORD_LENGTH = 8
# bcrypt reads no further than 72 bytes; the library refuses longer passwords outright.
MAX_PASSWORD_BYTES = 72
MAX_FAILURES = 5
FIRST_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=1)
KEEP_ATTEMPTS = dt.timedelta(days=1)
# Attempts recorded by parallel requests may be dated a moment after this one's clock reading.
CLOCK_SKEW = dt.timedelta(seconds=5)
SESSION_VERSION_KEY = "session_version"


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


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used (too short, or too long for bcrypt), else None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return f"Use at most {MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest)"
    return None


def hash_password(password: str) -> str:
    """A bcrypt hash of the password, for ADMIN_PASSWORD_HASH; ValueError when unusable."""
    if problem := password_problem(password):
        raise ValueError(problem)
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def check_password(password: str, password_hash: str) -> bool:
    """True when the password matches the bcrypt hash (never for one bcrypt cannot read)."""
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
    config.write_private(path, hash_password(password))
    return Credentials(username, path.read_text().strip()), password


def two_factor_enabled(session: Session) -> bool:
    """True when the login asks for a second factor (a TOTP or recovery code)."""
    return twofactor.enabled(session)


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


def _address(client: str) -> str:
    """The address the throttle counts by: an IPv6 client by its /64 network, since one
    subscriber usually holds a whole /64 and could otherwise switch addresses at will."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _key(username: str, client: str) -> tuple[str, str]:
    """What the throttle counts by: the username (as matched at login) and the address."""
    return username.strip().lower()[:200], _address(client.strip())


def _record(engine: Engine, username: str, client: str) -> int:
    """Record an attempt, as failed until the password proves right, in its own committed
    transaction: every concurrent attempt sees it before any password is checked."""
    with engine.begin() as connection:
        return connection.execute(
            insert(LoginAttempt)
            .values(username=username, client=client, succeeded=False, attempted_at=utcnow())
            .returning(LoginAttempt.id)
        ).scalar_one()


def _settle(engine: Engine, attempt_id: int, outcome: bool | None) -> None:
    """Mark an attempt failed or succeeded; None removes it (refused, or only asked for a code)."""
    with engine.begin() as connection:
        if outcome is None:
            connection.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
        elif outcome:
            connection.execute(
                update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True)
            )
        # Old attempts are of no further use; keep the table small.
        connection.execute(
            delete(LoginAttempt).where(
                or_(
                    LoginAttempt.attempted_at < utcnow() - KEEP_ATTEMPTS,
                    LoginAttempt.attempted_at > utcnow() + KEEP_ATTEMPTS,
                )
            )
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def locked_until(
    engine: Engine, username: str, client: str, now: dt.datetime, exclude: int | None = None
) -> dt.datetime | None:
    """When the next attempt for this username from this address is allowed, if not now.

    Counts the failures since the last success for the pair, attempts still being checked
    included (each is a failure until proven right). After MAX_FAILURES the wait starts at
    FIRST_DELAY after the latest failure and doubles with each further one, up to MAX_DELAY.
    Attempts dated in the future (a clock set wrong, then fixed) are ignored.
    """
    with engine.connect() as connection:
        rows = connection.execute(
            select(LoginAttempt.id, LoginAttempt.succeeded, LoginAttempt.attempted_at)
            .where(
                LoginAttempt.username == username,
                LoginAttempt.client == client,
                LoginAttempt.attempted_at >= now - KEEP_ATTEMPTS,
                LoginAttempt.attempted_at <= now + CLOCK_SKEW,
            )
            .order_by(LoginAttempt.attempted_at, LoginAttempt.id)
        ).all()
    failures: list[dt.datetime] = []
    for row in rows:
        if row.id == exclude:
            continue
        failures = [] if row.succeeded else [*failures, _aware(row.attempted_at)]
    if len(failures) < MAX_FAILURES:
        return None
    doublings = min(len(failures) - MAX_FAILURES, 16)  # past the cap already; no overflow
    delay = min(FIRST_DELAY * 2**doublings, MAX_DELAY)
    until = max(failures) + delay
    return until if until > now else None


def _wait_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return f"Too many failed attempts. Try again in {minutes} minute{'s' * (minutes != 1)}."


def attempt_login(
    session: Session,
    credentials: Credentials,
    username: str,
    password: str,
    client: str,
    code: str = "",
) -> LoginResult:
    """Check a login attempt against the throttle, the password and (when on) the second
    factor, and record it.

    The attempt is recorded and committed before the password is checked, in transactions of
    its own on the session's engine, so parallel attempts cannot slip past the limit; `session`
    itself is only read. With two-factor login on, a right password without a code answers
    `needs_code`; a wrong code is a failure like a wrong password.
    """
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    username, client = _key(username, client)
    attempt = _record(engine, username, client)
    now = utcnow()
    if until := locked_until(engine, username, client, now, exclude=attempt):
        _settle(engine, attempt, None)
        return LoginResult(False, _wait_message(until, now))
    known = hmac.compare_digest(username.encode(), credentials.username.lower().encode())
    # An unknown username is checked against the real hash too, and refused whatever the
    # result: both cases cost exactly one bcrypt check of the same cost.
    valid = check_password(password, credentials.password_hash) and known
    if valid and twofactor.enabled(session):
        if not code.strip():
            _settle(engine, attempt, None)
            return LoginResult(False, "Enter the code from your authenticator app.", True)
        with Session(engine) as own, own.begin():
            accepted = twofactor.use_code(own, code)
        if not accepted:
            _settle(engine, attempt, False)
            return LoginResult(False, "Wrong or already used code.", True)
    _settle(engine, attempt, valid)
    if valid:
        return LoginResult(True)
    return LoginResult(False, "Wrong username or password.")


def unlock(session: Session) -> dict[tuple[str, str], int]:
    """Forget every failed login attempt; returns how many were cleared per (username, address)."""
    counts = session.execute(
        select(LoginAttempt.username, LoginAttempt.client, func.count())
        .where(LoginAttempt.succeeded.is_(False))
        .group_by(LoginAttempt.username, LoginAttempt.client)
        .order_by(LoginAttempt.username, LoginAttempt.client)
    ).all()
    session.execute(delete(LoginAttempt).where(LoginAttempt.succeeded.is_(False)))
    return {(name, client): int(count) for name, client, count in counts}
