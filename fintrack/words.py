"""Counted nouns in messages: "1 row", "2 rows", never "1 row(s)"."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and `noun`, the noun in the plural unless the number is one (`1,500 rows`)."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
