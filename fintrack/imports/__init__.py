"""Importing bank files (CSV, OFX/QFX, QIF): read, compare with the account, then commit at once.

The page and the command line share these steps:
`read` a file into rows (detecting the layout), `plan` what each row would become (new,
duplicate, match for a hand-typed transaction, categorized by rules or history), and
`commit` the plan as ONE database transaction: an ImportBatch row plus bulk inserts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from fintrack import payees, rules
from fintrack.imports import csv_format, dedupe, ofx_format, qif_format
from fintrack.imports.csv_format import CsvMapping
from fintrack.imports.model import (
    MAX_AMOUNT_MINOR,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    RowError,
)
from fintrack.models import Account, ImportBatch, Transaction, utcnow

__all__ = [
    "Choices",
    "CsvMapping",
    "ImportFileError",
    "ParsedFile",
    "ParsedRow",
    "Plan",
    "PlannedRow",
    "RowError",
    "Summary",
    "commit",
    "csv_profile",
    "ensure_account",
    "import_path",
    "plan",
    "read",
    "resolve_account",
    "save_profile",
]

INSERT_CHUNK = 5000
NO_RULE = rules.Outcome()
Progress = Callable[[int, int], None]


@dataclass
class PlannedRow:
    """What one readable row becomes: `new`, `duplicate`, `match` or `excluded`."""

    row: ParsedRow
    status: str
    reason: str = ""
    key: str | None = None
    match: dedupe.Candidate | None = None
    payee: str = ""
    category_id: int | None = None
    tags: tuple[str, ...] = ()
    payee_key: str = ""


@dataclass
class Plan:
    """The whole file compared with the account, before anything is written."""

    account_id: int
    currency: str
    rows: list[PlannedRow]
    errors: list[RowError]

    def count(self, status: str) -> int:
        """How many rows have a status."""
        return sum(1 for p in self.rows if p.status == status)


@dataclass(frozen=True)
class Choices:
    """The person's decisions in the preview (lines are the rows' `line` numbers)."""

    excluded: frozenset[int] = frozenset()
    as_new: frozenset[int] = frozenset()
    skip_errors: bool = False


@dataclass
class Summary:
    """What a committed import did."""

    batch_id: int
    account: str
    new: int
    duplicates: int
    matched: int
    skipped: int
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.account}: {self.new} new, {self.duplicates} duplicate, "
            f"{self.matched} matched, {self.skipped} skipped"
        )


def read(
    data: bytes,
    filename: str,
    currency: str,
    *,
    profile: dict[str, Any] | None = None,
    mapping: CsvMapping | None = None,
    max_mb: int = 20,
) -> ParsedFile:
    """Read a CSV, OFX/QFX or QIF file into rows, detecting its layout.

    `profile` is the account's saved CSV mapping (used when the header is the same);
    `mapping` overrides detection entirely. Raises ImportFileError for files that cannot
    be imported at all; for a CSV, the error's `parsed` holds the guessed mapping.
    """
    if not data.strip():
        raise ImportFileError("the file is empty")
    if len(data) > max_mb * 1024 * 1024:
        raise ImportFileError(f"the file is larger than the limit of {max_mb} MB")
    suffix = Path(filename).suffix.lower()
    if ofx_format.looks_like_ofx(data) or suffix in {".ofx", ".qfx"}:
        parsed = ofx_format.parse(data, currency)
    elif suffix == ".qif" or qif_format.looks_like_qif(csv_format.decode(data[:200])[0]):
        parsed = qif_format.parse(csv_format.decode(data)[0], currency)
    else:
        parsed = _read_csv(data, currency, profile, mapping)
    if not parsed.rows and not parsed.errors:
        raise ImportFileError("the file holds no transactions")
    _refuse_huge_amounts(parsed)
    return parsed


def _refuse_huge_amounts(parsed: ParsedFile) -> None:
    """Rows whose amount no account could hold become errors naming their line."""
    huge = [row for row in parsed.rows if abs(row.amount) > MAX_AMOUNT_MINOR]
    if not huge:
        return
    parsed.rows = [row for row in parsed.rows if abs(row.amount) <= MAX_AMOUNT_MINOR]
    parsed.errors = sorted(
        [*parsed.errors, *(RowError(row.line, "the amount is too large to store") for row in huge)],
        key=lambda error: error.line,
    )


def _read_csv(
    data: bytes, currency: str, profile: dict[str, Any] | None, mapping: CsvMapping | None
) -> ParsedFile:
    text, encoding = csv_format.decode(data)
    doubts: list[str] = []
    if mapping is None and profile:
        mapping = csv_format.from_profile(profile, text, encoding)
    if mapping is None:
        mapping, doubts = csv_format.detect(text, encoding, currency)
    else:
        mapping.encoding = encoding
    try:
        parsed = csv_format.parse(text, mapping, currency)
    except ImportFileError as error:
        sample = csv_format.sample_rows(text, mapping)
        error.parsed = ParsedFile("csv", [], [], mapping, doubts, sample)
        raise
    finally:
        csv_format.forget()
    parsed.doubts = doubts
    return parsed


def _named(session: Session, name: str) -> Account | None:
    """The account with that name, spaces collapsed as account names are stored."""
    return session.scalar(select(Account).where(Account.name == " ".join(name.split())))


def ensure_account(session: Session, name: str, currency: str) -> Account:
    """The account with that name, created (checking, in `currency`) when missing."""
    name = " ".join(name.split())
    if not name:
        raise ImportFileError("give the account a name")
    account = _named(session, name)
    if account is None:
        account = Account(name=name, currency=currency.upper(), kind="checking")
        session.add(account)
        session.flush()
    return account


def resolve_account(session: Session, account: int | str, currency: str) -> int:
    """An account id as given, or the id of the account with that name (created if missing)."""
    if isinstance(account, int):
        return account
    return ensure_account(session, account, currency).id


def save_profile(session: Session, account_id: int, mapping: CsvMapping) -> None:
    """Remember a CSV mapping on the account for its next import."""
    account = session.get(Account, account_id)
    if account is not None:
        account.import_profile = {"csv": mapping.to_profile()}
        session.flush()


def csv_profile(session: Session, account_id: int) -> dict[str, Any] | None:
    """The account's saved CSV mapping, if any."""
    account = session.get(Account, account_id)
    return (account.import_profile or {}).get("csv") if account else None


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise ImportFileError("that account no longer exists")
    return account


