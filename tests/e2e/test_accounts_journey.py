"""A person adds an account, opens its register, then files a new sub-category by typing."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, log_in


def test_add_account_open_it_and_add_sub_category_by_typing(page: Page, server: Server) -> None:
    log_in(page, server.url, "/accounts")
    page.get_by_label("Name", exact=True).fill("Main checking")
    page.get_by_label("Opening balance").fill("42.10")
    page.get_by_role("button", name="Owed").click()  # overdrawn: typed as a positive amount
    page.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("cell", name="-€42.10")).to_be_visible()
    expect(page.get_by_role("cell", name="-€42.10")).to_have_class(re.compile("text-negative"))

    page.get_by_role("link", name="Main checking").click()
    expect(page).to_have_url(f"{server.url}/accounts/1")
    expect(page.get_by_text("No transactions in this account yet.")).to_be_visible()

    page.goto(f"{server.url}/categories")
    page.get_by_label("Name", exact=True).fill("Bakery")
    parent = page.get_by_label("Parent (empty: top level)")
    parent.click()
    parent.press_sequentially("groc")
    options = page.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options).to_have_text("Food › Groceries")
    options.click()
    page.get_by_role("button", name="Add category").click()
    expect(page.get_by_text("Category Bakery added")).to_be_visible()
    expect(page.get_by_text("Bakery", exact=True)).to_be_visible()
