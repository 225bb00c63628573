"""Exact money: integer minor units inside, `Decimal` only at the edges (parsing, formatting)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from fintrack import display
from fintrack.errors import FieldError

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
# Active ISO 4217 codes (funds and precious metals left out): an account's currency is one.
_ISO_4217 = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
    TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
CURRENCIES = frozenset(_ISO_4217.split())
# Largest size one amount may have, in major units: far above any real balance, far below
# what a BIGINT of minor units holds, so a typo of extra digits is refused instead of stored.
MAX_MAJOR = 10**12
# Which way money moves for the account: a person types a size and picks one of these.
OUT, IN = "out", "in"
DIRECTIONS = (OUT, IN)
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "INR": "₹"}
_CURRENCY_NOISE = re.compile(r"[€$£¥₹]|\b[A-Z]{3}\b|\s*(?:CHF|kr|zł)\s*", re.IGNORECASE)


class MoneyError(FieldError):
    """An amount that cannot be read; the message says why, for the person who typed it."""

    FIELD = "amount"


def minor_digits(currency: str) -> int:
    """Number of decimal digits of the currency's minor unit (2 for EUR, 0 for JPY)."""
    return MINOR_DIGITS.get(currency.upper(), 2)


def is_currency(code: str) -> bool:
    """Whether `code` is an active ISO 4217 currency code (upper case, as stored)."""
    return code in CURRENCIES


def check_currency(code: str, field: str = "currency") -> str:
    """`code` upper-cased when it is an active ISO 4217 code; MoneyError at `field` otherwise."""
    code = code.strip().upper()
    if not is_currency(code):
        raise MoneyError("Use a three-letter ISO 4217 code such as EUR or USD", field)
    return code


def max_minor(currency: str) -> int:
    """The largest size an amount may have in the currency's minor units."""
    return MAX_MAJOR * int(10 ** minor_digits(currency))


def check_bounds(minor: int, currency: str = "EUR") -> int:
    """`minor` when its size is within MAX_MAJOR major units; MoneyError otherwise.

    Imports and forms call this for every amount, so no typo of extra digits is stored.
    """
    if abs(minor) > max_minor(currency):
        raise MoneyError(f"amounts go up to {MAX_MAJOR:,} {currency.upper()}")
    return minor


def signed(size: int, direction: str) -> int:
    """The stored (signed) amount of a size a person typed and the direction they chose."""
    if direction not in DIRECTIONS:
        raise MoneyError("choose whether the money goes out or comes in")
    return -abs(size) if direction == OUT else abs(size)


def direction_of(minor: int) -> str:
    """The direction a stored amount moves: OUT when negative, else IN."""
    return OUT if minor < 0 else IN


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


def _normalise_separators(text: str, decimal_sep: str | None, currency: str) -> str:
    """Turn `1.234,56`, `1,234.56`, `1 234,56` or `1'234.56` into `1234.56`.

    Without `decimal_sep`, one separator followed by exactly three digits (`1.500`) can be a
    thousands or a decimal separator; when both readings fit the currency it is refused.
    """
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
            if len(tail) == 3 and head.lstrip("-+") not in ("", "0"):
                if tail[minor_digits(currency) :].strip("0"):
                    return head + tail  # as decimals it would not fit the currency
                decimals = f"{head}.{tail.rstrip('0')}".rstrip(".")
                raise MoneyError(
                    f"it could mean {head}{tail} or {decimals}; write it without "
                    "the thousands separator"
                )
            return head + "." + tail
    return text


def _valid_grouping(number: str, sep: str) -> bool:
    groups = number.lstrip("-+").split(sep)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def parse_amount(text: str, currency: str = "EUR", decimal_sep: str | None = None) -> int:
    """Parse a typed or exported amount into integer minor units.

    Accepts `1,234.56`, `1.234,56`, `1 234,56`, `-12.00`, `(12.00)`, `12.00-`, `+5` and
    currency symbols or codes. `decimal_sep` ("." for 1,234.56, "," for 1.234,56) settles `1.500`
    when the caller knows the convention; without it an amount that reads two ways is
    refused. Sizes above MAX_MAJOR are refused. Raises MoneyError with a readable reason.
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
        number = Decimal(_normalise_separators(text, decimal_sep, currency))
    except MoneyError as error:
        raise MoneyError(f'"{original.strip()}" is not an amount: {error}') from None
    except InvalidOperation:
        raise MoneyError(f'"{original.strip()}" is not an amount') from None
    try:
        minor = check_bounds(to_minor(number, currency), currency)
    except MoneyError as error:
        raise MoneyError(f'"{original.strip()}": {error}') from None
    return -minor if negative else minor


def parse_size(text: str, currency: str = "EUR", decimal_sep: str | None = None) -> int:
    """A size a person types next to a direction choice: positive, not zero, no sign.

    Every form that takes money uses this and `signed`, so nobody has to know the sign
    convention of the books.
    """
    minor = parse_amount(text, currency, decimal_sep)
    stripped = text.strip()
    if minor < 0 or stripped.startswith(("-", "(")) or stripped.endswith("-"):
        raise MoneyError("type the amount without a sign and choose its direction")
    if minor == 0:
        raise MoneyError("the amount is zero")
    return minor


def format_amount(minor: int, currency: str = "EUR", *, symbol: bool = True) -> str:
    """`-123456` in EUR as `-€1,234.56` (or `-1.234,56 €`): the one display format for money,
    in the number format chosen in Settings (`fintrack.display`)."""
    body = display.number(to_decimal(abs(minor), currency), minor_digits(currency))
    sign = "-" if minor < 0 else ""
    if not symbol:
        return sign + body
    mark = SYMBOLS.get(currency.upper(), currency.upper() + " ")
    if display.symbol_first():
        return f"{sign}{mark}{body}"
    return f"{sign}{body}\u00a0{mark.strip()}"


def format_input(minor: int, currency: str = "EUR") -> str:
    """An amount as a person would type it in the chosen format (`-1234,56`), for inputs."""
    body = display.number(to_decimal(abs(minor), currency), minor_digits(currency), grouping=False)
    return ("-" if minor < 0 else "") + body


def format_plain(minor: int, currency: str = "EUR") -> str:
    """A plain decimal with a dot and no grouping (`-1234.56`), for CSV and JSON."""
    return str(to_decimal(minor, currency))
