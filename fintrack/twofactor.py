"""Two-factor login: time-based one-time codes (TOTP, RFC 6238) and single-use recovery codes.

The state lives in `app_state`: the secret, the last time step a code was used for (so a code
never works twice, even within its 30 seconds) and the SHA-256 hashes of the recovery codes.
Codes are consumed with a compare-and-swap update, so two logins racing with the same code
cannot both win.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from fintrack import db, preferences
from fintrack.errors import InputError
from fintrack.models import AppState, utcnow

SECRET_KEY = "two_factor_secret"
LAST_STEP_KEY = "two_factor_last_step"
RECOVERY_KEY = "two_factor_recovery"
STATE_KEYS = (SECRET_KEY, LAST_STEP_KEY, RECOVERY_KEY)
ISSUER = "fintrack"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
# One step either side of now: a phone's clock a little off still works.
DRIFT_STEPS = 1


class TwoFactorError(InputError):
    """A code that does not turn two-factor login on or off; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__("code", message)


@dataclass(frozen=True)
class Setup:
    """What an authenticator app needs: the secret, as text and as a QR code (an SVG data URI)."""

    secret: str
    uri: str
    qr_data_uri: str


def new_setup(username: str) -> Setup:
    """A fresh secret for `username`; nothing is stored until `enable` confirms a first code."""
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return Setup(secret, uri, segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def enabled(session: Session) -> bool:
    """True when logins ask for a code."""
    return preferences.get(session, SECRET_KEY) is not None


def _normalize(code: str) -> str:
    return "".join(c for c in code.lower() if c not in " -\t")


def _hash(recovery_code: str) -> str:
    return hashlib.sha256(_normalize(recovery_code).encode()).hexdigest()


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step `code` belongs to, within the allowed drift, else None."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _read(session: Session, key: str) -> str | None:
    """The stored value as the database has it now (not an earlier read of this session)."""
    return session.scalar(select(AppState.value).where(AppState.key == key))


def _swap(session: Session, key: str, old: str | None, new: str) -> bool:
    """Set `key` to `new` only if it still holds `old`; False when someone else changed it."""
    result = session.execute(
        update(AppState).where(AppState.key == key, AppState.value == old).values(value=new)
    )
    return db.rowcount(result) == 1


def _new_recovery_code() -> str:
    text = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{text[:5]}-{text[5:]}"


def enable(session: Session, secret: str, code: str, now: dt.datetime | None = None) -> list[str]:
    """Turn two-factor login on once `code` shows the authenticator app holds `secret`.

    Returns the ten recovery codes, in clear text this once; only their hashes are kept.
    Raises TwoFactorError when the code does not match.
    """
    step = _matching_step(secret, _normalize(code), now or utcnow())
    if step is None:
        raise TwoFactorError("That code does not match. Check the phone's clock and try again.")
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    preferences.put(session, SECRET_KEY, secret)
    preferences.put(session, LAST_STEP_KEY, str(step))
    preferences.put(session, RECOVERY_KEY, json.dumps([_hash(c) for c in codes]))
    return codes


def use_code(session: Session, code: str, now: dt.datetime | None = None) -> bool:
    """Consume a login code: a TOTP code of a time step later than the last one used, or an
    unused recovery code. True when it was valid (and is now spent)."""
    secret = _read(session, SECRET_KEY)
    if secret is None:
        return False
    code = _normalize(code)
    step = _matching_step(secret, code, now or utcnow())
    if step is not None:
        last = _read(session, LAST_STEP_KEY)
        return step > int(last or 0) and _swap(session, LAST_STEP_KEY, last, str(step))
    stored = _read(session, RECOVERY_KEY) or "[]"
    hashes: list[str] = json.loads(stored)
    digest = _hash(code)
    if not any(hmac.compare_digest(digest, h) for h in hashes):
        return False
    return _swap(session, RECOVERY_KEY, stored, json.dumps([h for h in hashes if h != digest]))


def recovery_codes_left(session: Session) -> int:
    """How many recovery codes are still unused."""
    return len(json.loads(preferences.get(session, RECOVERY_KEY) or "[]"))


def disable(session: Session, code: str, now: dt.datetime | None = None) -> None:
    """Turn two-factor login off; it takes a valid code (TOTP or recovery), else TwoFactorError."""
    if not use_code(session, code, now):
        raise TwoFactorError("That code is not valid.")
    reset(session)


def reset(session: Session) -> bool:
    """Turn two-factor login off without a code (for a lost phone). True if it was on."""
    was_on = enabled(session)
    session.execute(delete(AppState).where(AppState.key.in_(STATE_KEYS)))
    return was_on
