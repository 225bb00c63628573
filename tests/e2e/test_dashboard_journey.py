"""A first visit in Chromium: load demo data, see the charts drawn, click into a category.

With UPDATE_SCREENSHOTS=1 the dashboard screenshot is written to docs/dashboard.png.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, Server, log_in

DRAWN = """() => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return plots.length >= 3 && plots.every(p => p.data && p.data.length && p._fullLayout);
}"""
SANKEY_NODE = """() => {
    const sankey = [...document.querySelectorAll('.js-plotly-plot')]
        .find(p => p.data && p.data[0].type === 'sankey');
    const nodes = sankey.data[0].node.customdata;
    const index = nodes.findIndex(d => Number.isInteger(d[1]));
    const box = sankey.querySelectorAll('.sankey-node')[index].querySelector('rect')
        .getBoundingClientRect();
    return {category: nodes[index][1], x: box.x + box.width / 2, y: box.y + box.height / 2};
}"""
DONUT_FIRST_CATEGORY = """() => {
    const donut = [...document.querySelectorAll('.js-plotly-plot')]
        .find(p => p.data && p.data[0].type === 'pie');
    return donut.data[0].customdata[0][1];
}"""


def test_demo_data_draws_charts_and_slices_and_nodes_open_their_transactions(
    page: Page, server: Server, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, server.url)
    expect(page.get_by_text("Welcome to fintrack")).to_be_visible()
    button = page.get_by_role("button", name="Load demo data")
    button.click()
    expect(page.get_by_text("Spending by category")).to_be_visible(timeout=60_000)
    page.wait_for_function(DRAWN, timeout=30_000)

    shot = (
        ROOT / "docs" / "dashboard.png"
        if os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else tmp_path / "dashboard.png"
    )
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000

    category = page.evaluate(DONUT_FIRST_CATEGORY)
    assert isinstance(category, int)
    # The largest slice comes first and is big enough to carry its percentage inside it.
    label = page.locator(".js-plotly-plot g.slice text.slicetext").first
    box = label.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(
        re.compile(
            rf"/transactions\?category={category}&start=\d{{4}}-\d\d-01&end=\d{{4}}-\d\d-\d\d$"
        )
    )

    page.goto(f"{server.url}/reports")
    expect(page.get_by_text("Cash flow")).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('.sankey-node').length > 3")
    page.wait_for_timeout(1000)  # the Sankey slides its nodes into place
    node = page.evaluate(SANKEY_NODE)
    page.mouse.click(node["x"], node["y"])
    expect(page).to_have_url(
        re.compile(rf"/transactions\?category={node['category']}&start=\d{{4}}-\d\d-01&end=")
    )
