"""Importing bank files (CSV, OFX/QFX, QIF): read, compare with the account, then commit at once.

The page and the command line share these steps:
`read` a file into rows (detecting the layout), `plan` what each row would become (new,
duplicate, match for a hand-typed transaction, categorized by rules or history), and
`commit` the plan as ONE database transaction: an ImportBatch row plus bulk inserts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from fintrack import payees, rules
from fintrack.imports import (
    bulk,
    camt_format,
    csv_format,
    dedupe,
    mt940_format,
    ofx_format,
    qif_format,
    xlsx_format,
)
from fintrack.imports.csv_format import CsvMapping
from fintrack.imports.model import (
    Balance,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    RowError,
)
from fintrack.models import Account, ImportBatch, Transaction, utcnow

__all__ = [
    "Balance",
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

NO_RULE = rules.Outcome()
Progress = Callable[[int, int], None]


@dataclass
class PlannedRow:
    """What one readable row becomes: `new`, `duplicate`, `possible`, `match` or `excluded`.

    `twin` is the transaction already in the account that a `possible` duplicate (or a
    `new` row the person chose to keep anyway) may repeat.
    """

    row: ParsedRow
    status: str
    reason: str = ""
    key: str | None = None
    match: dedupe.Candidate | None = None
    payee: str = ""
    category_id: int | None = None
    tags: tuple[str, ...] = ()
    payee_key: str = ""
    twin: dedupe.Twin | None = None


@dataclass
class Plan:
    """The whole file compared with the account, before anything is written."""

    account_id: int
    account: str
    currency: str
    rows: list[PlannedRow]
    errors: list[RowError]
    balance: Balance | None = None

    def count(self, status: str) -> int:
        """How many rows have a status."""
        return sum(1 for p in self.rows if p.status == status)


@dataclass(frozen=True)
class Choices:
    """The person's decisions in the preview (lines are the rows' `line` numbers).

    `keep_possible` lists possible duplicates to import anyway (`keep_all_possible`: all
    of them); `payees` and `categories` are edits made in the preview, by line.
    """

    excluded: frozenset[int] = frozenset()
    as_new: frozenset[int] = frozenset()
    skip_errors: bool = False
    keep_possible: frozenset[int] = frozenset()
    keep_all_possible: bool = False
    payees: dict[int, str] = field(default_factory=dict)
    categories: dict[int, int | None] = field(default_factory=dict)


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
    possible: int = 0
    balance_check: str | None = None

    def __str__(self) -> str:
        return (
            f"{self.account}: {self.new} new, {self.duplicates} duplicate, "
            f"{self.possible} possible duplicate, {self.matched} matched, {self.skipped} skipped"
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
    """Read a CSV, Excel, OFX/QFX, QIF, camt.053/052 or MT940 file, detecting its layout.

    `profile` is the account's saved CSV mapping (used when the header is the same);
    `mapping` overrides detection entirely. Raises ImportFileError for files that cannot
    be imported at all; for a CSV, the error's `parsed` holds the guessed mapping.
    """
    if not data.strip():
        raise ImportFileError("the file is empty")
    if len(data) > max_mb * 1024 * 1024:
        raise ImportFileError(f"the file is larger than the limit of {max_mb} MB")
    suffix = Path(filename).suffix.lower()
    if xlsx_format.looks_like_xlsx(data):
        parsed = _read_csv(xlsx_format.to_csv_text(data), "xlsx", currency, profile, mapping)
    elif ofx_format.looks_like_ofx(data) or suffix in {".ofx", ".qfx"}:
        parsed = ofx_format.parse(data, currency)
    elif camt_format.looks_like_camt(data):
        parsed = camt_format.parse(data, currency)
    else:
        text, encoding = csv_format.decode(data)
        if suffix == ".qif" or qif_format.looks_like_qif(text[:200]):
            parsed = qif_format.parse(text, currency)
        elif mt940_format.looks_like_mt940(text):
            parsed = mt940_format.parse(text, currency)
        else:
            parsed = _read_csv(text, encoding, currency, profile, mapping)
    if not parsed.rows and not parsed.errors:
        raise ImportFileError("the file holds no transactions")
    return parsed


def _read_csv(
    text: str,
    encoding: str,
    currency: str,
    profile: dict[str, Any] | None,
    mapping: CsvMapping | None,
) -> ParsedFile:
    """A CSV text (or an Excel sheet turned into one; its `encoding` is "xlsx")."""
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
    if encoding == "xlsx":
        parsed.file_format = "xlsx"
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
    """Compare every row with the account: duplicates, possible duplicates, matches,
    categories, renames, tags; the person's edits from the preview apply last."""
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
    planned: list[PlannedRow | None] = []
    seen_external: set[str] = set()
    for row, key in zip(rows, keys, strict=True):
        if row.external_id:
            if row.external_id in known_external or row.external_id in seen_external:
                planned.append(PlannedRow(row, "duplicate", "already imported (same bank id)"))
                continue
            seen_external.add(row.external_id)
        elif key in known_keys:
            planned.append(PlannedRow(row, "duplicate", "already imported", key))
            continue
        planned.append(None)
    waiting = [row for row, p in zip(rows, planned, strict=True) if p is None]
    twins = dedupe.twin_candidates(session, account_id, waiting)
    matcher = dedupe.Matcher(dedupe.manual_candidates(session, account_id, waiting))
    # A twin that is this file's own duplicate, or a hand-typed row it matches, is no twin.
    own_keys = set(keys)
    own_external = {r.external_id for r in rows if r.external_id}
    compiled = rules.compile_rules(session)
    for index, (row, key, norm) in enumerate(zip(rows, keys, norms, strict=True)):
        if planned[index] is not None:
            continue
        key = None if row.external_id else key
        if row.line in choices.excluded:
            planned[index] = PlannedRow(row, "excluded", "left out", key)
            continue
        match = None if row.line in choices.as_new else matcher.take(row)
        if match is not None:
            reason = (
                f"matches {match.date.isoformat()} {match.payee or '(no payee)'} entered by hand"
            )
            planned[index] = PlannedRow(row, "match", reason, key, match, match.payee)
            continue
        twin = next(
            (
                t
                for t in twins.get(row.line, ())
                if t.id not in matcher.used
                # Declining a match says the hand-typed rows are other transactions.
                and not (row.line in choices.as_new and t.external_id is t.import_key is None)
                and t.external_id not in own_external
                and t.import_key not in own_keys
            ),
            None,
        )
        result = rules.outcome(compiled, row.payee, row.amount, account_id) if compiled else NO_RULE
        payee_key = payees.normalize(result.payee) if result.payee else norm
        status, reason = "new", ""
        if twin is not None:
            matcher.used.add(twin.id)
            keep = choices.keep_all_possible or row.line in choices.keep_possible
            status = "new" if keep else "possible"
            reason = (
                f"the account already holds {twin.date.isoformat()} "
                f"{twin.payee or '(no payee)'} for the same amount"
            )
        planned[index] = PlannedRow(
            row,
            status,
            reason,
            key,
            None,
            result.payee or row.payee,
            result.category_id,
            result.tags,
            payee_key,
            twin,
        )
    done = [p for p in planned if p is not None]
    _fill_usual_categories(session, done)
    _apply_edits(done, choices)
    return Plan(account_id, account.name, account.currency, done, parsed.errors, parsed.balance)


