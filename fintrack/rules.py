"""Categorization rules: conditions on payee, amount and account; actions on transactions.

Rules run in priority order (lower number first). The first matching rule that sets a
category or renames the payee decides that; tags from every matching rule are added.
Imports run rules first; rows no rule matches get the payee's most used category.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import regex
from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from fintrack import bulk_edits, payees, transactions
from fintrack.errors import InputError
from fintrack.flows import not_transfer
from fintrack.models import Account, Category, Rule, Tag, Transaction, TransactionTag, table_of

NAME_MAX = 120
TEXT_MAX = 255
CHUNK = 5000
# A transaction a rule may change: (id, date, account_id, payee, amount, category_id).
Candidate = Row[int, dt.date, int, str, int, int | None]
# A pattern may backtrack for ages on a crafted payee: each use of a rule (a preview, an
# import, applying it) may spend this long in it in all, on at most PAYEE_MAX characters.
REGEX_BUDGET_SECONDS = 1.0


class RuleError(InputError):
    """A rule that cannot be saved; `field` names the input at fault."""


@dataclass
class RuleInput:
    """A rule as the screen edits it; amounts in minor units, tags as a list of names."""

    name: str
    priority: int = 100
    enabled: bool = True
    payee_contains: str | None = None
    payee_regex: str | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    account_id: int | None = None
    set_category_id: int | None = None
    add_tags: list[str] = field(default_factory=list)
    rename_payee: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Outcome:
    """What the rules do to one transaction: None / empty means no change."""

    category_id: int | None = None
    payee: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    """One existing transaction a rule would change, for the rule's test view."""

    id: int
    date: dt.date
    account: str
    currency: str
    payee: str
    amount: int
    category: str | None
    new_category: str | None
    new_payee: str | None
    new_tags: tuple[str, ...]


@dataclass(frozen=True)
class RulePreview:
    """How many transactions a rule would change, and the first of them."""

    total: int
    changes: list[Change]


class CompiledRule:
    """A rule ready to test many rows quickly."""

    def __init__(self, data: RuleInput) -> None:
        self.data = data
        self.contains = (data.payee_contains or "").strip().casefold() or None
        self.regex = regex.compile(data.payee_regex, regex.IGNORECASE) if data.payee_regex else None
        self.tags = tuple(transactions.clean_tags(data.add_tags))
        self.budget = REGEX_BUDGET_SECONDS

    def matches(self, payee: str, amount: int, account_id: int) -> bool:
        """Whether every condition of the rule holds for the transaction."""
        d = self.data
        if d.account_id is not None and d.account_id != account_id:
            return False
        if d.amount_min is not None and amount < d.amount_min:
            return False
        if d.amount_max is not None and amount > d.amount_max:
            return False
        if self.contains is not None and self.contains not in payee.casefold():
            return False
        return self.regex is None or self._search(self.regex, payee[: transactions.PAYEE_MAX])

    def _search(self, pattern: regex.Pattern[str], payee: str) -> bool:
        started = time.monotonic()
        try:
            return pattern.search(payee, timeout=max(self.budget, 0.001)) is not None
        except TimeoutError:
            raise RuleError(
                "payee_regex",
                f"The pattern of “{self.data.name}” takes too long to test; make it simpler.",
            ) from None
        finally:
            self.budget -= time.monotonic() - started


def _tags_text(names: Iterable[str]) -> str | None:
    return ", ".join(transactions.clean_tags(names)) or None


def _tags_list(text: str | None) -> list[str]:
    return transactions.clean_tags((text or "").split(","))


def _to_input(rule: Rule) -> RuleInput:
    return RuleInput(
        name=rule.name,
        priority=rule.priority,
        enabled=rule.enabled,
        payee_contains=rule.payee_contains,
        payee_regex=rule.payee_regex,
        amount_min=rule.amount_min,
        amount_max=rule.amount_max,
        account_id=rule.account_id,
        set_category_id=rule.set_category_id,
        add_tags=_tags_list(rule.add_tags),
        rename_payee=rule.rename_payee,
        id=rule.id,
    )


def regex_problem(pattern: str | None) -> str | None:
    """Why a payee pattern is not a valid regular expression, or None."""
    if not pattern:
        return None
    try:
        regex.compile(pattern)
    except regex.error as error:
        return f"Not a valid pattern: {error}."
    return None


