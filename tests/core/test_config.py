"""Configuration: defaults that need nothing, and production refusing unsafe settings."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fintrack import config
from tests.conftest import ADMIN_PASSWORD_HASH

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET = "s" * 40


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("APP_ENV", "DATABASE_URL", "JWT_SECRET", "ADMIN_PASSWORD_HASH", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def production(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    settings = {
        "APP_ENV": "production",
        "JWT_SECRET": STRONG_SECRET,
        "ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
        "DATABASE_URL": "postgresql://u:p@db.example/fintrack",
    }
    settings.update(values)
    for name, value in settings.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)


def test_development_defaults_need_no_configuration(clean_env: Path) -> None:
    settings = config.load(env_file=None)
    assert settings.app_env == "development"
    assert settings.database_url == f"sqlite:///{(clean_env / 'fintrack.db').as_posix()}"
    assert settings.port == 8080
    assert settings.admin_username == "admin"
    assert len(settings.jwt_secret) >= 32


def test_development_secret_is_kept_across_restarts(clean_env: Path) -> None:
    first = config.load(env_file=None).jwt_secret
    assert config.load(env_file=None).jwt_secret == first
    assert (clean_env / "jwt-secret").read_text() == first


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"JWT_SECRET": ""}, "JWT_SECRET is not set"),
        ({"JWT_SECRET": "short"}, "JWT_SECRET is too weak: 5 characters"),
        ({"ADMIN_PASSWORD_HASH": ""}, "ADMIN_PASSWORD_HASH is not set"),
        ({"ADMIN_PASSWORD_HASH": "plain-text"}, "ADMIN_PASSWORD_HASH is not a bcrypt hash"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must point to PostgreSQL"),
        ({"DATABASE_URL": "sqlite:///x.db"}, "DATABASE_URL must point to PostgreSQL"),
    ],
)
def test_production_refuses_unsafe_settings(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, values: dict, reason: str
) -> None:
    production(monkeypatch, **values)
    with pytest.raises(config.ConfigError, match=reason):
        config.load(env_file=None)


def test_production_accepts_complete_settings(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    production(monkeypatch)
    settings = config.load(env_file=None)
    assert settings.production
    assert not clean_env.exists()  # production writes nothing to the local disk


def test_bad_numbers_are_named(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(config.ConfigError, match="PORT must be a whole number"):
        config.load(env_file=None)


def test_env_file_is_read_without_overriding_the_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("ADMIN_USERNAME=alice\nPORT=9000\n")
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    settings = config.load(env_file=str(env_file))
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    assert (settings.admin_username, settings.port) == ("alice", 9100)


def test_production_app_exits_2_with_one_line_before_touching_the_database(
    tmp_path: Path,
) -> None:
    env = {
        "APP_ENV": "production",
        "ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
        # Nothing listens here: reaching the database would hang or fail differently.
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
        "DATA_DIR": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "fintrack: JWT_SECRET is not set; production needs a random secret"
    ]


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody may write to: root ignores modes, so it gets the immutable flag."""
    directory = tmp_path / "data"
    directory.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(directory)], check=True)
    else:
        directory.chmod(0o555)
    yield directory
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(directory)], check=True)
    directory.chmod(0o755)


def test_unwritable_data_directory_is_one_line_and_exit_2(read_only_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env={"DATA_DIR": str(read_only_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert re.fullmatch(
        rf"fintrack: The data directory {re.escape(str(read_only_dir))} is not writable "
        r"\((Permission denied|Operation not permitted)\); make it writable or set DATA_DIR "
        "to another place",
        line,
    ), line


def test_read_only_sqlite_file_is_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    database = clean_env.parent / "ro" / "fintrack.db"
    database.parent.mkdir()
    database.touch()
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != database)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    with pytest.raises(config.ConfigError, match="is read-only; make it writable"):
        config.load(env_file=None)


def test_the_server_listens_everywhere_unless_bound_to_one_address(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BIND_ADDRESS", raising=False)
    assert config.load(env_file=None).host == "0.0.0.0"
    monkeypatch.setenv("BIND_ADDRESS", "127.0.0.1")
    assert config.load(env_file=None).host == "127.0.0.1"
