"""A slow database slows pages, never the server: /health keeps answering at once.

Every reply of PostgreSQL reaches the app 300 ms late (a TCP proxy in between), while a
person opens the transactions, the dashboard and the reports and saves a transaction.
Pages and the health check share one event loop: any database call made on it would hold
/health for at least 300 ms. Building a page's elements holds it too, for a moment: the
first page a new process builds took up to 260 ms on a slow day, so the bound sits just
under the delay.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fintrack import accounts, db
from tests.e2e.conftest import app_environment, free_port, log_in, start_server

DELAY_SECONDS = 0.3
POLL_SECONDS = 0.05
SLOWEST_HEALTH_SECONDS = 0.29


class DelayingProxy:
    """Forwards TCP to `upstream`; every reply from upstream is delivered `delay` s late."""

    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        self.upstream, self.delay = upstream, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, server, 0.0), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(server, client, self.delay), daemon=True
            ).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket, delay: float) -> None:
        # Each chunk is held until `delay` after it arrived; order is kept.
        try:
            while chunk := source.recv(65536):
                if delay:
                    arrived = time.monotonic()
                    time.sleep(max(0.0, arrived + delay - time.monotonic()))
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                end.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A new, migrated database on TEST_DATABASE_URL's server, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    name = f"fintrack_slow_{secrets.token_hex(4)}"
    admin = make_url(db.normalize_url(base)).set(drivername="postgresql", database="postgres")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    db.migrate(url)
    engine = db.make_engine(url)
    with Session(engine) as s, s.begin():
        accounts.create_account(s, accounts.AccountInput(name="Checking", currency="EUR"))
    engine.dispose()
    yield url
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class HealthPoller:
    """Asks /health every 50 ms from its own thread and keeps every answer's duration."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.durations: list[float] = []
        self.statuses: set[int] = set()
        self.running = True
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while self.running:
            started = time.monotonic()
            with urllib.request.urlopen(f"{self.url}/health", timeout=10) as response:
                response.read()
                self.statuses.add(response.status)
            self.durations.append(time.monotonic() - started)
            time.sleep(POLL_SECONDS)

    def stop(self) -> None:
        self.running = False
        self.thread.join(timeout=15)


def test_pages_over_a_slow_database_never_hold_up_health(
    page: Page, fresh_database: str, tmp_path: Path
) -> None:
    target = make_url(fresh_database)
    proxy = DelayingProxy((target.host or "127.0.0.1", target.port or 5432), DELAY_SECONDS)
    slow_url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    # Healthy answers are reused for a while; this test measures the event loop, not the ping.
    env = app_environment(
        tmp_path / "data", free_port(), DATABASE_URL=slow_url, HEALTH_CACHE_SECONDS="600"
    )
    server = start_server(tmp_path / "data", env=env, timeout=90)
    poller = HealthPoller(server.url)
    try:
        log_in(page, server.url, "/transactions")
        totals = page.get_by_text(re.compile(r"^\d+ transactions?$"))
        expect(totals).to_have_text("0 transactions", timeout=30_000)

        page.get_by_role("button", name="Add transaction").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("New transaction")).to_be_visible(timeout=30_000)
        dialog.get_by_label("Amount", exact=True).fill("12.50")
        dialog.get_by_label("Payee").fill("Corner Bakery")
        dialog.get_by_role("button", name="Save").click()
        expect(totals).to_have_text("1 transaction", timeout=30_000)

        page.goto(f"{server.url}/")
        expect(page.get_by_text("Net worth over time")).to_be_visible(timeout=30_000)
        page.goto(f"{server.url}/reports")
        expect(page.get_by_text(re.compile(r"figures in EUR"))).to_be_visible(timeout=30_000)
    finally:
        poller.stop()
        server.stop()
        proxy.close()
    assert poller.statuses == {200}
    assert len(poller.durations) > 20
    slowest = max(poller.durations)
    assert slowest < SLOWEST_HEALTH_SECONDS, (
        f"/health took {slowest:.3f} s at worst over {len(poller.durations)} answers"
    )
