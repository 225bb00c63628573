"""Choosing a category: one select over the whole tree, filtered as you type a path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nicegui import ui

from fintrack.categories import CategoryOption


def category_choices(
    session_options: Iterable[CategoryOption], kind: str | None = None, exclude: Iterable[int] = ()
) -> dict[int, str]:
    """Select options `{id: "Food › Groceries"}` in tree order, optionally one kind only."""
    skip = set(exclude)
    return {
        option.id: option.path
        for option in session_options
        if option.id not in skip and (kind is None or option.kind == kind)
    }


def category_select(
    session_options: Iterable[CategoryOption],
    value: int | None = None,
    label: str = "Category",
    *,
    kind: str | None = None,
    exclude: Iterable[int] = (),
    clearable: bool = True,
    **kwargs: Any,
) -> ui.select:
    """A select over the category tree (from `fintrack.categories.options`), showing full
    paths and filtering them as the person types ("groc" finds "Food › Groceries").

    `kind` keeps only expense or income categories; `exclude` drops ids (e.g. a category
    itself when choosing its new parent). The value is the chosen category id or None.
    """
    choices = category_choices(session_options, kind, exclude)
    return ui.select(
        choices,
        value=value if value in choices else None,
        label=label,
        with_input=True,
        clearable=clearable,
        **kwargs,
    ).props("options-dense")
