"""The command line as a person runs it: `python -m fintrack ...` in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import inspect

from fintrack import db

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["hash-password", "migrate", "demo", "import", "export", "restore"]


def fintrack(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fintrack", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = fintrack(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m fintrack " + command)


def test_hash_password_reads_stdin_and_prints_only_the_hash() -> None:
    result = fintrack("hash-password", stdin="s3cret-passphrase\n")
    assert result.returncode == 0
    printed = result.stdout.strip()
    assert "\n" not in printed
    assert bcrypt.checkpw(b"s3cret-passphrase", printed.encode())


def test_hash_password_refuses_a_short_password() -> None:
    result = fintrack("hash-password", stdin="short\n")
    assert result.returncode == 1
    assert "at least 8 characters" in result.stderr
    assert result.stdout == ""


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = fintrack("migrate", env={"DATABASE_URL": url, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    engine = db.make_engine(url)
    assert {"accounts", "transactions", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_unknown_command_fails_with_usage() -> None:
    result = fintrack("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
