"""Login, logout and the frame, through the simulated user."""

from nicegui.testing import User

from tests.ui.conftest import log_in


async def test_unauthenticated_page_redirects_to_login(user: User) -> None:
    await user.open("/")
    await user.should_see("Log in")
    await user.should_not_see("Log out")


async def test_wrong_password_stays_on_login_with_message(user: User) -> None:
    await log_in(user, password="wrong")
    await user.should_see("Wrong username or password.", retries=50)
    await user.should_not_see("Log out")


async def test_right_password_reaches_dashboard(logged_in: User) -> None:
    await logged_in.should_see("Welcome to fintrack")
