"""On a phone (390x844, touch) with demo data: every page fits the screen and has no serious
accessibility problem (axe-core, light and dark), and a coffee is entered from any page with
the quick-add button. At the keyboard: shortcuts, arrows through
the rows, editors that take the focus, Escape that asks before dropping typed data.

With UPDATE_SCREENSHOTS=1 the phone screenshots are written to docs/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ROOT, Server, log_in

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}
PAGES = [
    "/",
    "/transactions",
    "/accounts",
    "/accounts/1",
    "/categories",
    "/budgets",
    "/recurring",
    "/import",
    "/reports",
    "/settings",
    "/settings/rules",
    "/no/such/page",
]
SCREENSHOTS = {"/": "phone-dashboard.png", "/transactions": "phone-transactions.png"}
# How many cards show payee, amount, category and date inside the screen's width.
CARDS_ON_SCREEN = r"""() => [...document.querySelectorAll('.q-table__grid-content .q-card')]
    .filter(card => card.getBoundingClientRect().right <= innerWidth
        && card.querySelector('.text-weight-medium').textContent.trim()
        && /\d/.test(card.querySelector('.tabular-nums').textContent)
        && /^\d{4}-\d\d-\d\d$/.test(card.querySelectorAll('.tabular-nums')[1].textContent.trim()))
    .length"""
FULL_SCREEN_DIALOG = """() => {
    const card = document.querySelector('.q-dialog .q-card');
    return card && card.getBoundingClientRect().width >= innerWidth - 1;
}"""
# axe-core 4.14.1 (MPL-2.0), vendored from the npm registry: no download at test time.
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SERIOUS = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.html.slice(0, 90) + ' '
            + (n.any[0] || {}).message).join(' | '));
}"""
WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture(scope="module")
def demo(server: Server) -> Server:
    """The module's server, filled with demo data once."""
    demo_data(server)
    return server


def demo_data(server: Server) -> None:
    subprocess.run(
        [sys.executable, "-m", "fintrack", "demo", "--transactions", "1500"],
        cwd=ROOT,
        env=server.env,
        check=True,
        capture_output=True,
    )


def settled(page: Page) -> None:
    """The page's data is shown (its panels stop spinning)."""
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator("[aria-label=Loading]")).to_have_count(0)


def accessibility(page: Page) -> list[str]:
    """Serious and critical accessibility violations axe-core finds on the page."""
    page.add_script_tag(content=AXE)
    return page.evaluate(SERIOUS)


def shot(page: Page, path: str, tmp_path: Path) -> None:
    name = SCREENSHOTS.get(path)
    if name is None:
        return
    folder = ROOT / "docs" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=str(folder / name))


def test_every_page_fits_a_phone_and_quick_add_works_by_touch(
    browser: Browser, demo: Server, tmp_path: Path
) -> None:
    server = demo
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, server.url)
    problems: dict[str, list[str]] = {}
    for path in PAGES:
        page.goto(f"{server.url}{path}")
        settled(page)
        page.wait_for_timeout(300)  # charts and tables take their final size
        scroll_width, inner_width = page.evaluate(WIDTH)
        assert scroll_width <= inner_width, f"{path} is {scroll_width} px wide on a 390 px screen"
        shot(page, path, tmp_path)
        problems[f"{path} light"] = accessibility(page)
    # The same pages in dark mode.
    page.get_by_role("button", name="Dark mode").tap()
    for path in PAGES:
        page.goto(f"{server.url}{path}")
        settled(page)
        expect(page.locator("body.body--dark")).to_have_count(1)
        problems[f"{path} dark"] = accessibility(page)
    page.get_by_role("button", name="Dark mode").tap()
    assert not {where: found for where, found in problems.items() if found}

    # The list is cards: payee, amount, category and date of a row are on the screen.
    page.goto(f"{server.url}/transactions")
    settled(page)
    expect(page.locator(".q-table__grid-content .q-card").first).to_be_visible()
    assert page.evaluate(CARDS_ON_SCREEN) >= 10
    # The filters fold behind one button that counts them.
    expect(page.get_by_label("Accounts")).to_be_hidden()
    page.get_by_role("button", name="Filter").tap()
    expect(page.get_by_label("Accounts")).to_be_visible()

    # A coffee at the counter, from the dashboard, by touch.
    page.goto(server.url)
    settled(page)
    page.get_by_role("button", name="Add transaction").tap()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("New transaction")).to_be_visible()
    # The dialog takes the whole screen (once its opening animation is over).
    page.wait_for_function(FULL_SCREEN_DIALOG)
    dialog.get_by_label("Amount", exact=True).fill("3.40")
    dialog.get_by_label("Payee").fill("Corner Coffee")
    dialog.get_by_role("button", name="Save", exact=True).tap()
    expect(page.get_by_text("Saved")).to_be_visible()
    page.goto(f"{server.url}/transactions?q=Corner%20Coffee")
    expect(
        page.locator(".q-table__grid-content .q-card").filter(has_text="Corner Coffee")
    ).to_be_visible()
    context.close()


