"""A frozen database (every server process stopped) freezes no part of the app.

The login page and /health keep answering, a logged-in page says the database did not
answer and offers a retry, and once the database runs again everything works without a
restart.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from fintrack import accounts, db
from tests.e2e.conftest import app_environment, free_port, log_in, start_server
from tests.e2e.test_health_postgres import Cluster, wait_for_status

# The throwaway cluster fixture, re-exported so pytest finds it here.
from tests.e2e.test_health_postgres import cluster as cluster


def server_processes(running: Cluster) -> list[int]:
    """The postmaster and every process it started."""
    postmaster = int((running.data / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(postmaster)], capture_output=True, text=True
    ).stdout.split()
    return [postmaster, *map(int, children)]


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def timed_get(url: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def test_a_frozen_database_freezes_one_page_not_the_server(
    page: Page, cluster: Cluster, tmp_path: Path
) -> None:
    env = app_environment(
        tmp_path / "data", free_port(), DATABASE_URL=cluster.url, HEALTH_CACHE_SECONDS="1"
    )
    server = start_server(tmp_path / "data", env=env)
    engine = db.make_engine(cluster.url)
    with Session(engine) as s, s.begin():
        accounts.create_account(s, accounts.AccountInput(name="Checking", currency="EUR"))
    engine.dispose()
    frozen: list[int] = []
    try:
        log_in(page, server.url, "/transactions")
        totals = page.get_by_text(re.compile(r"^\d+ transactions?$"))
        expect(totals).to_have_text("0 transactions")

        frozen = server_processes(cluster)
        signal_all(frozen, signal.SIGSTOP)
        status, seconds = timed_get(f"{server.url}/login")
        assert (status, seconds < 1) == (200, True), f"/login: {status} after {seconds:.2f} s"
        deadline = time.monotonic() + 10
        while True:
            status, seconds = timed_get(f"{server.url}/health")
            assert seconds < 3, f"/health took {seconds:.2f} s"
            if status == 503:
                break
            assert time.monotonic() < deadline, "/health still said healthy"
            time.sleep(0.5)

        page.reload()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        expect(
            page.get_by_text(re.compile(r"Could not load: the database did not answer"))
        ).to_be_visible(timeout=20_000)

        signal_all(frozen, signal.SIGCONT)
        frozen = []
        page.get_by_role("button", name="Retry").click()
        expect(totals).to_have_text("0 transactions", timeout=20_000)
        wait_for_status(server.url, 200, within=15)
        assert server.process.poll() is None  # recovered without a restart
    finally:
        signal_all(frozen, signal.SIGCONT)
        server.stop()
