"""The command line as a person runs it: `python -m fintrack ...` in a subprocess."""

import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import inspect

from fintrack import db
from tests.cli import ROOT, fintrack
from tests.conftest import child_environment

COMMANDS = ["hash-password", "migrate", "demo", "import", "export", "restore"]


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
    result = fintrack("migrate", **{"DATABASE_URL": url, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    engine = db.make_engine(url)
    assert {"accounts", "transactions", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_unknown_command_fails_with_usage() -> None:
    result = fintrack("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def _one_clear_line(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("fintrack: ") and text in last


def test_import_with_a_currency_that_is_not_iso_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    statement = tmp_path / "bank.csv"
    statement.write_text("Date,Payee,Amount\n2026-01-05,Shop,-12.50\n", encoding="utf-8")
    result = fintrack(
        "import",
        str(statement),
        "--account",
        "Wallet",
        "--currency",
        "EURO",
        **{"DATABASE_URL": url, "DATA_DIR": str(tmp_path)},
    )
    _one_clear_line(result, "--currency EURO is not an ISO 4217 code")


def test_migrate_against_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = "postgresql://nobody@127.0.0.1:9/nothing?connect_timeout=1"
    result = fintrack("migrate", **{"DATABASE_URL": url, "DATA_DIR": str(tmp_path)})
    _one_clear_line(result, "cannot reach the database")


def test_export_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    env["DATA_DIR"] = str(tmp_path)
    assert fintrack("demo", "--transactions", "1500", **env).returncode == 0
    export = subprocess.Popen(
        [sys.executable, "-m", "fintrack", "export", "--format", "csv"],
        cwd=ROOT,
        env=child_environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert export.stdout is not None and export.stderr is not None
    assert export.stdout.readline().startswith(b"date,")  # `| head -1`
    export.stdout.close()
    code = export.wait(timeout=120)
    stderr = export.stderr.read().decode()
    assert code in (0, 141), stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
