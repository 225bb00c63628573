"""Fast bulk writes in the session's transaction: COPY on PostgreSQL, executemany elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from fintrack import db

CHUNK = 5000


def processors(
    connection: Connection, table: Table, names: Sequence[str]
) -> dict[str, Callable[[Any], Any]]:
    """Each named column's bind processor, so raw driver calls get what SQLAlchemy would send."""
    dialect = connection.dialect
    return {
        name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        or (lambda value: value)
        for name in names
    }


def write(
    connection: Connection,
    table_name: str,
    names: Sequence[str],
    records: list[tuple[Any, ...]],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Insert `records` (already processed values, in `names` order) in chunks."""
    columns = ", ".join(names)
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        cursor = db.driver_connection(connection).cursor()
        statement = f"COPY {table_name} ({columns}) FROM STDIN"
    else:
        marks = ", ".join("?" for _ in names)
        statement = f"INSERT INTO {table_name} ({columns}) VALUES ({marks})"
    for begin in range(0, len(records), CHUNK):
        chunk = records[begin : begin + CHUNK]
        if postgres:
            with cursor.copy(statement) as copy:
                for record in chunk:
                    copy.write_row(record)
        else:
            connection.exec_driver_sql(statement, chunk)
        if progress:
            progress(begin + len(chunk), len(records))
