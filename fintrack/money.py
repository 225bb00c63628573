"""Exact money: integer minor units inside, `Decimal` only at the edges (parsing, formatting)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# ISO 4217 currencies whose minor unit is not 2 digits; every other code uses cents.
MINOR_DIGITS = {
    "BHD": 3,
    "CLP": 0,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
    "UGX": 0,
    "VND": 0,
}
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "INR": "₹"}
_CURRENCY_NOISE = re.compile(r"[€$£¥₹]|\b[A-Z]{3}\b|\s*(?:CHF|kr|zł)\s*", re.IGNORECASE)


class MoneyError(ValueError):
    """An amount that cannot be read; the message says why, for the person who typed it."""


def minor_digits(currency: str) -> int:
    """Number of decimal digits of the currency's minor unit (2 for EUR, 0 for JPY)."""
    return MINOR_DIGITS.get(currency.upper(), 2)


def to_minor(value: Decimal, currency: str = "EUR") -> int:
    """A Decimal amount in major units as integer minor units; refuses fractions of a cent."""
    scaled = value.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{value} has more decimals than {currency} allows")
    return int(scaled)


def to_decimal(minor: int, currency: str = "EUR") -> Decimal:
    """Integer minor units as an exact Decimal in major units."""
    digits = minor_digits(currency)
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def _normalise_separators(text: str, decimal_sep: str | None = None) -> str:
    """Turn `1.234,56`, `1,234.56`, `1 234,56` or `1'234.56` into `1234.56`."""
    text = re.sub(r"[\s\u00a0\u202f']", "", text)
    if decimal_sep:
        thousands = "," if decimal_sep == "." else "."
        head, _, tail = text.partition(decimal_sep)
        if decimal_sep in tail or (thousands in head and not _valid_grouping(head, thousands)):
            raise MoneyError("the separators do not make sense")
        if thousands in tail:
            raise MoneyError("the separators do not make sense")
        return head.replace(thousands, "") + ("." + tail if tail else "")
    has_dot, has_comma = "." in text, "," in text
    if has_dot and has_comma:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal_sep == "." else "."
        parts = text.split(decimal_sep)
        if len(parts) != 2 or not _valid_grouping(parts[0], thousands):
            raise MoneyError("the thousands and decimal separators do not make sense")
        return parts[0].replace(thousands, "") + "." + parts[1]
    for sep in (",", "."):
        if text.count(sep) > 1:
            if not _valid_grouping(text, sep):
                raise MoneyError("the separators do not make sense")
            return text.replace(sep, "")
        if text.count(sep) == 1:
            head, tail = text.split(sep)
            # "1,234" reads as thousands when exactly three digits follow; "12,5" as decimals.
            if sep == "," and len(tail) == 3 and head.lstrip("-+") not in ("", "0"):
                return head + tail
            return head + "." + tail
    return text


def _valid_grouping(number: str, sep: str) -> bool:
    groups = number.lstrip("-+").split(sep)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def parse_amount(text: str, currency: str = "EUR", decimal_sep: str | None = None) -> int:
    """Parse a typed or exported amount into integer minor units.

    Accepts `1,234.56`, `1.234,56`, `1 234,56`, `-12.00`, `(12.00)`, `12.00-`, `+5` and
    currency symbols or codes. `decimal_sep` ("." or ",") settles `1,234` when the caller
    knows the file's convention. Raises MoneyError with a readable reason otherwise.
    """
    original = text
    text = text.strip()
    if not text:
        raise MoneyError("the amount is empty")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    text = _CURRENCY_NOISE.sub("", text).strip()
    if text.endswith("-"):
        negative, text = not negative, text[:-1].strip()
    elif text.endswith("+"):
        text = text[:-1].strip()
    if text.startswith("-"):
        negative, text = not negative, text[1:].strip()
    elif text.startswith("+"):
        text = text[1:].strip()
    if not re.fullmatch(r"[\d.,\s\u00a0\u202f']+", text) or not re.search(r"\d", text):
        raise MoneyError(f'"{original.strip()}" is not an amount')
    try:
        number = Decimal(_normalise_separators(text, decimal_sep))
    except MoneyError as error:
        raise MoneyError(f'"{original.strip()}" is not an amount: {error}') from None
    except InvalidOperation:
        raise MoneyError(f'"{original.strip()}" is not an amount') from None
    try:
        minor = to_minor(number, currency)
    except MoneyError as error:
        raise MoneyError(f'"{original.strip()}": {error}') from None
    return -minor if negative else minor


def format_amount(minor: int, currency: str = "EUR", *, symbol: bool = True) -> str:
    """`-123456` in EUR as `-€1,234.56`: one display format for the whole app."""
    value = to_decimal(abs(minor), currency)
    digits = minor_digits(currency)
    body = f"{value:,.{digits}f}"
    prefix = SYMBOLS.get(currency.upper(), currency.upper() + " ") if symbol else ""
    return f"{'-' if minor < 0 else ''}{prefix}{body}"


def format_plain(minor: int, currency: str = "EUR") -> str:
    """A plain decimal with a dot and no grouping (`-1234.56`), for CSV and JSON."""
    return str(to_decimal(minor, currency))
