"""Payee names as banks write them, reduced to a stable key for matching."""

from __future__ import annotations

import functools
import re
import unicodedata

# Card numbers, references and dates that banks append and that change from row to row.
_NOISE = re.compile(r"\b(?:\d{4,}|[a-z]*\d[a-z\d]*\d[a-z\d]*)\b|[^\w\s]")


# Bank files repeat the same few hundred payees across thousands of rows.
@functools.lru_cache(maxsize=4096)
def normalize(payee: str) -> str:
    """`"ALDI SÜD 1234 Berlin "` -> `"aldi sud berlin"`: lower case, no accents, no numbers."""
    text = unicodedata.normalize("NFKD", payee).encode("ascii", "ignore").decode().lower()
    text = _NOISE.sub(" ", text)
    return " ".join(text.split())[:255]
