"""Two-factor login, as a person sets it up in Settings with an authenticator app and uses it."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.e2e.conftest import Server, log_in

SECRET = re.compile(r"^[A-Z2-7]{32}$")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def password_step(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)


def test_turn_on_log_in_with_a_code_and_a_recovery_code_turn_off(
    page: Page, server: Server
) -> None:
    log_in(page, server.url, "/settings")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    secret = page.get_by_text(SECRET).inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code", exact=True).fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("That code does not match")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(totp.now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Two-factor login is on.")).to_be_visible()
    recovery = re.findall(r"[a-z2-9]{5}-[a-z2-9]{5}", page.locator("pre, code").first.inner_text())
    assert len(recovery) == 10

    log_out(page)
    password_step(page, server)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Enter the code from your authenticator app.")).to_be_visible()
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    # The code used to turn it on is spent; the app's next one is accepted a step early.
    page.get_by_label("Code", exact=True).fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    log_out(page)
    password_step(page, server)
    page.get_by_label("Code", exact=True).fill(recovery[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(f"{server.url}/settings")
    expect(page.get_by_text("9 recovery codes left")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(recovery[0])
    page.get_by_role("button", name="Turn off").click()
    expect(page.get_by_text("That code is not valid.")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(recovery[1])
    page.get_by_role("button", name="Turn off").click()
    expect(page.get_by_role("button", name="Turn on")).to_be_visible()

    log_out(page)
    log_in(page, server.url)
