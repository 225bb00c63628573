"""The frame every page shares: navigation to pages that exist, remembered dark mode."""

from nicegui import ui
from nicegui.testing import User

from pages import SCREENS
from tests.ui.conftest import dark_stored, eventually


async def test_navigation_lists_the_pages_that_exist(logged_in: User) -> None:
    await logged_in.should_see("Dashboard")
    for screen in SCREENS:
        if not screen.label:
            continue
        await logged_in.open(screen.path)  # every listed page opens: none is missing
        await logged_in.should_see(screen.label)


async def test_dark_mode_is_remembered(logged_in: User) -> None:
    assert logged_in.find(ui.dark_mode).elements.pop().value is False
    logged_in.find(marker="dark-mode").click()
    await eventually(dark_stored)
    await logged_in.open("/")
    dark = logged_in.find(ui.dark_mode).elements.pop()
    await eventually(lambda: dark.value is True)
