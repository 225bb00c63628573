"""The categories page through the simulated user: default tree, sub-category, move refusal."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from fintrack import categories, db


def choose(user: User, marker: str, label: str) -> None:
    """Open the select marked `marker` and pick the option shown as `label`."""
    select = user.find(marker=marker).click()
    UserInteraction(user, select.elements, label).click()


def paths() -> dict[str, int]:
    with db.session() as s:
        return {o.path: o.id for o in categories.options(s)}


def item(path: str) -> str:
    """The marker of a category's row in the tree."""
    return f"category-{paths()[path]}"


async def test_default_tree_is_shown(logged_in: User) -> None:
    await logged_in.open("/categories")
    await logged_in.should_see(marker=item("Food › Groceries"))
    await logged_in.should_see(marker=item("Income › Salary"))


async def test_create_sub_sub_category(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker="new-name").type("Bakery")
    choose(logged_in, "new-parent", "Food › Groceries")
    logged_in.find("Add category").click()
    await logged_in.should_see("Category Bakery added")
    await logged_in.should_see(marker=item("Food › Groceries › Bakery"))


async def test_moving_under_own_child_is_refused_next_to_the_field(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker=item("Food")).click()
    await logged_in.should_see(marker="editor")
    choose(logged_in, "move-parent", "Food › Coffee")
    logged_in.find(marker="move-button").click()
    await logged_in.should_see("A category cannot move under itself or one of its own")
    assert "Food › Coffee" in paths() and "Food" in paths()


async def test_move_renames_the_path(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker=item("Health")).click()
    await logged_in.should_see(marker="editor")
    choose(logged_in, "move-parent", "Leisure")
    logged_in.find(marker="move-button").click()
    await logged_in.should_see("Category moved")
    await logged_in.should_see(marker=item("Leisure › Health"))
    assert "Health" not in paths()


async def test_duplicate_sibling_name_is_refused(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker="new-name").type("coffee")
    choose(logged_in, "new-parent", "Food")
    logged_in.find("Add category").click()
    await logged_in.should_see('"coffee" already exists here')
    assert len([p for p in paths() if p.lower() == "food › coffee"]) == 1


async def test_all_categories_are_choices(logged_in: User) -> None:
    await logged_in.open("/categories")
    select = logged_in.find(marker="new-parent").elements.pop()
    assert isinstance(select, ui.select)
    assert list(select.options.values()) == list(paths())


def kinds() -> dict[str, str]:
    with db.session() as s:
        return {o.path: o.kind for o in categories.options(s)}


async def test_moving_an_expense_subtree_under_income_asks_first(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker=item("Leisure")).click()
    await logged_in.should_see(marker="editor")
    choose(logged_in, "move-parent", "Income")
    logged_in.find(marker="move-button").click()
    await logged_in.should_see("Make Leisure income?")
    await logged_in.should_see("makes it and its sub-categories income instead of expense")
    assert kinds()["Leisure › Sports"] == "expense" and "Leisure" in paths()
    logged_in.find("Move and make it income").click()
    await logged_in.should_see("Category moved")
    assert kinds()["Income › Leisure › Sports"] == "income"


async def test_a_name_with_the_path_separator_is_refused(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker="new-name").type("Food › Snacks")
    logged_in.find("Add category").click()
    await logged_in.should_see('A name cannot contain "›"')
    assert "Food › Snacks" not in paths()


async def test_a_top_level_kind_changes_once_confirmed(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker=item("Shopping")).click()
    await logged_in.should_see(marker="editor")
    choose(logged_in, "kind", "Income")
    logged_in.find(marker="kind-button").click()
    await logged_in.should_see("Make Shopping income?")
    await logged_in.should_see("Shopping and its 2 sub-categories become income instead of")
    assert kinds()["Shopping › Clothes"] == "expense"
    logged_in.find("Make it income").click()
    await logged_in.should_see("Kind changed")
    assert kinds()["Shopping › Clothes"] == "income"


async def test_a_sub_category_shows_no_kind_but_its_color_can_change(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker=item("Food › Coffee")).click()
    await logged_in.should_see(marker="editor")
    await logged_in.should_not_see(marker="kind")
    logged_in.find(marker="color").elements.pop().value = "#123abc"
    logged_in.find(marker="color-button").click()
    await logged_in.should_see("Color changed")
    with db.session() as s:
        coffee = next(o for o in categories.options(s) if o.path == "Food › Coffee")
    assert coffee.color == "#123ABC"


async def test_a_message_under_the_name_goes_once_it_is_fixed(logged_in: User) -> None:
    await logged_in.open("/categories")
    logged_in.find(marker="new-name").type("x" * 121)
    logged_in.find("Add category").click()
    await logged_in.should_see("120 characters")
    logged_in.find(marker="new-name").clear().type("Snacks")
    await logged_in.should_not_see("120 characters")
