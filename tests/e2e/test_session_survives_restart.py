"""A login outlives a server restart (the platform restarts and sleeps the service often)."""

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import log_in, start_server


def test_login_survives_restart_and_fresh_browser_must_log_in(
    page: Page, browser: Browser, tmp_path: Path
) -> None:
    server = start_server(tmp_path / "data")
    try:
        log_in(page, server.url, "/")
        expect(page.get_by_text("Welcome to fintrack")).to_be_visible()
    finally:
        server.stop()

    restarted = start_server(server.data_dir, env=server.env)
    try:
        page.goto(f"{restarted.url}/")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        assert "/login" not in page.url

        fresh = browser.new_context()
        try:
            other = fresh.new_page()
            other.goto(f"{restarted.url}/")
            expect(other.get_by_role("button", name="Log in")).to_be_visible()
            assert "/login?next=" in other.url
        finally:
            fresh.close()

        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        page.goto(f"{restarted.url}/")
        expect(page).to_have_url(f"{restarted.url}/login?next=%2F")
    finally:
        restarted.stop()
