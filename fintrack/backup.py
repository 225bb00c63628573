"""Full backup and restore of every table, as one versioned JSON document.

The document is written and read as a stream, so a backup of a large database never sits in
memory whole:

    {"format": "fintrack-backup", "version": 1, "schema_revision": "0001",
     "app_version": "0.1.0", "created_at": "2026-11-26T13:00:00+00:00",
     "tables": [{"name": "accounts", "columns": ["id", ...], "rows": [[1, ...], ...]}, ...]}

Tables come in dependency order (`Base.metadata.sorted_tables`), so tables added to the
schema later are included without changes here. Money stays integer minor units; dates and
timestamps are ISO strings. The header keys come before `tables`: a reader checks them before
it touches the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    bindparam,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

import fintrack
from fintrack.models import AppState, Base

FORMAT = "fintrack-backup"
VERSION = 1
BATCH_ROWS = 1000
# Tables that hold the app's own bookkeeping rather than the person's data: they do not make a
# database "non-empty" for a restore. Rates are restored like any table (the backup's replace
# the reference rates a new database loads by itself).
HOUSEKEEPING_TABLES = ("app_state", "login_attempts", "rates")
# Kept from the database being restored into: the session version decides which logins stay
# valid, and a backup must not bring back sessions that were ended.
KEPT_STATE_KEYS = ("session_version",)

Progress = Callable[[str, int], None]


class BackupError(ValueError):
    """A backup that cannot be restored; the message says why, for the person restoring it."""


class NotEmptyError(BackupError):
    """The database already holds data and replacing it was not asked for."""

    def __init__(self, counts: dict[str, int]) -> None:
        super().__init__(
            f"the database is not empty ({describe_counts(counts)}); "
            "restore with replace to overwrite it"
        )
        self.counts = counts


@dataclass(frozen=True)
class BackupHeader:
    """What a backup file says about itself."""

    version: int
    schema_revision: str | None
    app_version: str | None
    created_at: str | None


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(Base.metadata.sorted_tables)


def schema_revision(session: Session) -> str | None:
    """The Alembic revision the database is at, or None when it was never migrated."""
    if not inspect(session.connection()).has_table("alembic_version"):
        return None
    return session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def table_counts(session: Session) -> dict[str, int]:
    """Rows per table, for every table of the schema, in one query."""
    every = tables()
    counts = session.execute(
        select(*(select(func.count()).select_from(table).scalar_subquery() for table in every))
    ).one()
    return {table.name: count for table, count in zip(every, counts, strict=True)}


def data_counts(session: Session) -> dict[str, int]:
    """Rows per table holding the person's data, only the tables that have any."""
    return {
        name: count
        for name, count in table_counts(session).items()
        if count and name not in HOUSEKEEPING_TABLES
    }


def describe_counts(counts: dict[str, int]) -> str:
    """`1 account, 3,400 transactions` (or `nothing`), for messages; housekeeping left out."""
    parts = [
        f"{count:,} {_noun(name, count)}"
        for name, count in counts.items()
        if count and name not in HOUSEKEEPING_TABLES
    ]
    return ", ".join(parts) or "nothing"


def _noun(table: str, count: int) -> str:
    words = table.replace("_", " ")
    if count != 1:
        return words
    for plural, singular in (("ies", "y"), ("ches", "ch"), ("s", "")):
        if words.endswith(plural):
            return words[: -len(plural)] + singular
    return words


# ---------------------------------------------------------------------------------- writing


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        # Exchange rates: a decimal string, never a float.
        return f"{value.normalize():f}"
    return value


def write_backup(session: Session, out: TextIO, progress: Progress | None = None) -> dict[str, int]:
    """Write a complete backup of the database to `out`; returns the rows written per table.

    Rows are read in chunks with a streaming cursor, so memory stays flat however big the
    database is.
    """
    header = {
        "format": FORMAT,
        "version": VERSION,
        "schema_revision": schema_revision(session),
        "app_version": fintrack.__version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    out.write("{")
    for key, value in header.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value)}, ")
    out.write('"tables": [')
    written: dict[str, int] = {}
    for index, table in enumerate(tables()):
        columns = [column.name for column in table.columns]
        out.write(",\n" if index else "\n")
        out.write(json.dumps({"name": table.name, "columns": columns})[:-1] + ', "rows": [')
        statement = select(table).order_by(*table.primary_key.columns)
        result = session.execute(statement.execution_options(yield_per=BATCH_ROWS))
        count = 0
        for row in result:
            out.write(",\n" if count else "\n")
            out.write(json.dumps([_to_json(value) for value in row], ensure_ascii=False))
            count += 1
            if progress and count % BATCH_ROWS == 0:
                progress(table.name, count)
        out.write("\n]}")
        written[table.name] = count
        if progress:
            progress(table.name, count)
    out.write("\n]}\n")
    return written


# ---------------------------------------------------------------------------------- reading


