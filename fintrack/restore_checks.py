"""The rules a restored row must follow: the same ones the forms apply to what a person types.

A backup is a file anybody can edit. Restoring one must not break the books, so each row goes
through the validators of its capability (names, lengths, amounts, dates, tags, patterns),
and the category tree must be a tree (no cycles, at most `categories.MAX_DEPTH` levels).
A problem raises RowProblem with the rule; the restore names the table and row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fintrack import categories, money, periods, rules, transactions
from fintrack.models import ACCOUNT_KINDS

# Tables a backup neither carries nor restores: the login throttle belongs to the database
# being restored into (a backup's attempts dated 2099 would lock the owner out for years).
NOT_BACKED_UP = ("login_attempts",)
OCCURRENCE_STATES = ("posted", "auto", "skipped")


class RowProblem(ValueError):
    """A restored value that breaks one of the app's rules; the message names the rule."""


@dataclass
class Context:
    """What later rows are checked against: accounts' currencies, the category tree."""

    currencies: dict[int, str] = field(default_factory=dict)
    parents: dict[int, int | None] = field(default_factory=dict)


def _name(value: Any, limit: int = 120) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RowProblem("a name cannot be empty")
    if len(value) > limit:
        raise RowProblem(f"a name has at most {limit} characters")


def _amount(value: Any, currency: str, *, zero: bool = True, negative: bool = True) -> None:
    if value is None:
        return
    try:
        money.check_bounds(value, currency)
    except money.MoneyError as error:
        raise RowProblem(str(error)) from None
    if not zero and value == 0:
        raise RowProblem("the amount is zero")
    if not negative and value < 0:
        raise RowProblem("the amount cannot be negative")


def _currency(row: dict[str, Any], context: Context) -> str:
    """The currency of the row's account (EUR when the account is unknown)."""
    account_id = row.get("account_id")
    return context.currencies.get(account_id, "EUR") if isinstance(account_id, int) else "EUR"


def _date(value: Any) -> None:
    if value is not None:
        periods.check_date(value)


def _tags(text: Any) -> None:
    if text:
        try:
            transactions.clean_tags(text.split(","))
        except transactions.LedgerError as error:
            raise RowProblem(error.message) from None


def _account(row: dict[str, Any], context: Context) -> None:
    _name(row.get("name"))
    if row.get("kind") not in ACCOUNT_KINDS:
        raise RowProblem(f"{row.get('kind')!r} is not a kind of account")
    currency = row.get("currency")
    if not isinstance(currency, str) or not money.is_currency(currency):
        raise RowProblem(f"{currency!r} is not an ISO 4217 currency code")
    _amount(row.get("opening_balance"), currency)
    _date(row.get("opening_date"))
    if row.get("import_profile") is not None and not isinstance(row["import_profile"], dict):
        raise RowProblem("an import profile is an object")
    context.currencies[row["id"]] = currency


def _category(row: dict[str, Any], context: Context) -> None:
    try:
        categories.clean_name(row.get("name") or "")
    except categories.CategoryError as error:
        raise RowProblem(error.message) from None
    context.parents[row["id"]] = row.get("parent_id")


def _tag(row: dict[str, Any], _: Context) -> None:
    _name(row.get("name"), transactions.TAG_MAX)


def _transaction(row: dict[str, Any], context: Context) -> None:
    _date(row.get("date"))
    _amount(row.get("amount"), _currency(row, context))


def _split(row: dict[str, Any], _: Context) -> None:
    # The parent's currency is not at hand here: the widest bound of any currency applies.
    _amount(row.get("amount"), "KWD")


def _rule(row: dict[str, Any], _: Context) -> None:
    _name(row.get("name"))
    problem = rules.regex_problem(row.get("payee_regex"))
    if problem:
        raise RowProblem(problem)
    _tags(row.get("add_tags"))
    for name in ("amount_min", "amount_max"):
        _amount(row.get(name), "KWD")


