"""`python -m fintrack import FILE --account NAME`, run as a person runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "imports"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    return subprocess.run(
        [sys.executable, "-m", "fintrack", "import", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_import_then_reimport_prints_summary_and_exits_zero(app_env: Path) -> None:
    path = str(FIXTURES / "us_checking_bofa.csv")
    first = _run(path, "--account", "BofA Checking", "--currency", "USD", "--skip-errors")
    assert first.returncode == 0, first.stderr
    assert "BofA Checking: 7 new, 0 duplicate, 0 matched, 1 skipped" in first.stdout
    assert "skipped line 8: the amount is empty" in first.stderr
    again = _run(path, "--account", "BofA Checking", "--skip-errors")
    assert again.returncode == 0, again.stderr
    assert "BofA Checking: 0 new, 7 duplicate, 0 matched, 1 skipped" in again.stdout


def test_bad_input_exits_non_zero_with_one_line(app_env: Path, tmp_path: Path) -> None:
    binary = tmp_path / "statement.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = _run(str(binary), "--account", "Checking")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"fintrack: {binary}: this is not a text file (it contains binary data)"]
    assert result.stdout == ""
