"""Planning an import: what each row read from a file becomes in the account.

Exact duplicates (same bank id or import key), possible duplicates (the same amount
within a few days, whatever the payee or source), matches with hand-typed transactions,
categories from rules and history, and the person's edits from the preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from fintrack import payees, rules
from fintrack.imports import dedupe
from fintrack.imports.model import Balance, ImportFileError, ParsedFile, ParsedRow, RowError
from fintrack.models import Account

NO_RULE = rules.Outcome()


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


def account_row(session: Session, account_id: int) -> Account:
    """The account being imported into; a clear error when it was deleted meanwhile."""
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
    account = account_row(session, account_id)
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
    for index, (row, row_key, norm) in enumerate(zip(rows, keys, norms, strict=True)):
        if planned[index] is not None:
            continue
        plan_key = None if row.external_id else row_key
        if row.line in choices.excluded:
            planned[index] = PlannedRow(row, "excluded", "left out", plan_key)
            continue
        match = None if row.line in choices.as_new else matcher.take(row)
        if match is not None:
            reason = (
                f"matches {match.date.isoformat()} {match.payee or '(no payee)'} entered by hand"
            )
            planned[index] = PlannedRow(row, "match", reason, plan_key, match, match.payee)
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
            plan_key,
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
    usual = payees.usual_categories(session, {p.payee_key for p in waiting})
    for p in waiting:
        p.category_id = usual.get(p.payee_key)
