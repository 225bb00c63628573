"""Browser journeys: `python main.py` in a subprocess, driven by Playwright in real Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import (
    ADMIN_PASSWORD,
    ADMIN_PASSWORD_HASH,
    ADMIN_USERNAME,
    JWT_SECRET,
    child_environment,
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Use the system's Chromium when there is one (Playwright's own download may be blocked)."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if executable:
        args["executable_path"] = executable
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running `python main.py`."""

    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def app_environment(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """The app's environment: its own data dir, port and a known login."""
    return child_environment(
        DATA_DIR=str(data_dir),
        PORT=str(port),
        BIND_ADDRESS="127.0.0.1",
        ADMIN_USERNAME=ADMIN_USERNAME,
        ADMIN_PASSWORD_HASH=ADMIN_PASSWORD_HASH,
        JWT_SECRET=JWT_SECRET,
        PYTHONUNBUFFERED="1",
        **extra,
    )


def start_server(
    data_dir: Path, env: dict[str, str] | None = None, port: int | None = None, timeout: float = 30
) -> Server:
    """Start the app as a person would and wait until /health says healthy."""
    if env is None:
        env = app_environment(data_dir, port or free_port())
    port = int(env["PORT"])
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"server-{port}.log"
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "main.py"], cwd=ROOT, env=env, stdout=log_file, stderr=log_file
        )
    server = Server(f"http://127.0.0.1:{port}", data_dir, env, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"main.py exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"main.py did not become healthy in {timeout} s:\n{server.log()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One app per test module, on its own port, data dir and SQLite database."""
    running = start_server(tmp_path_factory.mktemp("e2e") / "data")
    yield running
    running.stop()


def log_in(page: Page, base_url: str, path: str = "/") -> None:
    """Log in through the form, as a person would."""
    page.goto(f"{base_url}{path}")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
