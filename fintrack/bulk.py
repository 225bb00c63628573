"""Bulk writes in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

Demo data, imports and backup restores all write through `Writer`: one chunk size, one
progress callback (rows written so far), one way to move an id sequence past explicit ids.
Values go through each column type's own bind processor, so the driver receives exactly what
SQLAlchemy would send (JSON as text, dates as SQLite stores them), without its per-row cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Integer, Table, text
from sqlalchemy.orm import Session

from fintrack import db

CHUNK = 5000

# Called after each chunk with the number of rows written so far.
Progress = Callable[[int], None]


class Writer:
    """Rows for one table, added one at a time or in bulk, sent CHUNK rows at a time.

    Use as a context manager: leaving it writes what is left (unless an error is raised).
    Rows are sequences of Python values in `columns` order. On PostgreSQL one COPY stays
    open from the first chunk to `flush`, so the server indexes rows while the next chunk is
    being formatted instead of each waiting for the other; nothing else may use the
    connection until then.
    """

    def __init__(
        self,
        session: Session | Connection,
        table: Table,
        columns: Sequence[str],
        progress: Progress | None = None,
    ) -> None:
        self.connection = session.connection() if isinstance(session, Session) else session
        dialect = self.connection.dialect
        processors = [
            (index, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            for index, name in enumerate(columns)
        ]
        self.processors = [(index, process) for index, process in processors if process]
        self.progress = progress
        self.written = 0
        self.rows: list[Sequence[Any]] = []
        self.copy: Any = None  # psycopg's Copy while one is open, kept open by `self.open`
        self.open = ExitStack()
        # Table and column names come from the schema, never from input.
        names = ", ".join(columns)
        self.postgres = dialect.name == "postgresql"
        if self.postgres:
            self.statement = f"COPY {table.name} ({names}) FROM STDIN"
        else:
            marks = ", ".join("?" for _ in columns)
            self.statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"

    def add(self, row: Sequence[Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self._send()

    def add_all(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        """Write the rows added so far; the connection is free for other statements after."""
        self._send()
        if self.copy is not None:
            self.copy = None
            self.open.close()
            self.connection.exec_driver_sql("RESET plan_cache_mode")

    def _send(self) -> None:
        if not self.rows:
            return
        rows = [self._processed(row) for row in self.rows] if self.processors else self.rows
        if self.postgres:
            if self.copy is None:
                # The app's connections plan every statement anew (see `db.engine_options`),
                # and so would each foreign-key check of each row: 30-40% of a 100,000-row
                # import. The checks may keep their plans until the COPY is done.
                self.connection.exec_driver_sql("SET LOCAL plan_cache_mode = auto")
                cursor = db.driver_connection(self.connection).cursor()
                self.copy = self.open.enter_context(cursor.copy(self.statement))
            for row in rows:
                self.copy.write_row(row)
        else:
            self.connection.exec_driver_sql(self.statement, rows)
        self.written += len(rows)
        self.rows = []
        if self.progress:
            self.progress(self.written)

    def _processed(self, row: Sequence[Any]) -> Sequence[Any]:
        values = list(row)
        for index, process in self.processors:
            if values[index] is not None:
                values[index] = process(values[index])
        return tuple(values)

    def __enter__(self) -> Writer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.flush()
        else:
            # Ends an open COPY with the error: the server drops its rows; the caller rolls back.
            self.copy = None
            self.open.__exit__(kind, error, trace)


def write(
    session: Session | Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Progress | None = None,
) -> int:
    """Insert `rows` (values in `columns` order) in bulk; returns how many."""
    with Writer(session, table, columns, progress) as writer:
        writer.add_all(rows)
    return writer.written


@contextmanager
def staged(connection: Connection, table: Table, rows: Iterable[Sequence[Any]]) -> Iterator[Table]:
    """`rows` (values in `table`'s column order) in the temporary `table` for the block, to
    join or copy from in one statement; the table is gone afterwards, whatever happens."""
    table.drop(connection, checkfirst=True)
    table.create(connection)
    try:
        write(connection, table, [column.name for column in table.columns], rows)
        yield table
    finally:
        table.drop(connection)


def advance_sequence(session: Session, table: Table) -> None:
    """Move a PostgreSQL id sequence past the ids in the table, after rows were written with
    explicit ids, so later inserts do not collide (SQLite needs nothing)."""
    keys = list(table.primary_key.columns)
    if session.get_bind().dialect.name != "postgresql" or len(keys) != 1:
        return
    if not isinstance(keys[0].type, Integer):
        return
    key = keys[0].name
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key}'), "
            f"COALESCE(MAX({key}), 1), MAX({key}) IS NOT NULL) FROM {table.name}"
        )
    )


@contextmanager
def rebuilt_after(session: Session, tables: Sequence[Table]) -> Iterator[None]:
    """Write a large amount into (nearly) empty tables faster on PostgreSQL: their secondary
    indexes and foreign keys are dropped for the writes and made again afterwards, in the
    same transaction. Building an index once and checking a foreign key with one join beats
    updating and checking them row by row (PostgreSQL's "Populating a Database" advice); a
    failed check rolls everything back as before. Other dialects: nothing changes."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    names = [table.name for table in tables]
    # The definitions as the database has them, so nothing is restated here. Unique
    # constraints stay: measured, remaking them cost more than checking them row by row.
    keys = session.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(:names)"
        ),
        {"names": names},
    ).all()
    indexes = session.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = ANY(:names) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ),
        {"names": names},
    ).all()
    for table, name, _definition in keys:
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        session.execute(text(f'DROP INDEX "{name}"'))
    yield
    for _name, definition in indexes:
        session.execute(text(definition))
    for table, name, definition in keys:
        session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