def _budget(row: dict[str, Any], _: Context) -> None:
    _amount(row.get("amount"), "KWD", negative=False)
    _date(row.get("month"))


def _schedule(row: dict[str, Any], context: Context) -> None:
    _name(row.get("name"))
    _amount(row.get("amount"), _currency(row, context), zero=False)
    for name in ("start_date", "end_date"):
        _date(row.get(name))
    day = row.get("day_of_month")
    if day is not None and not 1 <= day <= 31:
        raise RowProblem("the day of the month is from 1 to 31")
    lines = row.get("template_splits")
    if lines is not None and not (
        isinstance(lines, list) and all(_is_split_line(line) for line in lines)
    ):
        raise RowProblem("split lines are objects with a category_id, amount and memo")


def _is_split_line(line: Any) -> bool:
    return (
        isinstance(line, dict)
        and set(line) <= {"category_id", "amount", "memo"}
        and isinstance(line.get("amount"), int)
        and isinstance(line.get("category_id"), int | None)
        and isinstance(line.get("memo"), str | None)
    )


def _occurrence(row: dict[str, Any], _: Context) -> None:
    if row.get("status") not in OCCURRENCE_STATES:
        raise RowProblem(f"{row.get('status')!r} is not a state of a due date")
    _date(row.get("due_date"))


def _dark_mode(value: str) -> None:
    if value not in ("0", "1"):
        raise RowProblem("dark_mode is 0 or 1")


def _currency_code(value: str) -> None:
    if not money.is_currency(value):
        raise RowProblem(f"{value!r} is not an ISO 4217 currency code")


# The settings a backup carries, each with its check; other keys (sessions, second factor,
# rate housekeeping) belong to the database and are neither written nor restored.
SETTINGS: dict[str, Callable[[str], None]] = {
    "dark_mode": _dark_mode,
    "default_currency": _currency_code,
    "reporting_currency": _currency_code,
}

_CHECKS: dict[str, Callable[[dict[str, Any], Context], None]] = {
    "accounts": _account,
    "categories": _category,
    "tags": _tag,
    "transactions": _transaction,
    "splits": _split,
    "rules": _rule,
    "budgets": _budget,
    "recurring_schedules": _schedule,
    "recurring_occurrences": _occurrence,
}


def keep_row(table: str, row: dict[str, Any], context: Context) -> bool:
    """Check one row; False when the row is not restored (a setting fintrack does not know).

    Raises RowProblem with the rule it breaks.
    """
    if table == "app_state":
        check = SETTINGS.get(row.get("key") or "")
        if check is None:
            return False
        check(row.get("value") or "")
        return True
    check_row = _CHECKS.get(table)
    if check_row is not None:
        try:
            check_row(row, context)
        except ValueError as error:
            raise RowProblem(str(error)) from None
    return True


def check_tree(parents: dict[int, int | None]) -> None:
    """The categories form a tree: every chain of parents ends at the top within MAX_DEPTH
    levels. Iterative, so a chain of any length or a cycle is reported, never recursed into."""
    depth_of: dict[int, int] = {}
    for start in parents:
        chain: list[int] = []
        seen: set[int] = set()
        node: int | None = start
        while node is not None and node not in depth_of:
            if node in seen:
                raise RowProblem(f"category {node} is its own ancestor (a cycle)")
            seen.add(node)
            chain.append(node)
            if len(chain) > categories.MAX_DEPTH:
                raise RowProblem(
                    f"category {start} is more than {categories.MAX_DEPTH} levels deep"
                )
            node = parents.get(node)
        depth = depth_of.get(node, 0) if node is not None else 0
        for category_id in reversed(chain):
            depth += 1
            if depth > categories.MAX_DEPTH:
                raise RowProblem(
                    f"category {category_id} is more than {categories.MAX_DEPTH} levels deep"
                )
            depth_of[category_id] = depth