def _apply_edits(planned: list[PlannedRow], choices: Choices) -> None:
    """The payees and categories the person typed or picked in the preview."""
    if not choices.payees and not choices.categories:
        return
    for p in planned:
        line = p.row.line
        if line in choices.payees:
            p.payee = " ".join(choices.payees[line].split())
            p.payee_key = payees.normalize(p.payee)
        if line in choices.categories:
            p.category_id = choices.categories[line]


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

    Rows that cannot be read stop the import unless `choices.skip_errors`; possible
    duplicates are left out unless kept. When the file states the bank's balance, the
    summary compares it with the account's.
    """
    choices = choices or Choices()
    the_plan = plan(session, account_id, parsed, choices)
    if the_plan.errors and not choices.skip_errors:
        first = the_plan.errors[0]
        raise ImportFileError(
            f"{len(the_plan.errors)} row(s) cannot be read ({first}); "
            "nothing was imported: fix the file or choose to skip them"
        )
    new = [p for p in the_plan.rows if p.status == "new"]
    matched = [p for p in the_plan.rows if p.status == "match"]
    # One timestamp for the batch and its rows: undo tells its rows and later edits by it.
    now = utcnow()
    batch = ImportBatch(
        account_id=account_id,
        filename=Path(filename).name[:255],
        file_format=parsed.file_format,
        imported=len(new),
        duplicates=the_plan.count("duplicate"),
        possible_duplicates=the_plan.count("possible"),
        matched=len(matched),
        skipped=len(the_plan.errors) + the_plan.count("excluded"),
        created_at=now,
    )
    session.add(batch)
    session.flush()
    _insert(session, account_id, batch.id, now, new, progress)
    _claim_matches(session, batch.id, now, matched)
    _tag(session, batch.id, new)
    session.expire_all()
    check = None
    if the_plan.balance is not None:
        from fintrack import reconcile

        check = reconcile.balance_check(session, account_id, the_plan.balance)
    return Summary(
        batch.id,
        the_plan.account,
        batch.imported,
        batch.duplicates,
        batch.matched,
        batch.skipped,
        the_plan.errors,
        batch.possible_duplicates,
        check,
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
    now: dt.datetime,
    new: list[PlannedRow],
    progress: Progress | None,
) -> None:
    """Bulk insert in the session's transaction (see `bulk.write`).

    Values go through each column type's own bind processor, once per distinct value, so
    the driver receives exactly what SQLAlchemy would send, without its per-row overhead.
    """
    connection = session.connection()
    table = Transaction.__table__
    processors = bulk.processors(connection, table, ("date", "cleared", "created_at"))
    stamp = processors["created_at"](now)
    yes, no = processors["cleared"](True), processors["cleared"](False)
    dates: dict = {}
    records = []
    for p in new:
        day = dates.get(p.row.date)
        if day is None:
            day = dates[p.row.date] = processors["date"](p.row.date)
        records.append(
            (
                account_id,
                day,
                p.row.amount,
                p.payee[:255],
                p.payee_key,
                p.category_id,
                p.row.memo,
                yes,
                no,
                p.row.external_id,
                p.key,
                batch_id,
                stamp,
                stamp,
            )
        )
    bulk.write(connection, table.name, INSERT_COLUMNS, records, progress)


def _claim_matches(
    session: Session, batch_id: int, now: dt.datetime, matched: list[PlannedRow]
) -> None:
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
            updated_at=now,
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


def missing_payees(parsed: ParsedFile) -> str | None:
    """Why a CSV's rows would all import without a payee, or None when some have one."""
    if parsed.mapping is None or any(r.payee for r in parsed.rows):
        return None
    header = ", ".join(h for h in parsed.mapping.header if h.strip()) if parsed.mapping else ""
    return (
        f"no payee or description column was found (columns: {header}); "
        "name the one to use with --payee-column NAME"
    )


