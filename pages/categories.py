"""Categories `/categories`: the tree; create, rename, move, merge and delete categories."""

from __future__ import annotations

import re
from collections.abc import Callable

from nicegui import ui
from sqlalchemy.orm import Session

from components import core
from components.category_select import category_select
from components.dialogs import confirm
from components.frame import frame
from fintrack import categories
from fintrack.categories import CategoryOption

KINDS = {"expense": "Expense", "income": "Income"}
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


async def _changed_ok(field: ui.element, change: Callable[..., object], *args: object) -> bool:
    """Make the change in its own transaction; a refusal shows next to `field`. True if made."""
    return await core.change(change, *args, fields=core.Only(field)) is not None


def _kind_question(
    s: Session, change: Callable[..., object], *args: object
) -> categories.KindChangeError | None:
    """Make a change (a move, a new kind); one that would turn a sub-tree's kind is returned
    to be asked about instead."""
    try:
        change(s, *args)
    except categories.KindChangeError as error:
        return error
    return None


def _clears_its_error(field: ui.input) -> ui.input:
    """A message under the field goes once the person edits it again."""
    field.on_value_change(lambda: setattr(field, "error", None))
    return field


async def _usage(category_id: int) -> int | None:
    counted = await core.load(categories.usage, category_id)
    return None if counted is None else counted.value


def _color_dot(color: str | None) -> None:
    dot = ui.element("span").classes("inline-block w-3 h-3 rounded-full shrink-0")
    # Only palette colors reach the style attribute.
    if color and _HEX_COLOR.fullmatch(color):
        dot.style(f"background-color: {color}")


class CategoriesPage:
    """`/categories`: the form for a new category, the editor of the selected one, the tree."""

    def __init__(self) -> None:
        self.selected: int | None = None
        # The tree, loaded once per build and once per change; the form, editor and list share it.
        self.options: list[CategoryOption] = []
        with frame("Categories", "/categories"):
            self.view = core.Panel(categories.options, self.show)

    def show(self, options: list[CategoryOption]) -> None:
        self.options = options
        self.new_form()
        self.editor()
        ui.label("Click a category to rename, move, merge or delete it.").classes("text-grey-7")
        self.tree()

    def select(self, category_id: int | None) -> None:
        self.selected = category_id
        self.editor.refresh()

    async def changed(self, message: str, keep: int | None = None) -> None:
        ui.notify(message, type="positive")
        self.selected = keep
        await self.view.refresh()

    def new_form(self) -> None:
        with ui.card().classes("w-full"):
            ui.label("New category").classes("text-h6")
            with ui.row().classes("w-full items-start gap-3"):
                name = _clears_its_error(ui.input("Name")).classes("w-56").mark("new-name")
                parent = category_select(self.options, label="Parent (empty: top level)").classes(
                    "w-72"
                )
                parent.mark("new-parent")
                kind = ui.select(KINDS, value="expense", label="Kind").classes("w-32")
                kind.bind_visibility_from(parent, "value", lambda value: value is None)

                async def add() -> None:
                    if await _changed_ok(
                        name, categories.create_category, name.value, parent.value, kind.value
                    ):
                        await self.changed(f"Category {' '.join(name.value.split())} added")

                ui.button("Add category", icon="add", on_click=add).classes("mt-2")

    @ui.refreshable_method
    def editor(self) -> None:
        current = next((o for o in self.options if o.id == self.selected), None)
        if current is None:
            return
        _editor(current, self.options, self.changed, lambda: self.select(None))

    def tree(self) -> None:
        if not self.options:
            ui.label("No categories yet.").classes("text-grey-7")
        with ui.list().props("dense separator").classes("w-full"):
            for option in self.options:
                item = (
                    ui.item(on_click=lambda o=option: self.select(o.id))
                    .props("clickable")
                    .classes("rounded")
                    .mark(f"category-{option.id}")
                )
                indent = f"padding-left: {option.depth * 28}px"
                with item, ui.item_section().style(indent), ui.row().classes("items-center"):
                    _color_dot(option.color)
                    ui.label(option.name)
                    if option.depth == 0:
                        ui.badge(KINDS[option.kind]).props("outline")


