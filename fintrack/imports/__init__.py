"""Importing bank files: read, compare with the account, then commit at once.

Formats: CSV, Excel .xlsx, OFX/QFX, QIF, ISO 20022 camt.053/052 and MT940, detected by
content. The page and the command line share these steps: `read` a file into rows
(detecting the layout), `plan` what each row would become (see `planning`), and `commit`
the plan as ONE database transaction: an ImportBatch row plus bulk inserts. Every commit
is a batch the history lists and can undo (see `history`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from fintrack import bulk, periods, rules, words
from fintrack.imports import (
    camt_format,
    csv_detect,
    csv_format,
    mt940_format,
    ofx_format,
    qif_format,
    xlsx_format,
)
from fintrack.imports.csv_format import CsvMapping
from fintrack.imports.model import Balance, ImportFileError, ParsedFile, ParsedRow, RowError
from fintrack.imports.planning import Choices, Plan, PlannedRow, plan
from fintrack.models import Account, ImportBatch, Transaction, table_of, utcnow

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

Progress = Callable[[int, int], None]


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
    payee_column: str | None = None,
    columns: dict[str, str] | None = None,
    max_mb: int = 20,
) -> ParsedFile:
    """Read a CSV, Excel, OFX/QFX, QIF, camt.053/052 or MT940 file, detecting its layout.

    `profile` is the account's saved CSV mapping (used when the header is the same);
    `mapping` overrides detection entirely; `payee_column` names the payee column of a
    CSV or Excel file whose payee detection missed, `columns` the column of any role
    (`{"original_amount": "Foreign amount"}`). Raises ImportFileError for files that cannot
    be imported at all; for a CSV, the error's `parsed` holds the guessed mapping.
    """
    if not data.strip():
        raise ImportFileError("the file is empty")
    if len(data) > max_mb * 1024 * 1024:
        raise ImportFileError(f"the file is larger than the limit of {max_mb} MB")
    suffix = Path(filename).suffix.lower()
    if payee_column:
        columns = {"payee": payee_column, **(columns or {})}
    if xlsx_format.looks_like_xlsx(data):
        parsed = _read_csv(
            xlsx_format.to_csv_text(data), "xlsx", currency, profile, mapping, columns
        )
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
            parsed = _read_csv(text, encoding, currency, profile, mapping, columns)
    if columns and parsed.mapping is None:
        raise ImportFileError("columns can be named for CSV and Excel files only")
    _refuse_unbookable(parsed)
    if not parsed.rows and not parsed.errors:
        raise ImportFileError("the file holds no transactions")
    return parsed


def _refuse_unbookable(parsed: ParsedFile) -> None:
    """A row the forms would refuse becomes an error on its line instead of a transaction:
    one dated outside the window fintrack keeps (a typo'd year) or one of zero amount."""
    kept = []
    for row in parsed.rows:
        try:
            periods.check_date(row.date)
        except ValueError as error:
            parsed.errors.append(RowError(row.line, str(error)))
        else:
            if row.amount == 0:
                parsed.errors.append(RowError(row.line, "the amount is zero"))
            else:
                kept.append(row)
    parsed.rows = kept
    parsed.errors.sort(key=lambda error: error.line)


def _read_csv(
    text: str,
    encoding: str,
    currency: str,
    profile: dict[str, Any] | None,
    mapping: CsvMapping | None,
    columns: dict[str, str] | None = None,
) -> ParsedFile:
    """A CSV text (or an Excel sheet turned into one; its `encoding` is "xlsx")."""
    doubts: list[str] = []
    if mapping is None and profile:
        mapping = csv_detect.from_profile(profile, text, encoding)
    if mapping is None:
        mapping, doubts = csv_detect.detect(text, encoding, currency)
    else:
        mapping.encoding = encoding
    for role, name in (columns or {}).items():
        mapping = csv_format.use_column(mapping, role, name)
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
            f"{words.count(len(the_plan.errors), 'row')} cannot be read ({first}); "
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
    "original_amount",
    "original_currency",
)


def _insert(
    session: Session,
    account_id: int,
    batch_id: int,
    now: dt.datetime,
    new: list[PlannedRow],
    progress: Progress | None,
) -> None:
    """Bulk insert in the session's transaction (see `fintrack.bulk`)."""
    records = [
        (
            account_id,
            p.row.date,
            p.row.amount,
            p.payee[:255],
            p.payee_key,
            p.category_id,
            p.row.memo,
            True,
            False,
            p.row.external_id,
            p.key,
            batch_id,
            now,
            now,
            p.row.original_amount,
            p.row.original_currency,
        )
        for p in new
    ]
    total = len(records)
    bulk.write(
        session,
        table_of(Transaction),
        INSERT_COLUMNS,
        records,
        progress and (lambda done: progress(done, total)),
    )


def _claim_matches(
    session: Session, batch_id: int, now: dt.datetime, matched: list[PlannedRow]
) -> None:
    """Hand-typed transactions the bank confirmed take the bank's id, so re-imports skip them."""
    if not matched:
        return
    table = table_of(Transaction)
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
        [
            {"row_id": p.match.id, "external_id": p.row.external_id, "key": p.key}
            for p in matched
            if p.match is not None
        ],
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
    columns: dict[str, str] | None = None,
    max_mb: int = 20,
) -> Summary:
    """The command line's import: read the file, create the account if missing, commit.

    A CSV whose payees cannot be found is refused unless `payee_column` names the column
    (`columns` names those of other roles); possible duplicates are left out (and counted)
    unless `keep_possible`.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None
    existing = _named(session, account_name)
    profile = csv_profile(session, existing.id) if existing else None
    file_currency = existing.currency if existing else currency
    parsed = read(
        data,
        path.name,
        file_currency,
        profile=profile,
        payee_column=payee_column,
        columns=columns,
        max_mb=max_mb,
    )
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
