"""What a person waits for in Chromium at 100,000 transactions: first rows, balances, charts.

`python -m bench.browser` prints one JSON object. It fills a throwaway PostgreSQL database
(as bench.startup does) with demo data, starts the production command, and times in a fresh
browser context each: /transactions until its first rows show, /accounts until its balances
show, and / until all its Plotly charts are drawn. For comparison it times a bare NiceGUI
page with three small Plotly charts on the same machine (the cost of NiceGUI and plotly.js
alone). Needs Chromium: the system's (CHROMIUM_PATH or `chromium`), else Playwright's own.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bcrypt
from playwright.sync_api import Browser, sync_playwright

from bench.startup import (
    child_environment,
    fill_demo,
    free_port,
    production_env,
    running_server,
    session_cookie,
    throwaway_database,
)

RUNS = 3
# Every Plotly chart on the page has drawn its SVG (and there are at least three).
CHARTS_DRAWN = """(() => { const charts = [...document.querySelectorAll('.js-plotly-plot')];
  return charts.length >= 3 && charts.every(c => c.querySelector('.main-svg')); })()"""
FIRST_ROW = "document.querySelectorAll('.q-table tbody tr td').length > 0"
TIMEOUT_MS = 60_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BARE_PAGE = """
from nicegui import ui
import plotly.graph_objects as go

@ui.page("/")
def index():
    for kind in range(3):
        figure = go.Figure(go.Bar(x=list(range(12)), y=[kind + i for i in range(12)]))
        ui.plotly(figure).classes("w-full h-80")

ui.run(port=int(__import__("os").environ["PORT"]), show=False, reload=False)
"""


def launch(playwright) -> Browser:
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    options = {"args": CHROMIUM_ARGS, **({"executable_path": executable} if executable else {})}
    return playwright.chromium.launch(**options)


def timed_load(
    browser: Browser, url: str, ready: str, cookie: str = "", warm: bool = False
) -> float:
    """Seconds from navigation until the JavaScript condition `ready` holds.

    Cold: a new browser profile fetches and parses every script. Warm: the page was opened
    once before, so scripts come from the browser's cache, as for a returning person.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    if cookie:
        name, value = cookie.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": url}])
    page = context.new_page()
    try:
        if warm:
            page.goto(url)
            page.wait_for_function(ready, timeout=TIMEOUT_MS)
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(ready, timeout=TIMEOUT_MS)
        return time.perf_counter() - started
    finally:
        context.close()


def median_load(
    browser: Browser, url: str, ready: str, cookie: str = "", warm: bool = False
) -> float:
    loads = [timed_load(browser, url, ready, cookie, warm) for _ in range(RUNS)]
    return round(statistics.median(loads), 2)


def bare_page_seconds(browser: Browser) -> tuple[float, float]:
    """A NiceGUI page with three Plotly charts and nothing else: cold and warm."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare.py"
        script.write_text(BARE_PAGE)
        env = child_environment(PORT=str(free_port()))
        with running_server(env, [sys.executable, str(script)], ready="/"):
            url = f"http://127.0.0.1:{env['PORT']}/"
            return (
                median_load(browser, url, CHARTS_DRAWN),
                median_load(browser, url, CHARTS_DRAWN, warm=True),
            )


def figures() -> dict:
    secret = secrets.token_urlsafe(48)
    password_hash = bcrypt.hashpw(b"bench password", bcrypt.gensalt(rounds=4)).decode()
    result: dict = {"transactions": 100_000, "runs": RUNS}
    with throwaway_database() as database_url, sync_playwright() as playwright:
        browser = launch(playwright)
        bare = bare_page_seconds(browser)
        result["bare_nicegui_3_plotly_s"], result["bare_nicegui_3_plotly_warm_s"] = bare
        fill_demo(database_url)
        cookie = session_cookie(database_url, secret)
        env = production_env(database_url, free_port(), secret, password_hash)
        # The production command sets Secure cookies; the benchmark talks plain http.
        env["APP_ENV"] = "development"
        env["DATA_DIR"] = tempfile.mkdtemp(prefix="fintrack-bench-")
        base = f"http://127.0.0.1:{env['PORT']}"
        with running_server(env):
            for name, path, ready in (
                ("transactions_first_rows", "/transactions", FIRST_ROW),
                ("accounts_balances", "/accounts", FIRST_ROW),
                ("dashboard_charts", "/", CHARTS_DRAWN),
            ):
                result[f"{name}_s"] = median_load(browser, base + path, ready, cookie)
                result[f"{name}_warm_s"] = median_load(browser, base + path, ready, cookie, True)
        browser.close()
        shutil.rmtree(env["DATA_DIR"], ignore_errors=True)
    result["dashboard_vs_bare"] = round(
        result["dashboard_charts_s"] / result["bare_nicegui_3_plotly_s"], 2
    )
    result["dashboard_vs_bare_warm"] = round(
        result["dashboard_charts_warm_s"] / result["bare_nicegui_3_plotly_warm_s"], 2
    )
    return result


if __name__ == "__main__":
    print(json.dumps(figures(), indent=2))
