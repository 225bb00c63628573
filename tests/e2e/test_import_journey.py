"""A person imports a bank export in Chromium: upload, preview, import with progress, re-import."""

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
    page.get_by_label("Or a new account").fill("Sparkasse Giro")

    upload = page.locator("input[type=file]")
    upload.set_input_files(str(FIXTURES / "de_sparkasse_latin1.csv"))
    expect(page.get_by_text("New: 5")).to_be_visible()
    expect(page.get_by_role("cell", name="Bäckerei Müller GmbH")).to_be_visible()
    expect(page.get_by_role("cell", name="-€1,250.00")).to_have_class(re.compile("text-negative"))

    page.get_by_role("button", name="Import 5 transactions").click()
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
    expect(page.get_by_role("button", name="Import 0 transactions")).to_be_disabled()