class _Reader:
    """Pulls JSON values one at a time from a text stream, keeping only a window in memory."""

    CHUNK = 1 << 16
    WHITESPACE = " \t\r\n"

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines_before = 0
        self.column_carry = 0
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        dropped = self.buf[: self.pos]
        newline = dropped.rfind("\n")
        if newline >= 0:
            self.lines_before += dropped.count("\n")
            self.column_carry = len(dropped) - newline - 1
        else:
            self.column_carry += len(dropped)
        try:
            chunk = self.stream.read(self.CHUNK)
        except UnicodeDecodeError:
            raise BackupError("this is not a fintrack backup (it is not UTF-8 text)") from None
        if not chunk:
            self.eof = True
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return bool(chunk)

    def where(self, pos: int | None = None) -> str:
        pos = self.pos if pos is None else pos
        line = self.lines_before + self.buf.count("\n", 0, pos) + 1
        newline = self.buf.rfind("\n", 0, pos)
        column = pos - newline if newline >= 0 else self.column_carry + pos + 1
        return f"line {line}, column {column}"

    def broken(self, problem: str, pos: int | None = None) -> BackupError:
        return BackupError(f"the file is not valid JSON: {problem} at {self.where(pos)}")

    def peek(self) -> str:
        """The next non-blank character, or "" at the end of the file."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in self.WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, chars: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            found = f"'{char}'" if char else "the end of the file"
            wanted = " or ".join(f"'{c}'" for c in chars)
            raise self.broken(f"expected {wanted} but found {found}")
        self.pos += 1
        return char

    def value(self) -> Any:
        if not self.peek():
            raise self.broken("unexpected end of the file")
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                if self._fill():
                    continue
                raise self.broken(error.msg.lower(), error.pos) from None
            # A number cut by the end of the window may continue in the next chunk.
            if end == len(self.buf) and self._fill():
                continue
            self.pos = end
            return value

    def key(self) -> str:
        if self.peek() != '"':
            raise self.broken("expected a quoted key")
        return self.value()

    def members(self) -> Iterator[str]:
        """Keys of an object whose '{' was consumed; the caller consumes each value."""
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            name = self.key()
            self.expect(":")
            yield name
            if self.expect(",}") == "}":
                return

    def items(self) -> Iterator[None]:
        """Positions of the items of an array whose '[' was consumed."""
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield
            if self.expect(",]") == "]":
                return


def _check_header(header: dict[str, Any], current_revision: str | None) -> BackupHeader:
    if header.get("format") != FORMAT:
        raise BackupError("this is not a fintrack backup (no 'format: fintrack-backup' header)")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupError("the backup has no valid version number")
    if version > VERSION:
        raise BackupError(
            f"the backup was made by a newer fintrack (backup version {version}); "
            f"this fintrack reads backups up to version {VERSION}"
        )
    revision = header.get("schema_revision")
    if revision != current_revision:
        raise BackupError(
            f"the backup has database schema revision {revision!r} but this database is at "
            f"{current_revision!r}; restore it with the fintrack version that made it"
        )
    return BackupHeader(version, revision, header.get("app_version"), header.get("created_at"))


def read_header(stream: TextIO) -> BackupHeader:
    """Read and check a backup's header without reading its rows (no revision check)."""
    reader = _Reader(stream)
    reader.expect("{")
    header: dict[str, Any] = {}
    for name in reader.members():
        if name == "tables":
            break
        header[name] = reader.value()
    return _check_header(header, header.get("schema_revision"))


# ---------------------------------------------------------------------------------- restoring


def _converter(column: Column[Any], table: str) -> Callable[[Any], Any]:
    """Turns a JSON value into what the column takes, refusing values of the wrong kind."""
    kind = column.type

    def fail(value: Any, wanted: str) -> BackupError:
        return BackupError(f"{table}.{column.name}: {value!r} is not {wanted}")

    def convert(value: Any) -> Any:
        if value is None or isinstance(kind, JSON):
            return value
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise fail(value, "true or false")
            return value
        if isinstance(kind, Integer):
            if not isinstance(value, int) or isinstance(value, bool):
                raise fail(value, "a whole number")
            return value
        if isinstance(kind, String | Text):
            if not isinstance(value, str):
                raise fail(value, "text")
            return value
        if isinstance(kind, Numeric):
            return _decimal(value, fail)
        try:
            if isinstance(kind, DateTime):
                moment = dt.datetime.fromisoformat(value)
                # Timestamps are UTC; SQLite keeps them without an offset.
                return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
            if isinstance(kind, Date):
                return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise fail(value, "an ISO date") from None
        return value

    return convert


def _decimal(value: Any, fail: Callable[[Any, str], BackupError]) -> Decimal:
    """An exact number written as text (a rate); a float would already have lost digits."""
    if not isinstance(value, str):
        raise fail(value, "a decimal number as text")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise fail(value, "a decimal number") from None
    if not number.is_finite():
        raise fail(value, "a decimal number")
    return number


def _self_references(table: Table) -> list[str]:
    """Columns pointing at their own table (a transfer's other side, a parent category)."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _empty_all(session: Session) -> None:
    for table in reversed(tables()):
        for name in _self_references(table):
            session.execute(update(table).values({name: None}))
        session.execute(table.delete())


def _advance_sequences(session: Session) -> None:
    """Move PostgreSQL id sequences past the restored ids, so new rows do not collide."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        key = keys[0].name
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key}'), "
                f"COALESCE(MAX({key}), 1), MAX({key}) IS NOT NULL) FROM {table.name}"
            )
        )


