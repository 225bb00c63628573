"""Password checks, session tokens and logout (the throttle: tests/security/test_throttle.py)."""

import datetime as dt
from pathlib import Path

import bcrypt
import jwt
import pytest
from sqlalchemy.orm import Session

from fintrack import auth, config
from tests.cli import fintrack
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
    built: list[bytes] = []
    original_check, original_hash = bcrypt.checkpw, bcrypt.hashpw

    def check_spy(password: bytes, password_hash: bytes) -> bool:
        checked.append(password_hash.decode().split("$")[2])
        return original_check(password, password_hash)

    def hash_spy(password: bytes, salt: bytes) -> bytes:
        built.append(salt)
        return original_hash(password, salt)

    monkeypatch.setattr(bcrypt, "checkpw", check_spy)
    monkeypatch.setattr(bcrypt, "hashpw", hash_spy)
    login(session, "wrong", username="nobody")  # the first unknown username builds nothing
    login(session, "wrong", username="admin")
    login(session, ADMIN_PASSWORD, username="nobody")
    assert checked == [ADMIN_PASSWORD_HASH.split("$")[2]] * 3
    assert built == []


def test_the_right_password_with_an_unknown_username_is_refused(session: Session) -> None:
    assert login(session, ADMIN_PASSWORD, username="root").message == "Wrong username or password."


def test_hash_password_round_trip() -> None:
    hashed = auth.hash_password("hunter2hunter2")
    assert auth.check_password("hunter2hunter2", hashed)
    assert not auth.check_password("hunter3hunter3", hashed)
    assert not auth.check_password("x", "not a hash")


def test_a_password_longer_than_bcrypt_reads_is_refused_not_truncated() -> None:
    assert auth.password_problem("é" * 36) is None  # 72 bytes
    with pytest.raises(ValueError, match="at most 72 bytes"):
        auth.hash_password("é" * 37)
    assert not auth.check_password("x" * 100, auth.hash_password("x" * 72))


def test_hash_password_command_refuses_a_password_over_72_bytes() -> None:
    result = fintrack("hash-password", stdin="a" * 73 + "\n")
    assert result.returncode == 1
    assert result.stderr == "fintrack: use at most 72 bytes (bcrypt ignores the rest)\n"
    assert result.stdout == ""


def test_nicegui_storage_secret_is_not_the_session_secret(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    settings = config.load(env_file=None)
    assert len(settings.storage_secret) == 64
    assert JWT_SECRET not in settings.storage_secret
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET + "2")
    assert config.load(env_file=None).storage_secret != settings.storage_secret


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
