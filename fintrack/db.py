"""Engine and session factory: SQLite by default, PostgreSQL (Neon included) when configured."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 10
# Neon suspends idle computes after 5 minutes; recycle before that so no dead socket is reused.
POOL_RECYCLE_SECONDS = 240

_engine: Engine | None = None
_sessions: sessionmaker[Session] | None = None


def normalize_url(url: str) -> str:
    """Accept `postgres://`, `postgresql://` and `postgresql+psycopg://` URLs as pasted."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_neon_pooler(url: str) -> bool:
    """Neon's pooled endpoint is PgBouncer in transaction mode: no prepared statements there."""
    host = make_url(normalize_url(url)).host or ""
    return "-pooler" in host


def engine_options(url: str) -> dict[str, Any]:
    """The create_engine keyword arguments for a URL."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if is_neon_pooler(url):
        connect_args["prepare_threshold"] = None
    else:
        # JIT compilation adds 100-400 ms to the app's short queries over large tables.
        # Generic plans of prepared statements cannot see a search pattern's selectivity and
        # walk the date index instead of the trigram index: plan each execution for its values.
        # (PgBouncer refuses the `options` startup parameter, hence not on the pooler, where
        # statements are not prepared anyway.)
        connect_args["options"] = "-c jit=off -c plan_cache_mode=force_custom_plan"
    return {
        "pool_pre_ping": True,
        "pool_recycle": POOL_RECYCLE_SECONDS,
        "pool_size": 5,
        "max_overflow": 5,
        "connect_args": connect_args,
    }


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _create_private(path: Path) -> None:
    """Create the SQLite file readable by its owner only before SQLite opens it (SQLite gives
    its -wal and -shm files the database file's permissions)."""
    if str(path) in {".", ":memory:"} or path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def make_engine(url: str) -> Engine:
    """Create an engine with the project's settings (pragmas on SQLite, pre-ping on PostgreSQL)."""
    url = normalize_url(url)
    if url.startswith("sqlite:///"):
        _create_private(Path(make_url(url).database or ""))
    # Error messages and logs show the SQL, never the values bound to it (payees, amounts).
    engine = create_engine(url, hide_parameters=True, **engine_options(url))
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def connect_with_retry(engine: Engine, attempts: int = 3, delay: float = 1.0) -> None:
    """Open a first connection, retrying with backoff: a suspended Neon compute takes a moment."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except OperationalError:
            if attempt == attempts:
                raise
            log.warning("database not reachable (attempt %d of %d), retrying", attempt, attempts)
            time.sleep(delay * 2 ** (attempt - 1))


def init(url: str) -> Engine:
    """Bind the module's engine and session factory to a database URL."""
    global _engine, _sessions
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url)
    _sessions = sessionmaker(_engine, expire_on_commit=False)
    return _engine


def engine() -> Engine:
    """The configured engine; `init` must have been called."""
    if _engine is None:
        raise RuntimeError("fintrack.db.init() has not been called")
    return _engine


@contextmanager
def session() -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error."""
    if _sessions is None:
        raise RuntimeError("fintrack.db.init() has not been called")
    with _sessions() as s, s.begin():
        yield s


def ping() -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        log.warning("database ping failed", exc_info=True)
        return False


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database schema to `revision` (head by default)."""
    command.upgrade(alembic_config(url), revision)
