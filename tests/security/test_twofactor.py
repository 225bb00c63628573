"""Two-factor login as the owner and an attacker who has the password meet it."""

from __future__ import annotations

import datetime as dt
import threading
import urllib.parse
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fintrack import auth, db, twofactor
from fintrack.models import AppState, utcnow
from tests.cli import fintrack
from tests.conftest import ADMIN_PASSWORD, ADMIN_PASSWORD_HASH

CREDENTIALS = auth.Credentials("admin", ADMIN_PASSWORD_HASH)
OWNER = "198.51.100.7"
STEP = dt.timedelta(seconds=30)


def login(engine: Engine, code: str = "", password: str = ADMIN_PASSWORD) -> auth.LoginResult:
    with Session(engine) as s, s.begin():
        return auth.attempt_login(s, CREDENTIALS, "admin", password, OWNER, code=code)


def code_at(secret: str, moment: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def turn_on(engine: Engine) -> tuple[str, list[str]]:
    """Two-factor login on, as Settings does it; returns the secret and the recovery codes."""
    setup = twofactor.new_setup("admin")
    with Session(engine) as s, s.begin():
        codes = twofactor.enable(s, setup.secret, code_at(setup.secret, utcnow()))
    return setup.secret, codes


def test_the_setup_gives_the_secret_as_text_and_as_a_qr_code() -> None:
    setup = twofactor.new_setup("admin")
    assert setup.qr_data_uri.startswith("data:image/svg+xml")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(setup.uri).query)
    assert query["secret"] == [setup.secret]
    assert query["issuer"] == ["fintrack"]


def test_it_is_off_until_a_first_code_confirms_the_app_has_the_secret(engine: Engine) -> None:
    setup = twofactor.new_setup("admin")
    stale = code_at(setup.secret, utcnow() - 10 * STEP)  # what a misconfigured app might show
    with Session(engine) as s, s.begin(), pytest.raises(twofactor.TwoFactorError):
        twofactor.enable(s, setup.secret, stale)
    with Session(engine) as s:
        assert not auth.two_factor_enabled(s)
    assert login(engine).ok


def test_with_it_on_the_password_alone_asks_for_a_code(engine: Engine) -> None:
    secret, _ = turn_on(engine)
    with Session(engine) as s:
        assert auth.two_factor_enabled(s)
    asked = login(engine)
    assert (asked.ok, asked.needs_code) == (False, True)
    assert asked.message == "Enter the code from your authenticator app."
    assert login(engine, code_at(secret, utcnow() + STEP)).ok


def test_a_code_works_once(engine: Engine) -> None:
    secret, _ = turn_on(engine)
    code = code_at(secret, utcnow() + STEP)
    assert login(engine, code).ok
    again = login(engine, code)
    assert not again.ok
    assert again.message == "Wrong or already used code."
    # An older code, though still within the clock drift allowed, is spent too.
    assert not login(engine, code_at(secret, utcnow())).ok


def test_two_logins_racing_with_one_code_let_one_in(engine: Engine) -> None:
    secret, _ = turn_on(engine)
    code = code_at(secret, utcnow() + STEP)
    start = threading.Barrier(6)
    results: list[bool] = []

    def attempt() -> None:
        start.wait()
        results.append(login(engine, code).ok)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_wrong_codes_are_failures_the_throttle_counts(engine: Engine) -> None:
    secret, _ = turn_on(engine)
    for _ in range(auth.MAX_FAILURES):
        assert login(engine, "123456").needs_code
    refused = login(engine, code_at(secret, utcnow() + STEP))
    assert not refused.ok
    assert refused.message == "Too many failed attempts. Try again in 1 minute."


def test_asking_for_the_code_is_not_a_failure(engine: Engine) -> None:
    secret, _ = turn_on(engine)
    for _ in range(auth.MAX_FAILURES + 2):
        assert login(engine).needs_code
    assert login(engine, code_at(secret, utcnow() + STEP)).ok


def test_a_wrong_password_with_a_good_code_spends_nothing(engine: Engine) -> None:
    secret, _ = turn_on(engine)
    code = code_at(secret, utcnow() + STEP)
    assert login(engine, code, password="wrong").message == "Wrong username or password."
    assert login(engine, code).ok


def test_each_recovery_code_works_once(engine: Engine) -> None:
    _, codes = turn_on(engine)
    assert len(codes) == len(set(codes)) == 10
    assert login(engine, codes[0].upper().replace("-", " ")).ok
    assert not login(engine, codes[0]).ok
    assert login(engine, codes[1]).ok
    with Session(engine) as s:
        assert twofactor.recovery_codes_left(s) == 8


def test_recovery_codes_are_stored_hashed(engine: Engine) -> None:
    _, codes = turn_on(engine)
    with Session(engine) as s:
        rows = s.scalars(select(AppState.value).where(AppState.key.in_(twofactor.STATE_KEYS)))
        stored = " ".join(v or "" for v in rows)
    assert not [c for c in codes if c in stored or c.replace("-", "") in stored]


def test_turning_it_off_takes_a_code(engine: Engine) -> None:
    secret, _ = turn_on(engine)
    with Session(engine) as s, s.begin(), pytest.raises(twofactor.TwoFactorError):
        twofactor.disable(s, "not a code")
    with Session(engine) as s, s.begin():
        twofactor.disable(s, code_at(secret, utcnow() + STEP))
    result = login(engine)
    assert result.ok and not result.needs_code


def test_reset_2fa_turns_it_off_for_a_lost_phone(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'fintrack.db'}"}
    assert fintrack("migrate", **env).returncode == 0
    engine = db.make_engine(env["DATABASE_URL"])
    try:
        turn_on(engine)
        assert login(engine).needs_code
        result = fintrack("reset-2fa", **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "two-factor login is now off; turn it on again in Settings\n"
        assert login(engine).ok
        assert fintrack("reset-2fa", **env).stdout == "two-factor login was not on\n"
    finally:
        engine.dispose()
