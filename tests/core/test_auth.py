"""Password checks, session tokens, logout and the login throttle."""

import datetime as dt
from pathlib import Path

import jwt
import pytest
from sqlalchemy.orm import Session

from fintrack import auth
from fintrack.models import LoginAttempt, utcnow
from tests.conftest import ADMIN_PASSWORD, ADMIN_PASSWORD_HASH, JWT_SECRET

CREDENTIALS = auth.Credentials("admin", ADMIN_PASSWORD_HASH)
DAY = dt.timedelta(days=1)


def login(session: Session, password: str, username: str = "admin", client: str = "10.0.0.1"):
    return auth.attempt_login(session, CREDENTIALS, username, password, client)


def test_right_password_logs_in(session: Session) -> None:
    assert login(session, ADMIN_PASSWORD).ok


def test_username_is_case_insensitive_and_trimmed(session: Session) -> None:
    assert login(session, ADMIN_PASSWORD, username=" Admin ").ok


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong"), ("eve", ADMIN_PASSWORD)])
def test_wrong_credentials_get_one_message(session: Session, username: str, password: str):
    result = login(session, password, username=username)
    assert not result.ok
    assert result.message == "Wrong username or password."


def test_unknown_username_costs_one_bcrypt_check_of_the_same_cost(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    original = auth.check_password

    def spy(password: str, password_hash: str) -> bool:
        checked.append(password_hash.split("$")[2])
        return original(password, password_hash)

    monkeypatch.setattr(auth, "check_password", spy)
    login(session, "wrong", username="admin")
    login(session, "wrong", username="nobody")
    assert checked == [ADMIN_PASSWORD_HASH.split("$")[2]] * 2


def test_hash_password_round_trip() -> None:
    hashed = auth.hash_password("hunter2hunter2")
    assert auth.check_password("hunter2hunter2", hashed)
    assert not auth.check_password("hunter3hunter3", hashed)
    assert not auth.check_password("x", "not a hash")


def test_throttle_after_five_failures_for_a_username(session: Session) -> None:
    for index in range(5):
        assert login(session, "wrong", client=f"10.0.0.{index}").message.startswith("Wrong")
    refused = login(session, ADMIN_PASSWORD, client="10.0.0.99")
    assert not refused.ok
    assert refused.message == "Too many failed attempts. Try again in 15 minutes."


def test_throttle_after_five_failures_from_a_client(session: Session) -> None:
    for index in range(5):
        login(session, "wrong", username=f"guess{index}", client="192.0.2.7")
    assert "Try again in" in login(session, ADMIN_PASSWORD, client="192.0.2.7").message
    assert login(session, ADMIN_PASSWORD, client="192.0.2.8").ok  # other clients are not locked


def test_throttle_counts_down_and_expires(session: Session) -> None:
    twelve_minutes_ago = utcnow() - dt.timedelta(minutes=12)
    session.add_all(
        LoginAttempt(username="admin", client="c", succeeded=False, attempted_at=twelve_minutes_ago)
        for _ in range(5)
    )
    session.flush()
    assert (
        login(session, ADMIN_PASSWORD).message
        == "Too many failed attempts. Try again in 3 minutes."
    )
    for attempt in session.query(LoginAttempt):
        attempt.attempted_at = utcnow() - dt.timedelta(minutes=16)
    session.flush()
    assert login(session, ADMIN_PASSWORD).ok


def test_token_round_trip() -> None:
    token = auth.issue_token(JWT_SECRET, "admin", 1, DAY)
    assert auth.read_token(JWT_SECRET, token, 1) == "admin"


def test_tampered_token_is_refused() -> None:
    token = auth.issue_token(JWT_SECRET, "admin", 1, DAY)
    header, payload, signature = token.split(".")
    forged = jwt.encode({"sub": "admin", "ver": 1, "pur": "session", "exp": 9999999999}, "g" * 40)
    assert auth.read_token(JWT_SECRET, f"{header}.{payload}.{signature[::-1]}", 1) is None
    assert auth.read_token(JWT_SECRET, forged, 1) is None
    assert auth.read_token(JWT_SECRET, "garbage", 1) is None


def test_expired_token_is_refused() -> None:
    token = auth.issue_token(JWT_SECRET, "admin", 1, -dt.timedelta(seconds=1))
    assert auth.read_token(JWT_SECRET, token, 1) is None


def test_ticket_is_not_a_session() -> None:
    ticket = auth.issue_token(JWT_SECRET, "admin", 1, DAY, purpose="ticket")
    assert auth.read_token(JWT_SECRET, ticket, 1) is None
    assert auth.read_token(JWT_SECRET, ticket, 1, purpose="ticket") == "admin"


def test_logout_invalidates_every_earlier_token(session: Session) -> None:
    version = auth.session_version(session)
    token = auth.issue_token(JWT_SECRET, "admin", version, DAY)
    new_version = auth.end_all_sessions(session)
    assert new_version == version + 1
    assert auth.session_version(session) == new_version
    assert auth.read_token(JWT_SECRET, token, new_version) is None


def test_dev_credentials_are_generated_once(tmp_path: Path) -> None:
    credentials, password = auth.dev_credentials("admin", tmp_path)
    assert password and auth.check_password(password, credentials.password_hash)
    again, shown_again = auth.dev_credentials("admin", tmp_path)
    assert shown_again is None
    assert again.password_hash == credentials.password_hash
    assert password not in (tmp_path / "admin-password.hash").read_text()
