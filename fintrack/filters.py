"""What the transaction list is narrowed to, and its URL form (`/transactions?...`).

The URL is a contract: a bookmarked address keeps finding the same rows, and no address can
make a page fail (values that cannot be read are ignored).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fintrack import money, periods

SORTS = ("date", "amount", "payee")
PAGE_SIZES = (25, 50, 100, 250)
# URL parameters past these limits are ignored: ids are 32-bit, and an id or a page beyond
# them would overflow the database's integers instead of finding nothing.
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000
MAX_PARAM_LENGTH = 500


def whole_number(text: str, maximum: int) -> int | None:
    """A whole number from 1 to `maximum` written in ASCII digits (not `²` or `٣`), else None."""
    text = text.strip()
    if not text or len(text) > len(str(maximum)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= maximum else None


def page_number(text: str) -> int:
    """The page a URL asks for; 1 when it asks for none or for something unreadable."""
    return whole_number(text, MAX_PAGE) or 1


def page_size(text: str, default: int) -> int:
    """The page size a URL asks for when it is one of PAGE_SIZES, else `default`."""
    size = whole_number(text, max(PAGE_SIZES))
    return size if size in PAGE_SIZES else default


def _without_nul(text: str) -> str:
    # PostgreSQL refuses NUL in text; nobody means one.
    return text.replace("\x00", "")


@dataclass
class TransactionFilters:
    """What the transaction list is narrowed to (the `/transactions` URL parameters)."""

    start: dt.date | None = None
    end: dt.date | None = None
    account_ids: list[int] = field(default_factory=list)
    category_id: int | None = None
    tag: str | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    uncategorized: bool = False
    text: str = ""
    period: str | None = None

    def __post_init__(self) -> None:
        self.text = _without_nul(self.text)
        self.tag = _without_nul(self.tag) if self.tag else self.tag

    @classmethod
    def from_query_params(
        cls, params: Mapping[str, Any], today: dt.date | None = None
    ) -> TransactionFilters:
        """Filters from URL parameters; values that cannot be read are ignored, so no address
        can make a page fail: ids and numbers in ASCII digits within range, text without NUL
        and at most MAX_PARAM_LENGTH characters."""

        def get(name: str) -> str:
            value = params.get(name)
            text = _without_nul(str(value)).strip() if value is not None else ""
            return text[:MAX_PARAM_LENGTH]

        filters = cls(
            text=get("q"), tag=get("tag") or None, uncategorized=get("uncategorized") == "1"
        )
        if get("period") in periods.PRESETS:
            filters.period = get("period")
            span = periods.preset(filters.period, today)
            filters.start, filters.end = span.start, span.end
        for name in ("start", "end"):
            if get(name):
                try:
                    setattr(filters, name, periods.parse_date(get(name)))
                    filters.period = None
                except ValueError:
                    pass
        accounts = (whole_number(p, MAX_ID) for p in get("account").split(","))
        filters.account_ids = [i for i in accounts if i is not None]
        filters.category_id = whole_number(get("category"), MAX_ID)
        for name, attr in (("min", "amount_min"), ("max", "amount_max")):
            if get(name):
                with contextlib.suppress(money.MoneyError):  # it also refuses oversize amounts
                    setattr(filters, attr, abs(money.parse_amount(get(name), "EUR")))
        return filters

    def to_query_params(self) -> dict[str, str]:
        """The URL parameters that give these filters back (empty ones left out)."""
        params: dict[str, str] = {}
        if self.text.strip():
            params["q"] = self.text.strip()
        if self.period:
            params["period"] = self.period
        else:
            if self.start:
                params["start"] = self.start.isoformat()
            if self.end:
                params["end"] = self.end.isoformat()
        if self.account_ids:
            params["account"] = ",".join(str(i) for i in self.account_ids)
        if self.category_id is not None:
            params["category"] = str(self.category_id)
        if self.tag:
            params["tag"] = self.tag
        if self.uncategorized:
            params["uncategorized"] = "1"
        if self.amount_min is not None:
            params["min"] = money.format_plain(self.amount_min, "EUR")
        if self.amount_max is not None:
            params["max"] = money.format_plain(self.amount_max, "EUR")
        return params
