"""Names in charts are text: a category named like a link never becomes one.

Plotly renders a subset of HTML (links, bold, line breaks) in labels, legends, hovers, axis
ticks and titles. Every chart is checked as data, and the dashboard's donut is drawn by
plotly.js in real Chromium (in a subprocess: Playwright's loop must not meet the async UI tests).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nicegui
import pytest

from components import budget_bar, charts
from fintrack.budgets import BudgetLine
from fintrack.reports import CategoryTotal, TrendSeries

EVIL = '<a href="https://evil.example/">x</a>'
SHOWN = '&lt;a href="https://evil.example/"&gt;x&lt;/a&gt;'
PLOTLY_JS = Path(nicegui.__file__).parent / "elements" / "plotly" / "dist" / "index.js"


def category(id: int, kind: str = "expense", parent: int | None = None) -> CategoryTotal:
    return CategoryTotal(
        id=id, name=EVIL, parent_id=parent, kind=kind, color="#4E79A7", own=1000, total=1000
    )


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def figures() -> dict[str, dict[str, Any]]:
    months = [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    line = BudgetLine(
        category_id=1,
        name=EVIL,
        color=None,
        kind="expense",
        parent_id=None,
        budgeted=5000,
        spent=1000,
        rollover=0,
        available=4000,
        state="ok",
    )
    trend = [TrendSeries(category(1), months, [1, 2])]
    return {
        "donut": charts.donut([category(1)], "EUR", False),
        "sunburst": charts.sunburst([category(1), category(2, parent=1)], "EUR", False),
        "sankey": charts.sankey(
            [category(3, "income"), category(4, "income", parent=3)],
            [category(1), category(2, parent=1)],
            "EUR",
            False,
        ),
        "trend lines": charts.trend(trend, "EUR", False, False),
        "trend bars": charts.trend(trend, "EUR", False, True),
        "budget bars": budget_bar.month_figure([line], "EUR", False),
    }


@pytest.mark.parametrize("name", list(figures()))
def test_a_name_with_markup_is_escaped_in_every_chart(name: str) -> None:
    texts = list(strings(figures()[name]["data"]))
    assert not [t for t in texts if "<a" in t or "</a>" in t]
    assert any(SHOWN in t for t in texts)


DRAW = """
import json, sys
from playwright.sync_api import sync_playwright

executable, plotly_js, figure = sys.argv[1], sys.argv[2], json.loads(sys.stdin.read())
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=executable or None, args=json.loads(sys.argv[3]))
    page = browser.new_page()
    html = (
        '<div id="plot" style="width:600px;height:400px"></div><script type="module">'
        'import { Plotly } from "/plotly.js"; window.Plotly = Plotly;</script>'
    )
    page.route("http://chart.test/", lambda r: r.fulfill(body=html, content_type="text/html"))
    page.route("http://chart.test/plotly.js", lambda route: route.fulfill(path=plotly_js))
    page.goto("http://chart.test/")
    page.wait_for_function("window.Plotly !== undefined")
    page.evaluate("f => Plotly.newPlot('plot', f.data, f.layout, f.config)", figure)
    print(json.dumps({
        "links": page.eval_on_selector_all("#plot a", "els => els.map(e => e.outerHTML)"),
        "legend": page.eval_on_selector("#plot .legend", "e => e.textContent"),
    }))
    browser.close()
"""


@pytest.mark.skipif(
    not (os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")), reason="needs Chromium"
)
def test_plotly_shows_the_name_as_text_in_a_real_browser() -> None:
    from tests.e2e.conftest import CHROMIUM_ARGS

    figure = charts.donut([category(1)], "EUR", False)
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
    result = subprocess.run(
        [sys.executable, "-c", DRAW, executable, str(PLOTLY_JS), json.dumps(CHROMIUM_ARGS)],
        input=json.dumps(figure),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    drawn = json.loads(result.stdout)
    assert drawn["links"] == []
    assert EVIL in drawn["legend"]