def plan(
    session: Session, account_id: int, parsed: ParsedFile, choices: Choices | None = None
) -> Plan:
    """Compare every row with the account: duplicates, matches, categories, renames, tags."""
    choices = choices or Choices()
    account = _account(session, account_id)
    if parsed.currency and parsed.currency.upper() != account.currency.upper():
        raise ImportFileError(
            f"the file is in {parsed.currency} but {account.name} is kept in {account.currency}"
        )
    rows = parsed.rows
    norms = [payees.normalize(r.payee) for r in rows]
    keys = dedupe.import_keys(rows, norms)
    known_external, known_keys = dedupe.known_ids(session, account_id, rows)
    matcher = dedupe.Matcher(dedupe.manual_candidates(session, account_id, rows))
    compiled = rules.compile_rules(session)
    planned: list[PlannedRow] = []
    seen_external: set[str] = set()
    for row, key, norm in zip(rows, keys, norms, strict=True):
        if row.external_id:
            key = None
            if row.external_id in known_external or row.external_id in seen_external:
                planned.append(PlannedRow(row, "duplicate", "already imported (same bank id)"))
                continue
            seen_external.add(row.external_id)
        elif key in known_keys:
            planned.append(PlannedRow(row, "duplicate", "already imported", key))
            continue
        if row.line in choices.excluded:
            planned.append(PlannedRow(row, "excluded", "left out", key))
            continue
        match = None if row.line in choices.as_new else matcher.take(row)
        if match is not None:
            reason = (
                f"matches {match.date.isoformat()} {match.payee or '(no payee)'} entered by hand"
            )
            planned.append(PlannedRow(row, "match", reason, key, match, match.payee))
            continue
        result = rules.outcome(compiled, row.payee, row.amount, account_id) if compiled else NO_RULE
        payee_key = payees.normalize(result.payee) if result.payee else norm
        planned.append(
            PlannedRow(
                row,
                "new",
                "",
                key,
                None,
                result.payee or row.payee,
                result.category_id,
                result.tags,
                payee_key,
            )
        )
    _fill_usual_categories(session, planned)
    return Plan(account_id, account.currency, planned, parsed.errors)


def _fill_usual_categories(session: Session, planned: list[PlannedRow]) -> None:
    waiting = [p for p in planned if p.status == "new" and p.category_id is None]
    usual = rules.usual_categories(session, {p.payee_key for p in waiting})
    for p in waiting:
        p.category_id = usual.get(p.payee_key)