class _TableLoader:
    """Inserts one table's rows in batches; self-references are set once all rows exist."""

    def __init__(self, session: Session, table: Table, columns: Any) -> None:
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise BackupError(f"the backup lists no valid columns for {table.name}")
        unknown = [name for name in columns if name not in table.columns]
        if unknown:
            raise BackupError(f"the backup has unknown columns in {table.name}: {unknown}")
        self.session, self.table, self.columns = session, table, columns
        self.convert = [_converter(table.columns[name], table.name) for name in columns]
        self.key = next(iter(table.primary_key.columns)).name
        self.deferred = [name for name in _self_references(table) if name in columns]
        self.later: dict[str, list[dict[str, Any]]] = {name: [] for name in self.deferred}
        # Columns an UPDATE would stamp anew (updated_at): the deferred update sets them back.
        self.stamped = [
            c.name for c in table.columns if c.onupdate is not None and c.name in columns
        ]
        self.batch: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: Any) -> None:
        if not isinstance(row, list) or len(row) != len(self.columns):
            raise BackupError(
                f"row {self.count + 1} of {self.table.name} does not have "
                f"{len(self.columns)} values"
            )
        values = {
            name: convert(v)
            for name, convert, v in zip(self.columns, self.convert, row, strict=True)
        }
        for name in self.deferred:
            if values[name] is not None:
                kept = {f"b_{column}": values[column] for column in self.stamped}
                self.later[name].append(
                    {"b_key": values[self.key], "b_value": values[name], **kept}
                )
                values[name] = None
        self.batch.append(values)
        self.count += 1
        if len(self.batch) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.session.execute(self.table.insert(), self.batch)
            self.batch = []

    def finish(self) -> None:
        self.flush()
        for name, pairs in self.later.items():
            statement = (
                update(self.table)
                .where(self.table.c[self.key] == bindparam("b_key"))
                .values(
                    {name: bindparam("b_value")}
                    | {column: bindparam(f"b_{column}") for column in self.stamped}
                )
            )
            for start in range(0, len(pairs), BATCH_ROWS):
                self.session.connection().execute(statement, pairs[start : start + BATCH_ROWS])


def _load_tables(session: Session, reader: _Reader, progress: Progress | None) -> dict[str, int]:
    """Read the `tables` list (its '[' is next) and insert every table's rows."""
    known = {table.name: table for table in tables()}
    restored: dict[str, int] = {}
    reader.expect("[")
    for _ in reader.items():
        reader.expect("{")
        name: Any = None
        columns: Any = None
        for key in reader.members():
            if key == "name":
                name = reader.value()
                if name not in known or name in restored:
                    raise BackupError(f"the backup has an unknown or repeated table {name!r}")
            elif key == "columns":
                columns = reader.value()
            elif key == "rows":
                if name is None:
                    raise BackupError("a table in the backup has rows before its name")
                loader = _TableLoader(session, known[name], columns)
                reader.expect("[")
                for _ in reader.items():
                    loader.add(reader.value())
                    if progress and loader.count % BATCH_ROWS == 0:
                        progress(name, loader.count)
                loader.finish()
                restored[name] = loader.count
                if progress:
                    progress(name, loader.count)
            else:
                reader.value()
    return restored


def restore_backup(
    session: Session, stream: TextIO, *, replace: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Load a backup into the database, inside the caller's transaction; rows per table.

    Ids are kept. A database that already holds data is only overwritten with `replace`
    (otherwise NotEmptyError, which carries the counts). Any problem with the file raises
    BackupError with a readable reason; the caller's rollback then leaves the database as it
    was. Objects loaded in the session before are detached afterwards.
    """
    reader = _Reader(stream)
    if reader.peek() != "{":
        raise BackupError("this is not a fintrack backup (it is not a JSON object)")
    reader.expect("{")
    header: dict[str, Any] = {}
    restored: dict[str, int] | None = None
    for name in reader.members():
        if name != "tables":
            header[name] = reader.value()
            continue
        if restored is not None:
            raise BackupError("the backup lists its tables twice")
        _check_header(header, schema_revision(session))
        existing = data_counts(session)
        if existing and not replace:
            raise NotEmptyError(existing)
        session.flush()
        table = AppState.__table__
        kept = session.execute(
            select(table.c.key, table.c.value).where(table.c.key.in_(KEPT_STATE_KEYS))
        ).all()
        _empty_all(session)
        restored = _load_tables(session, reader, progress)
        # The database's own values win, and so does their absence.
        session.execute(table.delete().where(table.c.key.in_(KEPT_STATE_KEYS)))
        for key, value in kept:
            session.execute(table.insert().values(key=key, value=value))
    if reader.peek():
        raise reader.broken("unexpected text after the backup")
    if restored is None:
        _check_header(header, schema_revision(session))
        raise BackupError("the backup has no tables")
    _advance_sequences(session)
    session.expunge_all()
    return restored
