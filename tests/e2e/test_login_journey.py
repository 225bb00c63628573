"""The first journey: a person opens fintrack, logs in, finds the dashboard, and logs out."""

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


def test_log_out_in_one_tab_sends_the_other_tab_to_login(page: Page, server: Server) -> None:
    log_in(page, server.url, "/accounts")
    other = page.context.new_page()
    other.goto(f"{server.url}/")
    expect(other.get_by_text("Welcome to fintrack")).to_be_visible()

    page.get_by_role("button", name="Log out").click()

    # Within a few seconds, without anyone touching it, the other tab shows the login form.
    expect(other).to_have_url(f"{server.url}/login?next=%2F", timeout=8_000)
    expect(other.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_bind_address_keeps_the_server_to_this_machine(server: Server) -> None:
    # The test servers set BIND_ADDRESS=127.0.0.1; `make run` listens on every interface.
    port = server.env["PORT"]
    assert f"running on http://127.0.0.1:{port}" in server.log()
    assert "every network interface" not in server.log()