def import_path(
    session: Session,
    path: Path,
    account_name: str,
    currency: str,
    *,
    skip_errors: bool = False,
    match: bool = True,
    keep_possible: bool = False,
    payee_column: str | None = None,
    max_mb: int = 20,
) -> Summary:
    """The command line's import: read the file, create the account if missing, commit.

    A CSV whose payees cannot be found is refused unless `payee_column` names the column;
    possible duplicates are left out (and counted) unless `keep_possible`.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None
    existing = _named(session, account_name)
    profile = csv_profile(session, existing.id) if existing else None
    file_currency = existing.currency if existing else currency
    parsed = read(data, path.name, file_currency, profile=profile, max_mb=max_mb)
    if payee_column:
        if parsed.mapping is None:
            raise ImportFileError("--payee-column applies to CSV and Excel files only")
        mapping = csv_format.use_payee_column(parsed.mapping, payee_column)
        parsed = read(data, path.name, file_currency, mapping=mapping, max_mb=max_mb)
    problem = missing_payees(parsed)
    if problem:
        raise ImportFileError(problem)
    account = existing or ensure_account(session, account_name, parsed.currency or currency)
    choices = Choices(skip_errors=skip_errors, keep_all_possible=keep_possible)
    if not match:
        choices = Choices(
            as_new=frozenset(r.line for r in parsed.rows),
            skip_errors=skip_errors,
            keep_all_possible=keep_possible,
        )
    return commit(session, account.id, parsed, path.name, choices)
