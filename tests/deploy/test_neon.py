"""Neon: connection strings as pasted, migrations on the direct endpoint, a compute that sleeps."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from fintrack import db
from tests.deploy.conftest import BIN, ROOT
from tests.e2e.conftest import free_port

NEON_POOLED = (
    "postgresql://alex:npg_s3cr3t@ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech"
    "/fintrack?sslmode=require&channel_binding=require"
)


def test_neon_options_reach_the_driver_unchanged() -> None:
    engine = db.make_engine(NEON_POOLED)
    _, params = engine.dialect.create_connect_args(engine.url)
    engine.dispose()
    assert params["sslmode"] == "require"
    assert params["channel_binding"] == "require"
    assert params["host"].endswith("-pooler.eu-central-1.aws.neon.tech")
    assert params["password"] == "npg_s3cr3t"


def test_percent_encoded_password_reaches_migrations_intact() -> None:
    """Alembic's configuration file syntax treats % specially; a pasted URL must survive it."""
    pasted = "postgresql://alex:p%40ss%25word@ep-x-123.eu-central-1.aws.neon.tech/d?sslmode=require"
    config = db.alembic_config(pasted)
    assert config.get_main_option("sqlalchemy.url") == db.normalize_url(pasted)
    assert make_url(config.get_main_option("sqlalchemy.url")).password == "p@ss%word"


@pytest.mark.postgres
def test_sslmode_from_the_url_is_enforced_by_libpq(postgres_url: str) -> None:
    """The test server speaks no TLS, so `sslmode=require` must make the connection fail."""
    url = make_url(db.normalize_url(postgres_url)).update_query_dict(
        {"sslmode": "require", "channel_binding": "prefer"}
    )
    engine = db.make_engine(url.render_as_string(hide_password=False))
    with pytest.raises(OperationalError, match="SSL"), engine.connect():
        pass
    engine.dispose()


@pytest.mark.postgres
def test_migrate_command_uses_the_direct_endpoint(fresh_postgres: str) -> None:
    """Migrations must not go through the pooler: here the pooled URL leads nowhere at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "NICEGUI_"))}
    env.update(
        DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/unreachable",
        DATABASE_DIRECT_URL=fresh_postgres,
        APP_ENV="development",
    )
    result = subprocess.run(
        [str(BIN / "python"), "-m", "fintrack", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(db.normalize_url(fresh_postgres))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()


@pytest.mark.postgres
def test_pooled_connections_survive_the_compute_suspending(postgres_url: str) -> None:
    """A suspended compute drops every connection; the next checkout must not see the corpse."""
    engine = db.make_engine(postgres_url)
    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(db.normalize_url(postgres_url))
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != backend
    engine.dispose()


class LateListener:
    """A TCP port that refuses connections for `delay` seconds, then forwards to PostgreSQL."""

    def __init__(self, target: tuple[str, int], delay: float) -> None:
        self.port = free_port()
        self.target = target
        self.delay = delay
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        if self.stopped.wait(self.delay):
            return
        with socket.create_server(("127.0.0.1", self.port)) as server:
            server.settimeout(0.1)
            while not self.stopped.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                upstream = socket.create_connection(self.target)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with source, sink:
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass


@pytest.fixture
def late_url(postgres_url: str) -> Iterator[tuple[str, LateListener]]:
    url = make_url(db.normalize_url(postgres_url))
    listener = LateListener((url.host or "127.0.0.1", url.port or 5432), delay=0.5)
    listener.thread.start()
    yield url.set(host="127.0.0.1", port=listener.port).render_as_string(False), listener
    listener.stopped.set()
    listener.thread.join(timeout=2)


@pytest.mark.postgres
def test_first_connect_retries_until_the_compute_wakes(
    late_url: tuple[str, LateListener], caplog: pytest.LogCaptureFixture
) -> None:
    url, _ = late_url
    engine = db.make_engine(url)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="fintrack.db"):
        db.connect_with_retry(engine, attempts=5, delay=0.2)
    engine.dispose()
    assert time.monotonic() - started >= 0.5
    assert "retrying" in caplog.text


@pytest.mark.postgres
def test_first_connect_gives_up_after_its_attempts(late_url: tuple[str, LateListener]) -> None:
    url, _ = late_url
    engine = db.make_engine(url)
    with pytest.raises(OperationalError):
        db.connect_with_retry(engine, attempts=2, delay=0.05)
    engine.dispose()
