"""The search language: `grocer payee:aldi amount:>50 is:expense -tag:work`, parsed into terms.

Reading only: `search` turns the terms into SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fintrack import money, periods
from fintrack.errors import FieldError

FIELDS = ("payee", "category", "account", "amount", "after", "before", "tag", "is")
# `is:` values: which way the money moves, and whether the bank has confirmed it.
STATES = ("expense", "income", "uncleared", "cleared")
# Longest first, so ">=" is not read as ">" followed by "=".
_OPERATORS = ((">=", False, False), ("<=", False, False), (">", True, False), ("<", False, True))
# Amount bounds are kept in hundredths of the major unit and scaled per currency in SQL.
BOUND_DIGITS = 2


class QueryError(FieldError):
    """A search text that cannot be read; the message says which part and why."""

    FIELD = "text"


@dataclass(frozen=True)
class AmountRange:
    """Sizes from `low` to `high` in hundredths (None = open); `*_open` excludes the bound."""

    low: int | None = None
    high: int | None = None
    low_open: bool = False
    high_open: bool = False

    def __str__(self) -> str:
        def fmt(value: int) -> str:
            return money.format_plain(value, "EUR")

        if self.low is not None and self.high is not None:
            if self.low == self.high:
                return fmt(self.low)
            return f"{fmt(self.low)}..{fmt(self.high)}"
        if self.low is not None:
            return (">" if self.low_open else ">=") + fmt(self.low)
        return ("<" if self.high_open else "<=") + fmt(self.high or 0)


Value = str | dt.date | AmountRange


@dataclass(frozen=True)
class Term:
    """One search term: `field` is "text" for bare words; several values mean any of them."""

    field: str
    values: tuple[Value, ...]
    negated: bool = False

    def __str__(self) -> str:
        values = ",".join(_render_value(v) for v in self.values)
        head = "" if self.field == "text" else f"{self.field}:"
        return f"{'-' if self.negated else ''}{head}{values}"


@dataclass(frozen=True)
class Query:
    """Terms that must all hold."""

    terms: tuple[Term, ...] = ()

    def __str__(self) -> str:
        return " ".join(str(term) for term in self.terms)


def _render_value(value: Value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, AmountRange):
        return str(value)
    if value == "" or any(c.isspace() or c in ',:"' for c in value) or value[0] == "-":
        return f'"{value}"'
    return value


def _tokens(text: str) -> list[list[tuple[str, bool]]]:
    """Split on whitespace outside double quotes; each char carries whether it was quoted."""
    tokens: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] | None = None
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
            current = current if current is not None else []
        elif char.isspace() and not quoted:
            if current is not None:
                tokens.append(current)
            current = None
        else:
            current = current if current is not None else []
            current.append((char, quoted))
    if quoted:
        raise QueryError("A quote is not closed.")
    if current is not None:
        tokens.append(current)
    return tokens


def _split(chars: list[tuple[str, bool]], separator: str) -> list[list[tuple[str, bool]]]:
    parts: list[list[tuple[str, bool]]] = [[]]
    for char, quoted in chars:
        if char == separator and not quoted:
            parts.append([])
        else:
            parts[-1].append((char, quoted))
    return parts


def _text(chars: list[tuple[str, bool]]) -> str:
    return "".join(char for char, _ in chars)


def _amount_number(text: str, term: str) -> int:
    """A size; a sign is refused because `amount:` compares sizes (use `is:` for direction)."""
    try:
        value = money.parse_amount(text, "EUR")
    except money.MoneyError:
        raise QueryError(f'"{term}": "{text}" is not an amount.') from None
    if value < 0 or text.strip().startswith(("-", "(")):
        raise QueryError(
            f'"{term}": amounts are sizes without a sign; add is:expense or is:income '
            "for the direction."
        )
    return value


def _amount(text: str, term: str) -> AmountRange:
    for op, low_open, high_open in _OPERATORS:
        if text.startswith(op):
            value = _amount_number(text[len(op) :], term)
            if op.startswith(">"):
                return AmountRange(low=value, low_open=low_open)
            return AmountRange(high=value, high_open=high_open)
    if ".." in text:
        low_text, _, high_text = text.partition("..")
        low, high = _amount_number(low_text, term), _amount_number(high_text, term)
        if low > high:
            raise QueryError(f'"{term}": put the smaller amount first.')
        return AmountRange(low=low, high=high)
    value = _amount_number(text, term)
    return AmountRange(low=value, high=value)


def _date(text: str, term: str) -> dt.date:
    try:
        return periods.parse_date(text)
    except ValueError as error:
        raise QueryError(f'"{term}": {error}.') from None


def _term(chars: list[tuple[str, bool]]) -> Term | None:
    negated = len(chars) > 1 and chars[0] == ("-", False)
    if negated:
        chars = chars[1:]
    raw = _text(chars)
    head, *rest = _split(chars, ":")
    name = _text(head).lower()
    # Only a filter's name before a colon makes a filter: `12:30` or `re:invoice` is text.
    if rest and name in FIELDS and not any(quoted for _, quoted in head):
        body = [c for part in rest for c in (*part, (":", False))][:-1]
        parts = [_text(part) for part in _split(body, ",")]
        if any(not part.strip() for part in parts):
            raise QueryError(f'"{raw}": {name}: needs a value.')
        if name == "amount":
            values: tuple[Value, ...] = tuple(_amount(p.strip(), raw) for p in parts)
        elif name in ("after", "before"):
            values = tuple(_date(p, raw) for p in parts)
        elif name == "is":
            values = tuple(p.strip().lower() for p in parts)
            unknown = [v for v in values if v not in STATES]
            if unknown:
                raise QueryError(f'"{raw}": use is:{", is:".join(STATES)}.')
        else:
            values = tuple(parts)
        return Term(name, tuple(dict.fromkeys(values)), negated)
    words = tuple(dict.fromkeys(w for w in (_text(p) for p in _split(chars, ",")) if w))
    return Term("text", words, negated) if words else None


def parse_query(text: str) -> Query:
    """Read a search text: words ANDed (payee, notes or category path), `field:value`, `-`
    negates, `,` is OR. A word before a colon that names no field is text (`12:30`).

    Fields: payee, category (name, with sub-categories), account, amount (sizes: `>50`,
    `<10`, `10..20`, `12.50`), after and before (ISO dates, both included), tag, is
    (`expense`, `income`, `uncleared`, `cleared`). Values with spaces go in double quotes.
    Raises QueryError with a readable message.
    """
    terms = (_term(token) for token in _tokens(text))
    return Query(tuple(term for term in terms if term is not None))
