"""Running `python -m fintrack ...` as a person would, in a subprocess with a clean environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import child_environment

ROOT = Path(__file__).resolve().parents[1]


def fintrack(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """Run the command line; `env` adds variables to a clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "fintrack", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=child_environment(**env),
        timeout=120,
    )
