"""Engine and session factory: SQLite by default, PostgreSQL (Neon included) when configured."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    URL,
    Connection,
    CursorResult,
    Engine,
    NullPool,
    Result,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 10
# Neon suspends idle computes after 5 minutes; recycle before that so no dead socket is reused.
POOL_RECYCLE_SECONDS = 240
POOL_SIZE = 5
POOL_OVERFLOW = 5
POOL_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW
# Waiting longer than this for a free connection means the database is stuck: say so.
POOL_TIMEOUT_SECONDS = 5
# Nothing the app asks may hold the server (or a lock, or an open transaction) for long; the
# UI gives up waiting after 10 s (components/core.py), long work runs many short statements.
STATEMENT_TIMEOUT_MS = 30_000
LOCK_TIMEOUT_MS = 5_000
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000
SERVER_SETTINGS = {
    "statement_timeout": STATEMENT_TIMEOUT_MS,
    "lock_timeout": LOCK_TIMEOUT_MS,
    "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION_TIMEOUT_MS,
}
# A dead peer (a network partition, a vanished compute) is noticed within about a minute
# instead of never: TCP keepalives, and unacknowledged data gives up after 30 s.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 20,
    "keepalives_interval": 5,
    "keepalives_count": 4,
    "tcp_user_timeout": 30_000,
}
# SQLite: a writer waits this long for another one, well under the UI's patience.
SQLITE_BUSY_TIMEOUT_SECONDS = 5
# The health check's own connection gives up quickly: /health must answer within 3 s.
PING_TIMEOUT_SECONDS = 2

_engine: Engine | None = None
_ping: Engine | None = None
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
        return {
            "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        }
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, **KEEPALIVES}
    if is_neon_pooler(url):
        # PgBouncer refuses the `options` startup parameter: the timeouts are SET on connect.
        connect_args["prepare_threshold"] = None
    else:
        # JIT compilation adds 100-400 ms to the app's short queries over large tables.
        # Generic plans of prepared statements cannot see a search pattern's selectivity and
        # walk the date index instead of the trigram index: plan each execution for its values.
        # (Not on the pooler, where statements are not prepared anyway.)
        settings = {"jit": "off", "plan_cache_mode": "force_custom_plan", **SERVER_SETTINGS}
        connect_args["options"] = " ".join(f"-c {k}={v}" for k, v in settings.items())
    return {
        "pool_pre_ping": True,
        "pool_recycle": POOL_RECYCLE_SECONDS,
        "pool_size": POOL_SIZE,
        "max_overflow": POOL_OVERFLOW,
        "pool_timeout": POOL_TIMEOUT_SECONDS,
        "connect_args": connect_args,
    }


def _set_timeouts(dbapi_connection: Any, _record: Any) -> None:
    """The server-side timeouts, for a pooler that refuses them as startup options."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        for name, value in SERVER_SETTINGS.items():
            cursor.execute(f"SET {name} = {int(value)}")
    dbapi_connection.autocommit = autocommit


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
    elif is_neon_pooler(url):
        event.listen(engine, "connect", _set_timeouts)
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


def _ping_engine(url: URL) -> Engine:
    """A connection of its own per check, with short timeouts: never queued behind the pool."""
    if url.get_backend_name() == "sqlite":
        return create_engine(
            url, poolclass=NullPool, connect_args={"timeout": PING_TIMEOUT_SECONDS}
        )
    connect_args: dict[str, Any] = {"connect_timeout": PING_TIMEOUT_SECONDS, **KEEPALIVES}
    if "-pooler" in (url.host or ""):
        connect_args["prepare_threshold"] = None
    else:
        connect_args["options"] = f"-c statement_timeout={PING_TIMEOUT_SECONDS * 1000}"
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def ping() -> bool:
    """True when the database answers a trivial query within about two seconds."""
    global _ping
    if _ping is None or _ping.url != engine().url:
        _ping = _ping_engine(engine().url)
    try:
        with _ping.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        log.warning("database ping failed", exc_info=True)
        return False


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at our migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def head_revisions() -> set[str]:
    """The newest revisions of the migration files, read without Alembic: importing it takes
    a noticeable part of a start (and of Render's deploy timeout) that has nothing to do."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revisions.update(re.findall(r"^revision\b[^=]*=\s*['\"](\w+)['\"]", source, re.MULTILINE))
        for down in re.findall(r"^down_revision\b[^=]*=(.*)$", source, re.MULTILINE):
            parents.update(re.findall(r"['\"](\w+)['\"]", down))
    return revisions - parents


def at_head(url: str) -> bool:
    """Whether the database's schema is at the newest revision (False when it has none)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version"))
            return set(current.scalars()) == head_revisions()
    except DBAPIError:
        return False  # no schema yet, or unreachable: Alembic says which
    finally:
        engine.dispose()


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database schema to `revision` (head by default); nothing when it is there."""
    if revision == "head" and at_head(url):
        return
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (`Session.execute` types its result as a
    plain Result; for those statements it is a CursorResult)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def driver_connection(connection: Connection) -> Any:
    """The driver's own connection, for what SQLAlchemy does not wrap (COPY, executemany)."""
    raw = connection.connection.driver_connection
    assert raw is not None  # a connection in use always has one
    return raw
