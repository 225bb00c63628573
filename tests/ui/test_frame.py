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


async def test_unknown_address_shows_not_found_in_the_frame_with_a_way_back(
    logged_in: User,
) -> None:
    response = await logged_in.http_client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address" in response.text
    assert "HTTPException" not in response.text
    assert "Go to the dashboard" in response.text
    assert "Log out" in response.text  # the frame: header and navigation are there
    assert "Transactions" in response.text
    api = await logged_in.http_client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/json")
