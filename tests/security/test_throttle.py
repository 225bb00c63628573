"""The login throttle as an attacker and the owner meet it.

Failures count per username and address: a stranger guessing from other addresses never locks
the owner out; one address that keeps failing waits longer and longer; parallel attempts cannot
slip past the limit; `python -m fintrack unlock` clears it.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fintrack import auth, db
from fintrack.models import LoginAttempt, utcnow
from tests.cli import fintrack
from tests.conftest import ADMIN_PASSWORD, ADMIN_PASSWORD_HASH

CREDENTIALS = auth.Credentials("admin", ADMIN_PASSWORD_HASH)
OWNER = "198.51.100.7"


def login(engine: Engine, password: str, client: str = OWNER, username: str = "admin"):
    with Session(engine) as s, s.begin():
        return auth.attempt_login(s, CREDENTIALS, username, password, client)


def age_attempts(engine: Engine, by: dt.timedelta) -> None:
    """Move every recorded attempt `by` into the past, as if that much time went by."""
    with Session(engine) as s, s.begin():
        for attempt in s.scalars(select(LoginAttempt)):
            attempt.attempted_at -= by


def test_a_strangers_failures_from_other_addresses_never_lock_the_owner_out(engine: Engine):
    for index in range(25):  # five rounds of five guesses, each from its own address
        assert not login(engine, "guess", client=f"203.0.113.{index}").ok
    assert login(engine, ADMIN_PASSWORD).ok


def test_five_failures_make_that_address_wait_a_minute(engine: Engine) -> None:
    for _ in range(5):
        assert login(engine, "wrong").message == "Wrong username or password."
    refused = login(engine, ADMIN_PASSWORD)
    assert not refused.ok
    assert refused.message == "Too many failed attempts. Try again in 1 minute."
    assert login(engine, ADMIN_PASSWORD, client="192.0.2.50").ok  # other addresses are not held
    age_attempts(engine, dt.timedelta(seconds=61))
    assert login(engine, ADMIN_PASSWORD).ok


def test_the_wait_doubles_with_each_failure_past_the_limit(engine: Engine) -> None:
    for _ in range(5):
        login(engine, "wrong")
    waits = []
    for expected in (2, 4, 8):
        age_attempts(engine, dt.timedelta(minutes=expected // 2, seconds=1))
        assert login(engine, "wrong").message == "Wrong username or password."
        waits.append(login(engine, ADMIN_PASSWORD).message)
    assert waits == [f"Too many failed attempts. Try again in {m} minutes." for m in (2, 4, 8)]


def test_refused_attempts_do_not_extend_the_wait(engine: Engine) -> None:
    for _ in range(5):
        login(engine, "wrong")
    for _ in range(10):
        assert "Try again in 1 minute" in login(engine, "wrong").message
    age_attempts(engine, dt.timedelta(seconds=61))
    assert login(engine, ADMIN_PASSWORD).ok


def test_an_ipv6_client_cannot_dodge_the_wait_by_switching_addresses_in_its_64(engine: Engine):
    for index in range(5):
        login(engine, "wrong", client=f"2001:db8:1:2::{index + 1:x}")
    refused = login(engine, ADMIN_PASSWORD, client="2001:db8:1:2:ffff::9")
    assert refused.message == "Too many failed attempts. Try again in 1 minute."
    assert login(engine, ADMIN_PASSWORD, client="2001:db8:1:3::1").ok  # the next /64 is not held


def test_a_success_starts_the_count_again(engine: Engine) -> None:
    for _ in range(4):
        login(engine, "wrong")
    assert login(engine, ADMIN_PASSWORD).ok
    for _ in range(4):
        login(engine, "wrong")
    assert login(engine, ADMIN_PASSWORD).ok


def test_attempts_dated_in_the_future_are_ignored(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        tomorrow = utcnow() + dt.timedelta(days=1)
        s.add_all(
            LoginAttempt(username="admin", client=OWNER, succeeded=False, attempted_at=tomorrow)
            for _ in range(10)
        )
    assert login(engine, ADMIN_PASSWORD).ok


def test_twenty_parallel_attempts_get_at_most_five_password_checks(engine: Engine) -> None:
    # A real cost, so the checks overlap as they would in production.
    slow_hash = bcrypt.hashpw(ADMIN_PASSWORD.encode(), bcrypt.gensalt(rounds=8)).decode()
    credentials = auth.Credentials("admin", slow_hash)
    start = threading.Barrier(20)
    messages: list[str] = []

    def attempt() -> None:
        start.wait()
        with Session(engine) as s, s.begin():
            messages.append(auth.attempt_login(s, credentials, "admin", "guess", OWNER).message)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = messages.count("Wrong username or password.")
    assert len(messages) == 20
    assert checked <= auth.MAX_FAILURES
    assert all(m.startswith("Too many failed attempts") for m in messages if "Wrong" not in m)
    # Refused attempts leave nothing behind: only real failures count for the next attempt.
    assert login(engine, ADMIN_PASSWORD).ok == (checked < auth.MAX_FAILURES)


def test_a_password_longer_than_bcrypt_reads_is_a_wrong_password(engine: Engine) -> None:
    result = login(engine, ADMIN_PASSWORD + "x" * 100)
    assert not result.ok
    assert result.message == "Wrong username or password."


def test_unlock_clears_the_wait_and_says_what_it_cleared(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'fintrack.db'}"}
    assert fintrack("migrate", **env).returncode == 0
    engine = db.make_engine(env["DATABASE_URL"])
    try:
        for _ in range(6):
            login(engine, "wrong")
        login(engine, "wrong", client="203.0.113.9", username="root")
        assert "Try again" in login(engine, ADMIN_PASSWORD).message

        result = fintrack("unlock", **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            f"cleared 5 failed logins for 'admin' from {OWNER}",
            "cleared 1 failed login for 'root' from 203.0.113.9",
        ]
        assert login(engine, ADMIN_PASSWORD).ok
        assert fintrack("unlock", **env).stdout == "no failed logins to clear\n"
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", ["unlock", "reset-2fa"])
def test_the_new_commands_have_help(command: str) -> None:
    result = fintrack(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: python -m fintrack {command}")