def validate(session: Session, data: RuleInput) -> None:
    """Raise RuleError naming the first field that is wrong."""
    if not data.name.strip():
        raise RuleError("name", "Give the rule a name.")
    if len(data.name.strip()) > NAME_MAX:
        raise RuleError("name", f"A name has at most {NAME_MAX} characters.")
    for name in ("payee_contains", "payee_regex", "rename_payee"):
        if len(getattr(data, name) or "") > TEXT_MAX:
            raise RuleError(name, f"At most {TEXT_MAX} characters.")
    problem = regex_problem(data.payee_regex)
    if problem:
        raise RuleError("payee_regex", problem)
    if (
        data.amount_min is not None
        and data.amount_max is not None
        and data.amount_min > data.amount_max
    ):
        raise RuleError("amount_max", "The maximum is below the minimum.")
    if not (data.payee_contains or data.payee_regex) and (
        data.amount_min is None and data.amount_max is None and data.account_id is None
    ):
        raise RuleError("payee_contains", "Give at least one condition.")
    if not (data.set_category_id or data.add_tags or (data.rename_payee or "").strip()):
        raise RuleError("set_category_id", "Choose at least one action.")
    if data.set_category_id is not None and session.get(Category, data.set_category_id) is None:
        raise RuleError("set_category_id", "That category no longer exists.")
    if data.account_id is not None and session.get(Account, data.account_id) is None:
        raise RuleError("account_id", "That account no longer exists.")
    if len(_tags_text(data.add_tags) or "") > TEXT_MAX:
        raise RuleError("add_tags", f"At most {TEXT_MAX} characters of tags.")


def list_rules(session: Session) -> list[RuleInput]:
    """Every rule in the order they run."""
    rows = session.scalars(select(Rule).order_by(Rule.priority, Rule.id))
    return [_to_input(rule) for rule in rows]


def get_rule(session: Session, rule_id: int) -> RuleInput:
    """One rule; RuleError when it is gone."""
    rule = session.get(Rule, rule_id)
    if rule is None:
        raise RuleError("id", "That rule no longer exists.")
    return _to_input(rule)


def save_rule(session: Session, data: RuleInput) -> int:
    """Create (no id) or update a rule after validating it; returns its id."""
    validate(session, data)
    rule = Rule() if data.id is None else session.get(Rule, data.id)
    if rule is None:
        raise RuleError("id", "That rule no longer exists.")
    rule.name = data.name.strip()
    rule.priority = data.priority
    rule.enabled = data.enabled
    rule.payee_contains = (data.payee_contains or "").strip() or None
    rule.payee_regex = data.payee_regex or None
    rule.amount_min = data.amount_min
    rule.amount_max = data.amount_max
    rule.account_id = data.account_id
    rule.set_category_id = data.set_category_id
    rule.add_tags = _tags_text(data.add_tags)
    rule.rename_payee = (data.rename_payee or "").strip() or None
    session.add(rule)
    session.flush()
    return rule.id


def delete_rule(session: Session, rule_id: int) -> None:
    """Remove a rule (transactions it changed keep their changes)."""
    rule = session.get(Rule, rule_id)
    if rule is not None:
        session.delete(rule)
        session.flush()


def compile_rules(session: Session) -> list[CompiledRule]:
    """The enabled rules, in the order they run."""
    return [CompiledRule(r) for r in list_rules(session) if r.enabled]


def outcome(rules: Iterable[CompiledRule], payee: str, amount: int, account_id: int) -> Outcome:
    """What the rules do to one transaction."""
    category_id = new_payee = None
    tags: dict[str, str] = {}
    for rule in rules:
        if not rule.matches(payee, amount, account_id):
            continue
        if category_id is None and rule.data.set_category_id:
            category_id = rule.data.set_category_id
        if new_payee is None and rule.data.rename_payee:
            new_payee = rule.data.rename_payee
        for tag in rule.tags:
            tags.setdefault(tag.casefold(), tag)
    return Outcome(category_id, new_payee, tuple(tags.values()))


def _candidates(session: Session, data: RuleInput) -> Iterator[Candidate]:
    """Plain transactions the rule's SQL-checkable conditions let through, newest first."""
    query = (
        select(
            Transaction.id,
            Transaction.date,
            Transaction.account_id,
            Transaction.payee,
            Transaction.amount,
            Transaction.category_id,
        )
        .where(not_transfer(), Transaction.is_split.is_(False))
        .order_by(Transaction.date.desc(), Transaction.id.desc())
    )
    if data.account_id is not None:
        query = query.where(Transaction.account_id == data.account_id)
    if data.amount_min is not None:
        query = query.where(Transaction.amount >= data.amount_min)
    if data.amount_max is not None:
        query = query.where(Transaction.amount <= data.amount_max)
    needle = (data.payee_contains or "").strip().lower()
    if needle:
        query = query.where(func.lower(Transaction.payee).contains(needle, autoescape=True))
    yield from session.execute(query.execution_options(yield_per=2000))