def _editor(current: CategoryOption, options: list[CategoryOption], changed, close) -> None:
    others = [o for o in options if o.id != current.id]
    with ui.card().classes("w-full").mark("editor"):
        with ui.row().classes("w-full items-center"):
            ui.label(current.path).classes("text-h6")
            ui.space()
            ui.button(icon="close", on_click=close).props('flat round aria-label="Close"')

        with ui.row().classes("w-full items-start gap-3"):
            # The editor opens where the eye is: the focus (and the scroll) goes to its first field.
            rename_input = _clears_its_error(ui.input("New name", value=current.name))
            rename_input.classes("w-72").mark("rename").props("autofocus")

            async def rename() -> None:
                if await _changed_ok(
                    rename_input, categories.rename_category, current.id, rename_input.value
                ):
                    await changed("Category renamed", keep=current.id)

            ui.button("Rename", on_click=rename).props("outline").mark("rename-button").classes(
                "mt-2"
            )

        _look_and_kind(current, changed)

        with ui.row().classes("w-full items-start gap-3"):
            parent = category_select(
                others, value=current.parent_id, label="Move under (empty: top level)"
            ).classes("w-72")
            parent.mark("move-parent")

            async def move(change_kind: bool = False) -> None:
                done = await core.change(
                    _kind_question,
                    categories.move_category,
                    current.id,
                    parent.value,
                    change_kind,
                    fields=core.Only(parent),
                )
                if done is None:
                    return
                if done.value is not None:
                    # Moving under the other kind turns the whole sub-tree: ask first.
                    asked = done.value
                    confirm(
                        f"Make {current.name} {asked.new}?",
                        f"{asked.message}.",
                        f"Move and make it {asked.new}",
                        lambda: move(change_kind=True),
                    )
                    return
                await changed("Category moved", keep=current.id)

            ui.button("Move", on_click=move).props("outline").mark("move-button").classes("mt-2")

        with ui.row().classes("w-full items-start gap-3"):
            target = category_select(others, label="Merge into").classes("w-72")
            target.mark("merge-target")

            async def merge() -> None:
                if await _changed_ok(target, categories.merge_category, current.id, target.value):
                    await changed(f"{current.name} merged")

            async def ask_merge() -> None:
                if target.value is None:
                    target.error = "Choose the category to merge into"
                    return
                into = next(o.path for o in others if o.id == target.value)
                count = await _usage(current.id)
                if count is None:
                    return
                confirm(
                    "Merge category?",
                    f'"{current.path}" will be removed: its {count:,} transactions and split '
                    f'lines, sub-categories and budgets move to "{into}".',
                    "Merge",
                    merge,
                )

            ui.button("Merge", on_click=ask_merge).props("outline").mark("merge-button").classes(
                "mt-2"
            )

        with ui.row().classes("w-full items-start gap-3"):
            move_to = category_select(
                others, label="Its transactions go to (empty: uncategorized)"
            ).classes("w-72")
            move_to.mark("delete-target")

            async def delete() -> None:
                if await _changed_ok(
                    move_to, categories.delete_category, current.id, move_to.value
                ):
                    await changed(f"{current.name} deleted")

            async def ask_delete() -> None:
                if any(o.parent_id == current.id for o in others):
                    move_to.error = "Move or delete its sub-categories first"
                    return
                count = await _usage(current.id)
                if count is None:
                    return
                where = next((o.path for o in others if o.id == move_to.value), None)
                fate = f'move to "{where}"' if where else "become uncategorized"
                confirm(
                    "Delete category?",
                    f'"{current.path}" will be deleted; its {count:,} transactions and split '
                    f"lines {fate}.",
                    "Delete",
                    delete,
                )

            ui.button("Delete", on_click=ask_delete).props("outline color=negative").mark(
                "delete-button"
            ).classes("mt-2")


def _look_and_kind(current: CategoryOption, changed) -> None:
    """The category's color, and for a top-level one its kind (its sub-tree follows)."""
    with ui.row().classes("w-full items-start gap-3"):
        color = ui.color_input("Color", value=current.color or "").classes("w-72").mark("color")

        async def recolor() -> None:
            if await _changed_ok(color, categories.set_color, current.id, color.value or ""):
                await changed("Color changed", keep=current.id)

        ui.button("Set color", on_click=recolor).props("outline").mark("color-button").classes(
            "mt-2"
        )
    if current.depth:
        return
    with ui.row().classes("w-full items-start gap-3"):
        kind = ui.select(KINDS, value=current.kind, label="Kind").classes("w-72").mark("kind")

        async def rekind(agreed: bool = False) -> None:
            done = await core.change(
                _kind_question,
                categories.set_kind,
                current.id,
                kind.value,
                agreed,
                fields=core.Only(kind),
            )
            if done is None:
                return
            if done.value is not None:
                confirm(
                    f"Make {current.name} {done.value.new}?",
                    f"{done.value.message}.",
                    f"Make it {done.value.new}",
                    lambda: rekind(agreed=True),
                )
                return
            await changed("Kind changed", keep=current.id)

        ui.button("Change kind", on_click=rekind).props("outline").mark("kind-button").classes(
            "mt-2"
        )