def commit(
    session: Session,
    account_id: int,
    parsed: ParsedFile,
    filename: str,
    choices: Choices | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Write the import in the caller's transaction: all rows or, on any error, none.

    Rows that cannot be read stop the import unless `choices.skip_errors`.
    """
    choices = choices or Choices()
    the_plan = plan(session, account_id, parsed, choices)
    if the_plan.errors and not choices.skip_errors:
        first = the_plan.errors[0]
        raise ImportFileError(
            f"{len(the_plan.errors)} row(s) cannot be read ({first}); "
            "nothing was imported: fix the file or choose to skip them"
        )
    account = _account(session, account_id)
    new = [p for p in the_plan.rows if p.status == "new"]
    matched = [p for p in the_plan.rows if p.status == "match"]
    batch = ImportBatch(
        account_id=account_id,
        filename=Path(filename).name[:255],
        file_format=parsed.file_format,
        imported=len(new),
        duplicates=the_plan.count("duplicate"),
        matched=len(matched),
        skipped=len(the_plan.errors) + the_plan.count("excluded"),
    )
    session.add(batch)
    session.flush()
    _insert(session, account_id, batch.id, new, progress)
    _claim_matches(session, batch.id, matched)
    _tag(session, batch.id, new)
    session.expire_all()
    return Summary(
        batch.id,
        account.name,
        batch.imported,
        batch.duplicates,
        batch.matched,
        batch.skipped,
        the_plan.errors,
    )


INSERT_COLUMNS = (
    "account_id",
    "date",
    "amount",
    "payee",
    "payee_norm",
    "category_id",
    "notes",
    "cleared",
    "is_split",
    "external_id",
    "import_key",
    "import_batch_id",
    "created_at",
    "updated_at",
)


def _insert(
    session: Session,
    account_id: int,
    batch_id: int,
    new: list[PlannedRow],
    progress: Progress | None,
) -> None:
    """Bulk insert in the session's transaction: COPY on PostgreSQL, executemany on SQLite.

    Values go through each column type's own bind processor, once per distinct value, so
    the driver receives exactly what SQLAlchemy would send, without its per-row overhead.
    """
    connection = session.connection()
    dialect = connection.dialect
    table = Transaction.__table__
    processors = {
        name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        or (lambda value: value)
        for name in ("date", "cleared", "created_at")
    }
    now = processors["created_at"](utcnow())
    yes, no = processors["cleared"](True), processors["cleared"](False)
    dates: dict = {}
    records = []
    for p in new:
        day = dates.get(p.row.date)
        if day is None:
            day = dates[p.row.date] = processors["date"](p.row.date)
        payee = p.payee[:255]
        records.append(
            (
                account_id,
                day,
                p.row.amount,
                payee,
                p.payee_key,
                p.category_id,
                p.row.memo,
                yes,
                no,
                p.row.external_id,
                p.key,
                batch_id,
                now,
                now,
            )
        )
    names = ", ".join(INSERT_COLUMNS)
    if dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        statement = f"COPY {table.name} ({names}) FROM STDIN"
    else:
        marks = ", ".join("?" for _ in INSERT_COLUMNS)
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
    for begin in range(0, len(records), INSERT_CHUNK):
        chunk = records[begin : begin + INSERT_CHUNK]
        if dialect.name == "postgresql":
            with cursor.copy(statement) as copy:
                for record in chunk:
                    copy.write_row(record)
        else:
            connection.exec_driver_sql(statement, chunk)
        if progress:
            progress(begin + len(chunk), len(records))


def _claim_matches(session: Session, batch_id: int, matched: list[PlannedRow]) -> None:
    """Hand-typed transactions the bank confirmed take the bank's id, so re-imports skip them."""
    if not matched:
        return
    table = Transaction.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("row_id"))
        .values(
            external_id=bindparam("external_id"),
            import_key=bindparam("key"),
            import_batch_id=batch_id,
            cleared=True,
        )
    )
    session.execute(
        statement,
        [{"row_id": p.match.id, "external_id": p.row.external_id, "key": p.key} for p in matched],
    )


def _tag(session: Session, batch_id: int, new: list[PlannedRow]) -> None:
    wanted = {(p.row.external_id, p.key): p.tags for p in new if p.tags}
    if not wanted:
        return
    query = select(Transaction.id, Transaction.external_id, Transaction.import_key).where(
        Transaction.import_batch_id == batch_id
    )
    by_tag: dict[str, list[int]] = {}
    for row_id, external_id, key in session.execute(query):
        for tag in wanted.get((external_id, key), ()):
            by_tag.setdefault(tag, []).append(row_id)
    for tag, ids in by_tag.items():
        rules.add_tag(session, ids, tag)


def import_path(
    session: Session,
    path: Path,
    account_name: str,
    currency: str,
    *,
    skip_errors: bool = False,
    match: bool = True,
    max_mb: int = 20,
) -> Summary:
    """The command line's import: read the file, create the account if missing, commit."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None
    existing = _named(session, account_name)
    profile = csv_profile(session, existing.id) if existing else None
    parsed = read(
        data, path.name, existing.currency if existing else currency, profile=profile, max_mb=max_mb
    )
    account = existing or ensure_account(session, account_name, parsed.currency or currency)
    choices = Choices(skip_errors=skip_errors)
    if not match:
        choices = Choices(as_new=frozenset(r.line for r in parsed.rows), skip_errors=skip_errors)
    return commit(session, account.id, parsed, path.name, choices)
