"""A person imports bank exports in Chromium: upload, preview, import with progress,
re-import, a second format of the same rows, then undo from the history."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, log_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def test_upload_preview_and_import_then_reimport_finds_duplicates(
    page: Page, server: Server
) -> None:
    log_in(page, server.url, "/import")
    expect(page.get_by_text("1. Choose the account and the file")).to_be_visible()
    # No account yet: "a new account" is the explicit choice, and it is named.
    expect(page.get_by_role("radio", name="A new account")).to_be_checked()
    page.get_by_label("New account name").fill("Sparkasse Giro")

    # The upload field names what it takes, and no size or progress before a file is chosen.
    expect(page.get_by_text("Bank file", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"0\.0B|0\.00%"))).to_have_count(0)
    upload = page.locator("input[type=file]")
    upload.set_input_files(str(FIXTURES / "de_sparkasse_latin1.csv"))
    expect(page.get_by_text("New: 5")).to_be_visible()
    expect(page.get_by_role("cell", name="Bäckerei Müller GmbH")).to_be_visible()
    expect(page.get_by_role("cell", name="-€1,250.00")).to_have_class(re.compile("text-negative"))

    page.get_by_role("button", name="Import 5 into Sparkasse Giro").click()
    progress = page.get_by_role("progressbar", name="Import progress")
    expect(progress).to_be_visible()
    expect(
        page.get_by_text(
            "Sparkasse Giro: 5 new, 0 duplicate, 0 possible duplicate, 0 matched, 0 skipped"
        )
    ).to_be_visible()
    expect(progress).to_have_attribute("aria-valuenow", "1")

    upload.set_input_files(str(FIXTURES / "de_sparkasse_latin1.csv"))
    expect(page.get_by_text("Duplicates: 5")).to_be_visible()
    expect(page.get_by_role("button", name="Import 0 into Sparkasse Giro")).to_be_disabled()


def test_ofx_then_csv_of_the_same_rows_then_undo(page: Page, server: Server) -> None:
    log_in(page, server.url, "/import")
    page.get_by_role("radio", name="A new account").click()
    page.get_by_label("New account name").fill("US checking")
    upload = page.locator("input[type=file]")
    upload.set_input_files(str(FIXTURES / "us_march_15.ofx"))
    page.get_by_role("button", name="Import 15 into US checking").click()
    expect(page.get_by_text("US checking: 15 new")).to_be_visible()
    expect(
        page.get_by_text("The bank's balance of 2,896.89 on 2026-03-31 agrees with fintrack.")
    ).to_be_visible()

    upload.set_input_files(str(FIXTURES / "us_march_15.csv"))
    expect(page.get_by_text("Possible duplicates: 15")).to_be_visible()
    twin = page.get_by_role("cell", name="2026-03-02 WHOLE FOODS MARKET #10234", exact=True)
    expect(twin).to_be_visible()
    expect(page.get_by_role("button", name="Import 0 into US checking")).to_be_disabled()

    page.get_by_role("button", name="Undo import 2").click()
    expect(
        page.get_by_text("This removes 15 transactions imported from us_march_15.ofx into US")
    ).to_be_visible()
    page.get_by_role("button", name="Undo import", exact=True).click()
    expect(page.get_by_text("Undone", exact=True)).to_be_visible()
    page.goto(f"{server.url}/accounts")
    expect(
        page.get_by_role("row", name=re.compile("US checking")).get_by_text("$0.00")
    ).to_be_visible()
