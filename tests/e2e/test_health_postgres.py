"""On PostgreSQL: the app creates its schema, and /health follows the database down and up."""

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import inspect

from fintrack import db
from tests.e2e.conftest import app_environment, free_port, start_server

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


@dataclass
class Cluster:
    """A throwaway PostgreSQL server this test can stop and start."""

    data: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *args]
        subprocess.run(as_postgres(command), check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1"
        self.pg_ctl("-o", options, "-l", str(self.data.parent / "server.log"), "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")


def as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not BINARIES:
        pytest.skip("PostgreSQL server binaries are not installed")
    root = Path(tempfile.mkdtemp(prefix="fintrack-pg-"))
    root.chmod(0o777)
    data = root / "data"
    binaries = Path(BINARIES[-1]).parent
    subprocess.run(
        as_postgres([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    running = Cluster(data, free_port(), binaries)
    running.start()
    yield running
    subprocess.run(
        as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "stop", "-m", "immediate"]),
        capture_output=True,
    )
    shutil.rmtree(root, ignore_errors=True)


def health(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_for_status(url: str, status: int, within: float) -> dict:
    deadline = time.monotonic() + within
    while True:
        code, body = health(url)
        if code == status:
            return body
        assert time.monotonic() < deadline, f"/health stayed {code} {body}"
        time.sleep(0.25)


def test_health_follows_postgres_down_and_up(cluster: Cluster, tmp_path: Path) -> None:
    port = free_port()
    env = app_environment(
        tmp_path / "data", port, DATABASE_URL=cluster.url, HEALTH_CACHE_SECONDS="1"
    )
    server = start_server(tmp_path / "data", env=env)
    try:
        engine = db.make_engine(cluster.url)
        assert {"accounts", "transactions", "categories"} <= set(inspect(engine).get_table_names())
        engine.dispose()
        assert health(server.url)[0] == 200

        cluster.stop()
        body = wait_for_status(server.url, 503, within=10)
        assert body["database"] == "unreachable"

        cluster.start()
        body = wait_for_status(server.url, 200, within=15)
        assert body["database"] == "connected"
        assert server.process.poll() is None  # recovered without a restart
    finally:
        server.stop()
