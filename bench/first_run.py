"""The quick start's promise, measured: `make run` on a fresh clone until the login page answers.

`python -m bench.first_run` prints one JSON object: seconds to create the virtual environment
and install the packages (without pip's download cache, as on a new machine), seconds from
then to the login page, and the total. It clones the repository's HEAD into a temporary
directory and leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.startup import ROOT, child_environment, free_port

TIMEOUT_SECONDS = 1800


def _login_page_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def measure() -> dict[str, float | str]:
    """Clone, `make run`, poll /login; the figures in seconds."""
    work = Path(tempfile.mkdtemp(prefix="fintrack-first-run-"))
    clone = work / "fintrack"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = free_port()
    env = child_environment(PORT=str(port), BIND_ADDRESS="127.0.0.1", PIP_NO_CACHE_DIR="1")
    env.pop("VIRTUAL_ENV", None)
    began = time.monotonic()
    installed_at = None
    with (work / "make-run.log").open("wb") as log:
        process = subprocess.Popen(
            ["make", "run"], cwd=clone, env=env, stdout=log, stderr=log, start_new_session=True
        )
    try:
        while time.monotonic() - began < TIMEOUT_SECONDS:
            if process.poll() is not None:
                raise RuntimeError((work / "make-run.log").read_text(errors="replace")[-2000:])
            if installed_at is None and (clone / ".venv/bin/.installed").exists():
                installed_at = time.monotonic()
            if installed_at and _login_page_answers(f"http://127.0.0.1:{port}/login"):
                ready = time.monotonic()
                return {
                    "install_seconds": round(installed_at - began, 1),
                    "start_to_login_page_seconds": round(ready - installed_at, 1),
                    "make_run_to_login_page_seconds": round(ready - began, 1),
                }
            time.sleep(0.2)
        raise RuntimeError(f"no login page after {TIMEOUT_SECONDS} s")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(measure()))
