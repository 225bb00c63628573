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
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from sqlalchemy import (
    JSON,
    BigInteger,
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
from fintrack import bulk, restore_checks, twofactor
from fintrack.errors import FieldError
from fintrack.json_stream import JsonStream
from fintrack.models import AppState, Base, table_of
from fintrack.restore_checks import NOT_BACKED_UP, Context, RowProblem

FORMAT = "fintrack-backup"
VERSION = 1
BATCH_ROWS = 1000
# Tables that hold the app's own bookkeeping rather than the person's data: they do not make a
# database "non-empty" for a restore. Rates are restored like any table (the backup's replace
# the reference rates a new database loads by itself).
HOUSEKEEPING_TABLES = ("app_state", "login_attempts", "rates")
# Kept from the database being restored into: the session version decides which logins stay
# valid, and a backup must not bring back sessions that were ended; the second factor belongs
# to this installation's owner, not to whoever wrote the file.
KEPT_STATE_KEYS = ("session_version", *twofactor.STATE_KEYS)

Progress = Callable[[str, int], None]


class BackupError(FieldError):
    """A backup that cannot be restored; the message says why, for the person restoring it."""

    FIELD = "file"


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


def backed_up_tables() -> list[Table]:
    """The tables a backup carries: all but the login throttle (see NOT_BACKED_UP)."""
    return [table for table in tables() if table.name not in NOT_BACKED_UP]


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
    for index, table in enumerate(backed_up_tables()):
        columns = [column.name for column in table.columns]
        out.write(",\n" if index else "\n")
        out.write(json.dumps({"name": table.name, "columns": columns})[:-1] + ', "rows": [')
        statement = select(table).order_by(*table.primary_key.columns)
        if table is AppState.__table__:
            # Only the settings a restore takes back: no second-factor secret leaves the app.
            statement = statement.where(table.c.key.in_(restore_checks.SETTINGS))
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
    reader = JsonStream(stream, BackupError)
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
    limit = 2**63 if isinstance(kind, BigInteger) else 2**31
    length = getattr(kind, "length", None)

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
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= limit:
                raise fail(value, "a whole number the column holds")
            return value
        if isinstance(kind, String | Text):
            if not isinstance(value, str):
                raise fail(value, "text")
            if length is not None and len(value) > length:
                raise fail(value[:20] + "...", f"text of at most {length} characters")
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
    for table in reversed(backed_up_tables()):
        for name in _self_references(table):
            session.execute(update(table).values({name: None}))
        session.execute(table.delete())


def _advance_sequences(session: Session) -> None:
    """Move id sequences past the restored ids, so new rows do not collide."""
    for table in tables():
        bulk.advance_sequence(session, table)


class _TableLoader:
    """Inserts one table's rows in batches; self-references are set once all rows exist."""

    def __init__(
        self,
        session: Session,
        table: Table,
        columns: Any,
        context: Context,
        progress: bulk.Progress | None = None,
    ) -> None:
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise BackupError(f"the backup lists no valid columns for {table.name}")
        unknown = [name for name in columns if name not in table.columns]
        if unknown:
            raise BackupError(f"the backup has unknown columns in {table.name}: {unknown}")
        self.session, self.table, self.columns = session, table, columns
        self.context = context
        self.convert = [_converter(table.columns[name], table.name) for name in columns]
        self.key = next(iter(table.primary_key.columns)).name
        self.deferred = [name for name in _self_references(table) if name in columns]
        self.later: dict[str, list[dict[str, Any]]] = {name: [] for name in self.deferred}
        # Columns an UPDATE would stamp anew (updated_at): the deferred update sets them back.
        self.stamped = [
            c.name for c in table.columns if c.onupdate is not None and c.name in columns
        ]
        self.writer = bulk.Writer(session, table, columns, progress)
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
        try:
            if not restore_checks.keep_row(self.table.name, values, self.context):
                return
        except RowProblem as problem:
            row_id = values.get(self.key)
            raise BackupError(
                f"{self.table.name} row {self.count + 1} ({self.key} {row_id}): {problem}"
            ) from None
        for name in self.deferred:
            if values[name] is not None:
                kept = {f"b_{column}": values[column] for column in self.stamped}
                self.later[name].append(
                    {"b_key": values[self.key], "b_value": values[name], **kept}
                )
                values[name] = None
        self.writer.add(tuple(values.values()))
        self.count += 1

    def finish(self) -> None:
        """Set the self-references once every row is written."""
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


def _load_tables(session: Session, reader: JsonStream, progress: Progress | None) -> dict[str, int]:
    """Read the `tables` list (its '[' is next) and insert every table's rows."""
    known = {table.name: table for table in tables()}
    restored: dict[str, int] = {}
    context = Context()
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
                reader.expect("[")
                if name in NOT_BACKED_UP:
                    for _ in reader.items():
                        reader.value()
                    continue
                loader = _TableLoader(
                    session,
                    known[name],
                    columns,
                    context,
                    progress and (lambda done, name=name: progress(name, done)),
                )
                # Leaving the writer writes the rest, or on an error ends its open COPY so the
                # caller's rollback finds the connection free.
                with loader.writer:
                    for _ in reader.items():
                        loader.add(reader.value())
                loader.finish()
                restored[name] = loader.count
                if progress:
                    progress(name, loader.count)
            else:
                reader.value()
    try:
        restore_checks.check_tree(context.parents)
    except RowProblem as problem:
        raise BackupError(f"categories: {problem}") from None
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
    reader = JsonStream(stream, BackupError)
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
        table = table_of(AppState)
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