def _tag_names_of(session: Session, ids: list[int]) -> dict[int, set[str]]:
    names: dict[int, set[str]] = {}
    query = (
        select(TransactionTag.transaction_id, Tag.name)
        .join(Tag, Tag.id == TransactionTag.tag_id)
        .where(TransactionTag.transaction_id.in_(ids))
    )
    for transaction_id, name in session.execute(query):
        names.setdefault(transaction_id, set()).add(name.casefold())
    return names


def _changes(
    session: Session, data: RuleInput
) -> Iterator[tuple[Candidate, Outcome, tuple[str, ...]]]:
    """(row, what the rule sets, tags it adds) for each transaction it would change."""
    rule = CompiledRule(data)
    batch: list[Candidate] = []

    def flush() -> Iterator[tuple[Candidate, Outcome, tuple[str, ...]]]:
        tags_of = _tag_names_of(session, [r[0] for r in batch]) if rule.tags else {}
        for row in batch:
            result = outcome([rule], row.payee, row.amount, row.account_id)
            new_tags = tuple(t for t in result.tags if t.casefold() not in tags_of.get(row[0], ()))
            if (
                (result.category_id and result.category_id != row.category_id)
                or (result.payee and result.payee != row.payee)
                or new_tags
            ):
                yield row, result, new_tags
        batch.clear()

    for row in _candidates(session, data):
        if rule.matches(row.payee, row.amount, row.account_id):
            batch.append(row)
            if len(batch) >= 1000:
                yield from flush()
    yield from flush()


def preview_rule(
    session: Session, data: RuleInput, limit: int = 50, offset: int = 0
) -> RulePreview:
    """Which existing transactions the rule would change (newest first), without changing them."""
    problem = regex_problem(data.payee_regex)
    if problem:
        raise RuleError("payee_regex", problem)
    names = dict(session.execute(select(Category.id, Category.name)).all())
    accounts = {a.id: a for a in session.scalars(select(Account))}
    total, shown = 0, []
    for row, result, new_tags in _changes(session, data):
        if offset <= total < offset + limit:
            account = accounts[row.account_id]
            shown.append(
                Change(
                    row.id,
                    row.date,
                    account.name,
                    account.currency,
                    row.payee,
                    row.amount,
                    names.get(row.category_id),
                    names.get(result.category_id) if result.category_id else None,
                    result.payee if result.payee != row.payee else None,
                    new_tags,
                )
            )
        total += 1
    return RulePreview(total, shown)


def apply_rule(session: Session, data: RuleInput) -> int:
    """Change the existing transactions the rule matches; returns how many changed."""
    validate(session, data)
    by_category: dict[int, list[int]] = {}
    renamed: list[dict[str, Any]] = []
    by_tag: dict[str, list[int]] = {}
    changed = 0
    for row, result, new_tags in _changes(session, data):
        changed += 1
        if result.category_id and result.category_id != row.category_id:
            by_category.setdefault(result.category_id, []).append(row.id)
        if result.payee and result.payee != row.payee:
            renamed.append({"row_id": row.id, "payee": result.payee})
        for tag in new_tags:
            by_tag.setdefault(tag, []).append(row.id)
    for category_id, ids in by_category.items():
        for start in range(0, len(ids), CHUNK):
            bulk_edits.set_category(session, ids[start : start + CHUNK], category_id)
    if renamed:
        rename_payees(session, renamed)
    for tag, ids in by_tag.items():
        add_tag(session, ids, tag)
    return changed


def rename_payees(session: Session, renamed: list[dict[str, Any]]) -> None:
    """Set payee (and its key) on many rows: dicts of `row_id` and `payee`."""
    table = table_of(Transaction)
    statement = (
        table.update()
        .where(table.c.id == bindparam("row_id"))
        .values(payee=bindparam("payee"), payee_norm=bindparam("payee_norm"))
    )
    session.execute(statement, [{**r, "payee_norm": payees.normalize(r["payee"])} for r in renamed])
    session.expire_all()


def add_tag(session: Session, ids: list[int], tag: str) -> None:
    """Tag many transactions, in chunks the database accepts."""
    for start in range(0, len(ids), CHUNK):
        bulk_edits.add_tag(session, ids[start : start + CHUNK], tag)
