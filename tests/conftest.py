"""Shared fixtures: databases for the core layer, a clean environment for the app.

Core tests run on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import psycopg
import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session

from fintrack import db, display
from fintrack.models import Base

pytest_plugins = ["nicegui.testing.user_plugin"]

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "correct horse battery staple"
# Few bcrypt rounds keep the suite fast; the check is the same code path as in production.
ADMIN_PASSWORD_HASH = bcrypt.hashpw(ADMIN_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
JWT_SECRET = "test-secret-" + "x" * 40

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

# The app reads its configuration from the environment: start every test run from a known one.
for name in list(os.environ):
    if name in {"DATABASE_URL", "DATABASE_DIRECT_URL", "APP_ENV", "PORT"} or name.startswith(
        ("ADMIN_", "JWT_", "HEALTH_", "FINTRACK_")
    ):
        del os.environ[name]


def _worker_database() -> None:
    """Under pytest-xdist, each worker gets its own database beside TEST_DATABASE_URL's."""
    worker, base = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("TEST_DATABASE_URL")
    if not worker or not base:
        return
    url = make_url(base)
    name = f"{url.database}_{worker}"
    with psycopg.connect(_server_conninfo(base), autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["TEST_DATABASE_URL"] = url.set(database=name).render_as_string(hide_password=False)


def _server_conninfo(url: str) -> str:
    """A libpq connection string to the maintenance database of `url`'s server."""
    server = make_url(db.normalize_url(url)).set(drivername="postgresql", database="postgres")
    return server.render_as_string(hide_password=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker's own database goes with the worker."""
    if os.environ.get("PYTEST_XDIST_WORKER") and "TEST_DATABASE_URL" in os.environ:
        url = os.environ["TEST_DATABASE_URL"]
        with psycopg.connect(_server_conninfo(url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


_worker_database()


# Inherited variables that would change an app a test starts; NiceGUI even takes an inherited
# PYTEST_CURRENT_TEST to mean a screen test and then ignores the port it is given.
INHERITED_APP_VARIABLES = ("NICEGUI_", "DATABASE_", "ADMIN_", "JWT_", "HEALTH_", "TRUSTED_")


def child_environment(**values: str) -> dict[str, str]:
    """The environment for `python main.py` or `python -m fintrack` started by a test."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "PYTEST_CURRENT_TEST" and not k.startswith(INHERITED_APP_VARIABLES)
    }
    env.update(values)
    return env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's loop would break the async `User` tests after it.

    Tests outside the core and UI layers start servers and browsers or time the server: they
    are `serial`, which `make test` runs in one process after the rest ran in two.
    """
    for item in items:
        path = item.path.as_posix()
        if "/e2e/" in path:
            item.add_marker(pytest.mark.e2e)
        if "/tests/core/" not in path and "/tests/ui/" not in path:
            item.add_marker(pytest.mark.serial)
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def reset_postgres(url: str) -> None:
    """Empty a PostgreSQL database: drop and recreate its public schema."""
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _skip_commit_flush(url: str) -> None:
    """Commits of the test database return before the WAL reaches the disk.

    A throwaway database needs no durability across a crash, and each test commits a few times;
    what a commit makes visible to the next query is the same.
    """
    engine = db.make_engine(url)
    with engine.begin() as connection:
        name = connection.execute(text("SELECT current_database()")).scalar_one()
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database, once per backend for the whole run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('core') / 'core.db'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
        reset_postgres(url)
        _skip_commit_flush(url)
    db.migrate(url)
    return url


def empty_tables(engine: Engine) -> None:
    """Delete every row of every table; ids start at 1 again."""
    # DELETE, not TRUNCATE: a test leaves a handful of rows, and TRUNCATE's new files and fsyncs
    # cost PostgreSQL about 0.3 s per test.
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            # A parent row goes before its children and RESTRICT would refuse: unlink first.
            for fk in table.foreign_keys:
                if fk.column.table is table:
                    connection.execute(table.update().values({fk.parent.name: None}))
            connection.execute(table.delete())
        if engine.dialect.name == "postgresql":
            # Ids start at 1 again, as they do in the SQLite file a test starts from.
            for (sequence,) in connection.execute(
                text(
                    "SELECT sequencename FROM pg_sequences"
                    " WHERE schemaname = 'public' AND last_value IS NOT NULL"
                )
            ):
                connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture(autouse=True)
def _default_display_formats() -> Iterator[None]:
    """The number and date formats are cached for the process: each test starts from the
    default and leaves it behind."""
    display.use(display.DEFAULT)
    yield
    display.use(display.DEFAULT)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The module-wide engine bound to the test database, emptied after the test."""
    try:
        current: Engine | None = db.engine()
    except RuntimeError:  # not bound yet
        current = None
    if current is None or current.url.render_as_string(False) != db.normalize_url(database_url):
        db.init(database_url)
    yield db.engine()
    empty_tables(db.engine())


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on an empty, migrated database (SQLite, and PostgreSQL when configured)."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that app tests copy, so each starts fresh without migrating."""
    path = tmp_path_factory.mktemp("template") / "fintrack.db"
    db.migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def app_env(tmp_path: Path, template_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Environment for an app started by a test: own data dir, fresh database, known login."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(template_db, data_dir / "fintrack.db")
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data_dir / 'fintrack.db'}")
    monkeypatch.setenv("ADMIN_USERNAME", ADMIN_USERNAME)
    monkeypatch.setenv("ADMIN_PASSWORD_HASH", ADMIN_PASSWORD_HASH)
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    return data_dir
