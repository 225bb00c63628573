"""The first journey: a person opens fintrack, logs in, and finds the dashboard."""

from playwright.sync_api import Page, expect

from tests.conftest import ADMIN_USERNAME
from tests.e2e.conftest import Server, log_in


def test_wrong_password_then_right_one_reaches_dashboard(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/accounts")
    expect(page).to_have_url(f"{server.url}/login?next=%2Faccounts")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    expect(page).to_have_url(f"{server.url}/login?next=%2Faccounts")

    log_in(page, server.url)
    expect(page.get_by_text("Welcome to fintrack")).to_be_visible()