def focused(page: Page) -> str:
    return page.evaluate(
        "document.activeElement.getAttribute('aria-label') || "
        "document.activeElement.closest('.q-field')?.innerText || "
        "document.activeElement.tagName"
    )


def test_keyboard_only_journey_and_editors_that_take_the_focus(page: Page, demo: Server) -> None:
    server = demo
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, server.url, "/transactions")
    settled(page)
    page.keyboard.press("?")
    expect(page.get_by_text("Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_text("Keyboard shortcuts")).to_be_hidden()

    # n, type, Enter: a new transaction, on the date and account of the last one.
    page.keyboard.press("n")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("New transaction")).to_be_visible()
    expect(dialog.get_by_label("Amount", exact=True)).to_be_focused()
    page.keyboard.type("2.75")
    dialog.get_by_label("Date").fill("2026-01-15")
    dialog.get_by_label("Payee").fill("Kiosk by keyboard")
    dialog.get_by_role("button", name="Add another").click()
    # Add another: saved, and a fresh form on the same account and date.
    expect(dialog.get_by_label("Payee")).to_have_value("")
    expect(dialog.get_by_label("Date")).to_have_value("2026-01-15")
    # Escape on a changed form asks first; on an untouched one it just closes.
    dialog.get_by_label("Payee").fill("Half typed")
    page.keyboard.press("Escape")
    expect(page.get_by_text("Discard your changes?")).to_be_visible()
    page.get_by_role("button", name="Discard").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    # /, search, arrows, Enter: the row opens.
    page.keyboard.press("/")
    search = page.get_by_label("Search")
    expect(search).to_be_focused()
    search.fill("Coffee Corner")
    expect(page).to_have_url(re.compile(r"q=Coffee"))
    search.fill("Kiosk by keyboard")
    expect(page.get_by_text(re.compile(r"^1 transaction$"))).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog").get_by_text("Edit transaction")).to_be_visible()
    expect(page.get_by_role("dialog").get_by_label("Payee")).to_have_value("Kiosk by keyboard")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    # A click anywhere on a row opens it too.
    page.get_by_role("cell", name="Kiosk by keyboard", exact=True).click()
    expect(page.get_by_role("dialog").get_by_text("Edit transaction")).to_be_visible()
    page.keyboard.press("Escape")
    # The URL is the state: Back undoes the last filter.
    page.go_back()
    expect(page.get_by_label("Search")).to_have_value("Coffee Corner")

    # A category editor opens where the eye is: its first field has the focus.
    page.goto(f"{server.url}/categories")
    settled(page)
    page.locator(".q-item").filter(has_text="Restaurants").first.click()
    expect(page.get_by_label("New name")).to_be_focused()
    expect(page.get_by_label("New name")).to_be_in_viewport()
