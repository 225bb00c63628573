"""The image's start command, run exactly as the Dockerfile's CMD says, in production mode."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from fintrack import db
from tests.conftest import ADMIN_PASSWORD_HASH, JWT_SECRET, child_environment
from tests.deploy.conftest import BIN, ROOT, dockerfile_cmd
from tests.e2e.conftest import free_port

START_TIMEOUT = 60  # generous: a busy 2-core machine has been seen to need 20 s


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def production_env(tmp_path: Path, port: int, database_url: str, **extra: str) -> dict[str, str]:
    """What Render passes the container, minus anything inherited that would change the app."""
    env = child_environment(
        # The image's PATH starts with its venv; here that is the venv running the tests.
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        APP_ENV="production",
        PORT=str(port),
        DATABASE_URL=database_url,
        JWT_SECRET=JWT_SECRET,
        ADMIN_USERNAME="admin",
        ADMIN_PASSWORD_HASH=ADMIN_PASSWORD_HASH,
        DATA_DIR=str(tmp_path / "data"),
        NICEGUI_STORAGE_PATH=str(tmp_path / "nicegui"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def get(url: str) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive) and body, without following redirects."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_healthy(url: str, process: subprocess.Popen, output: Path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"start command exited with {process.returncode}:\n{output.read_text()}")
        try:
            status, _, body = get(f"{url}/health")
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"not healthy within {START_TIMEOUT} s:\n{output.read_text()}")


@pytest.mark.postgres
def test_start_command_serves_production_and_stops_on_sigterm(
    fresh_postgres: str, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    output = tmp_path / "output.log"
    with output.open("w") as sink:
        process = subprocess.Popen(
            dockerfile_cmd(ROOT / "Dockerfile"),
            cwd=ROOT,
            env=production_env(tmp_path, port, fresh_postgres),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        health = wait_healthy(url, process, output)
        assert health["status"] == "healthy" and health["database"] == "connected"

        status, headers, _ = get(f"{url}/health")
        assert status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"

        status, headers, _ = get(f"{url}/")
        assert status in {302, 303, 307} and headers["Location"].startswith("/login")
        # NiceGUI's own session cookie: HTTPS-only in production, like the login cookie.
        assert "; secure" in headers["Set-Cookie"].lower()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            returncode = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    # uvicorn shuts down gracefully, then re-raises the signal: Docker reports 143 (128 + 15).
    assert returncode in {0, -signal.SIGTERM}, output.read_text()

    engine = create_engine(db.normalize_url(fresh_postgres))
    with engine.connect() as connection:
        applied = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    head = ScriptDirectory.from_config(db.alembic_config(fresh_postgres)).get_current_head()
    assert applied == head
    assert {"accounts", "transactions"} <= tables

    lines = output.read_text().splitlines()
    records = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    messages = [r["message"] for r in records]
    assert any(r.get("path") == "/health" and r.get("status") == 200 for r in records)
    assert "Application shutdown complete." in messages
    assert messages[-1].startswith("Finished server process")


def test_start_command_refuses_to_start_without_jwt_secret(tmp_path: Path) -> None:
    env = production_env(tmp_path, free_port(), "postgresql://fintrack@127.0.0.1:1/never-reached")
    del env["JWT_SECRET"]
    result = subprocess.run(
        dockerfile_cmd(ROOT / "Dockerfile"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "JWT_SECRET" in lines[0]
