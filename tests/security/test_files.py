"""Files the app creates are private from the first byte: the data dir, the SQLite database and
its journal files, the development secret and password hash; other local users read nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from fintrack import auth
from tests.cli import ROOT
from tests.conftest import child_environment


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_dir_and_its_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    result = subprocess.run(
        [sys.executable, "-m", "fintrack", "migrate"],
        cwd=ROOT,
        env=child_environment(DATA_DIR=str(data_dir)),
        capture_output=True,
        text=True,
        timeout=120,
        # The usual umask, which leaves new files readable by everyone unless the app says no.
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stderr
    assert mode(data_dir) == 0o700
    files = sorted(p.name for p in data_dir.iterdir())
    assert {"fintrack.db", "jwt-secret"} <= set(files)
    assert {name: mode(data_dir / name) for name in files} == {name: 0o600 for name in files}


def test_a_sqlite_file_elsewhere_is_private_too(tmp_path: Path) -> None:
    database = tmp_path / "elsewhere.db"
    result = subprocess.run(
        [sys.executable, "-m", "fintrack", "migrate"],
        cwd=ROOT,
        env=child_environment(
            DATA_DIR=str(tmp_path / "data"), DATABASE_URL=f"sqlite:///{database}"
        ),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stderr
    assert mode(database) == 0o600


def test_the_development_password_hash_is_private(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        auth.dev_credentials("admin", tmp_path)
    finally:
        os.umask(previous)
    assert mode(tmp_path / "admin-password.hash") == 0o600
