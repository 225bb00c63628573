"""Plotly figures from report data, in one visual style.

Figures are plain dicts (what plotly.js takes). Money stays in integer minor units until here:
bars and slices need numbers to draw, so amounts become major units at this edge only, while
every hover shows the exact amount formatted by `fintrack.money`. Each clickable point carries
its category id (or month) in `customdata`, so a click can open the matching transactions.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from urllib.parse import urlencode

import plotly.io as pio
from nicegui import context, events, ui
from nicegui.elements.dark_mode import DarkMode

from fintrack import money, periods
from fintrack.net_worth import NetWorthPoint
from fintrack.reports import CategoryTotal, MonthFlow, TrendSeries

INCOME_COLOR = "#2E9E5B"
EXPENSE_COLOR = "#D64545"
NET_COLOR = "#4E79A7"
OTHER_COLOR = "#9E9E9E"
SAVINGS_COLOR = "#2E9E5B"
DEFICIT_COLOR = "#D64545"
CONFIG = {"responsive": True, "displaylogo": False, "displayModeBar": False}
HOVER = "%{customdata[0]}<extra></extra>"

Figure = dict[str, Any]


@cache
def _template(dark: bool) -> dict[str, Any]:
    return pio.templates["plotly_dark" if dark else "plotly_white"].to_plotly_json()


def layout(dark: bool, **extra: Any) -> dict[str, Any]:
    """The shared layout: dark or light template, transparent background, tight margins."""
    return {
        "template": _template(dark),
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "autosize": True,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        # Above the plot: below it, the legend collides with slanted month labels on a phone.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"namelength": -1},
        **extra,
    }


def plain(name: str) -> str:
    """A name as Plotly shows it literally: Plotly renders a subset of HTML (links included) in
    labels, legends, hovers and titles, and shows `&lt;` as `<`."""
    return html.escape(name, quote=False)


def major(minor: int, currency: str) -> float:
    """Minor units as a float of major units, for plotly to draw with; never for arithmetic."""
    return float(money.to_decimal(minor, currency))


def _month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def figure(data: list[dict[str, Any]], dark: bool, **extra: Any) -> Figure:
    """A figure in the shared style; `extra` goes into its layout."""
    return {"data": data, "layout": layout(dark, **extra), "config": CONFIG}


def bar(
    name: str,
    color: str,
    x: list[str],
    minors: Sequence[int],
    keys: Sequence[Any],
    currency: str,
    hover: str = "{name} {label}: {amount}",
) -> dict[str, Any]:
    """A bar trace whose hover shows the exact amount (`hover` with the trace's name, the bar's
    label and its amount) and whose customdata carries the key a click opens."""
    name, x = plain(name), [plain(label) for label in x]
    return {
        "type": "bar",
        "name": name,
        "x": x,
        "y": [major(v, currency) for v in minors],
        "marker": {"color": color},
        "customdata": [
            [hover.format(name=name, label=label, amount=money.format_amount(v, currency)), key]
            for label, v, key in zip(x, minors, keys, strict=True)
        ],
        "hovertemplate": HOVER,
    }


def donut(
    categories: Sequence[CategoryTotal], currency: str, dark: bool, max_slices: int = 7
) -> Figure:
    """Spending by top-level category; slices past `max_slices` or under 3% become Other."""
    positive = sorted((c for c in categories if c.total > 0), key=lambda c: -c.total)
    whole = sum(c.total for c in positive)
    shown = [c for c in positive[:max_slices] if c.total * 100 >= whole * 3]
    rest = positive[len(shown) :]
    labels = [plain(c.name) for c in shown]
    minors = [c.total for c in shown]
    colors = [c.color for c in shown]
    ids: list[int | str | None] = [c.id if c.id is not None else "uncategorized" for c in shown]
    if rest:
        labels.append("Other")
        minors.append(sum(c.total for c in rest))
        colors.append(OTHER_COLOR)
        ids.append(None)
    trace = {
        "type": "pie",
        "hole": 0.55,
        "labels": labels,
        "values": [major(v, currency) for v in minors],
        "marker": {"colors": colors},
        "customdata": [
            [money.format_amount(v, currency), category_id]
            for v, category_id in zip(minors, ids, strict=True)
        ],
        "hovertemplate": "%{label}<br>%{customdata[0]} (%{percent})<extra></extra>",
        "textinfo": "percent",
        "sort": False,
        "direction": "clockwise",
    }
    center = {
        "text": money.format_amount(whole, currency),
        "showarrow": False,
        "font": {"size": 16},
    }
    return figure([trace], dark, annotations=[center], showlegend=True)


def income_expense_bars(months: Sequence[MonthFlow], currency: str, dark: bool) -> Figure:
    """Income and expense bars per month with the net as a line."""
    x = [_month_label(m.month) for m in months]
    keys = [m.month.isoformat() for m in months]
    net = [m.net for m in months]
    line = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "Net",
        "x": x,
        "y": [major(v, currency) for v in net],
        "line": {"color": NET_COLOR, "width": 3},
        "customdata": [
            [f"Net {label}: {money.format_amount(v, currency)}", key]
            for v, label, key in zip(net, x, keys, strict=True)
        ],
        "hovertemplate": HOVER,
    }
    data = [
        bar("Income", INCOME_COLOR, x, [m.income for m in months], keys, currency),
        bar("Expenses", EXPENSE_COLOR, x, [m.expenses for m in months], keys, currency),
        line,
    ]
    return figure(data, dark, barmode="group", xaxis={"type": "category"})


def net_worth_lines(
    points: Sequence[NetWorthPoint], currency: str, dark: bool, converted: bool = False
) -> Figure:
    """Net worth over time, with assets and liabilities as their own lines. A `converted`
    series says so on hover, with the part of each month's change that came from rates."""
    x = [p.month.isoformat() for p in points]

    def note(point: NetWorthPoint) -> str:
        if not converted:
            return ""
        text = f"<br>in {currency} at month-end rates"
        if point.fx_effect:
            sign = "+" if point.fx_effect > 0 else ""
            text += (
                f"<br>{sign}{money.format_amount(point.fx_effect, currency)} "
                "of the change came from exchange rates"
            )
        return text

    def line(name: str, color: str, minors: list[int], width: int, dash: str = "solid"):
        return {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": x,
            "y": [major(v, currency) for v in minors],
            "line": {"color": color, "width": width, "dash": dash},
            # The month too: a click opens the transactions that moved it.
            "customdata": [
                [f"{name} {label[:7]}: {money.format_amount(v, currency)}{note(point)}", label]
                for v, label, point in zip(minors, x, points, strict=True)
            ],
            "hovertemplate": HOVER,
        }

    data = [
        line("Assets", INCOME_COLOR, [p.assets for p in points], 2, "dot"),
        line("Liabilities", EXPENSE_COLOR, [p.liabilities for p in points], 2, "dot"),
        line("Net worth", NET_COLOR, [p.net_worth for p in points], 4),
    ]
    return figure(data, dark, xaxis={"type": "date", "tickformat": "%Y-%m"})


def _node_id(category: CategoryTotal) -> str:
    return f"c{category.id}" if category.id is not None else f"u-{category.kind}"


def _drawn_totals(categories: Sequence[CategoryTotal]) -> dict[str, int]:
    """Sizes to draw: a refund can make a category negative, which a sunburst cannot show,
    so each node is its own positive part plus its children's drawn sizes ("total" mode)."""
    children: dict[str, list[CategoryTotal]] = {}
    for c in categories:
        if c.parent_id is not None:
            children.setdefault(f"c{c.parent_id}", []).append(c)
    drawn: dict[str, int] = {}

    def size(c: CategoryTotal) -> int:
        node = _node_id(c)
        if node not in drawn:
            drawn[node] = max(c.own, 0) + sum(size(k) for k in children.get(node, []))
        return drawn[node]

    for c in categories:
        size(c)
    return drawn


def sunburst(categories: Sequence[CategoryTotal], currency: str, dark: bool) -> Figure:
    """The whole category tree of one kind; a click on a ring opens its transactions (its
    sub-categories' included), so every ring leads somewhere, not only the outer ones."""
    drawn = _drawn_totals(categories)
    shown = [c for c in categories if drawn[_node_id(c)] > 0]
    trace = {
        "type": "sunburst",
        "ids": [_node_id(c) for c in shown],
        "parents": [f"c{c.parent_id}" if c.parent_id is not None else "" for c in shown],
        "labels": [plain(c.name) for c in shown],
        "values": [major(drawn[_node_id(c)], currency) for c in shown],
        "branchvalues": "total",
        "marker": {"colors": [c.color for c in shown]},
        "customdata": [
            [money.format_amount(c.total, currency), c.id if c.id is not None else "uncategorized"]
            for c in shown
        ],
        "hovertemplate": "%{label}<br>%{customdata[0]}<extra></extra>",
        "insidetextorientation": "radial",
    }
    return figure([trace], dark)


def sankey(
    income: Sequence[CategoryTotal],
    expenses: Sequence[CategoryTotal],
    currency: str,
    dark: bool,
    *,
    top_level: bool = False,
) -> Figure:
    """Cash flow: income sub-categories -> income categories -> total income -> expense
    categories -> their sub-categories, with savings as its own flow, or a deficit feeding the
    total when spending is larger. `top_level` leaves the sub-categories out (for phones)."""
    labels: list[str] = []
    colors: list[str] = []
    node_data: list[list[Any]] = []
    sources: list[int] = []
    targets: list[int] = []
    values: list[int] = []

    def node(label: str, color: str, amount: int, category_id: int | str | None) -> int:
        label = plain(label)
        labels.append(label)
        colors.append(color)
        node_data.append([f"{label}: {money.format_amount(amount, currency)}", category_id])
        return len(labels) - 1

    def link(source: int, target: int, amount: int) -> None:
        sources.append(source)
        targets.append(target)
        values.append(amount)

    def cid(c: CategoryTotal) -> int | str:
        return c.id if c.id is not None else "uncategorized"

    def children(parent: CategoryTotal, pool: Sequence[CategoryTotal]) -> list[CategoryTotal]:
        if parent.id is None or top_level:
            return []
        return [c for c in pool if c.parent_id == parent.id and c.total > 0]

    tops_in = [c for c in income if c.parent_id is None and c.total > 0]
    tops_out = [c for c in expenses if c.parent_id is None and c.total > 0]
    total_in = sum(c.total for c in tops_in)
    total_out = sum(c.total for c in tops_out)
    hub = node("Total income", NET_COLOR, total_in, None)
    for c in tops_in:
        top = node(c.name, c.color, c.total, cid(c))
        link(top, hub, c.total)
        for child in children(c, income):
            link(node(child.name, child.color, child.total, cid(child)), top, child.total)
    if total_out > total_in:
        link(node("Deficit", DEFICIT_COLOR, total_out - total_in, None), hub, total_out - total_in)
    for c in tops_out:
        top = node(c.name, c.color, c.total, cid(c))
        link(hub, top, c.total)
        for child in children(c, expenses):
            link(top, node(child.name, child.color, child.total, cid(child)), child.total)
    if total_in > total_out:
        link(hub, node("Savings", SAVINGS_COLOR, total_in - total_out, None), total_in - total_out)

    trace = {
        "type": "sankey",
        "arrangement": "fixed",
        "node": {
            "label": labels,
            "color": colors,
            "customdata": node_data,
            "hovertemplate": "%{customdata[0]}<extra></extra>",
            "pad": 12,
        },
        "link": {
            "source": sources,
            "target": targets,
            # Each flow takes the color of the category it comes from or goes to, see-through.
            "color": [
                _translucent(colors[s] if t == hub else colors[t])
                for s, t in zip(sources, targets, strict=True)
            ],
            "value": [major(v, currency) for v in values],
            "customdata": [
                [
                    f"{labels[s]} → {labels[t]}: {money.format_amount(v, currency)}",
                    node_data[t][1] if node_data[t][1] is not None else node_data[s][1],
                ]
                for s, t, v in zip(sources, targets, values, strict=True)
            ],
            "hovertemplate": "%{customdata[0]}<extra></extra>",
        },
    }
    return figure([trace], dark)


def _translucent(color: str, alpha: float = 0.35) -> str:
    """`#RRGGBB` as an `rgba()` color with the given opacity (other notations pass through)."""
    if len(color) != 7 or not color.startswith("#"):
        return color
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def trend(series: Sequence[TrendSeries], currency: str, dark: bool, stacked: bool) -> Figure:
    """Chosen categories per month, as lines or as stacked bars."""
    data = []
    for s in series:
        x = [_month_label(m) for m in s.months]
        name = plain(s.category.name)
        trace: dict[str, Any] = {
            "type": "bar" if stacked else "scatter",
            "name": name,
            "x": x,
            "y": [major(v, currency) for v in s.values],
            "marker": {"color": s.category.color},
            "customdata": [
                [
                    f"{name} {label}: {money.format_amount(v, currency)}",
                    s.category.id,
                    m.isoformat(),
                ]
                for v, label, m in zip(s.values, x, s.months, strict=True)
            ],
            "hovertemplate": HOVER,
        }
        if not stacked:
            trace["mode"] = "lines+markers"
            trace["line"] = {"color": s.category.color, "width": 3}
        data.append(trace)
    return figure(data, dark, barmode="stack", xaxis={"type": "category"})


def transactions_url(
    category: int | str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    account: int | None = None,
) -> str:
    """The `/transactions` address filtered by category (or Uncategorized), dates and account."""
    query: dict[str, str] = {}
    if category == "uncategorized":
        query["uncategorized"] = "1"
    elif category is not None:
        query["category"] = str(category)
    if start:
        query["start"] = start.isoformat()
    if end:
        query["end"] = end.isoformat()
    if account is not None:
        query["account"] = str(account)
    return "/transactions" + ("?" + urlencode(query) if query else "")


# Only the clicked point's customdata goes to the server: plotly's point objects can be circular
# (a Sankey node links to its links), which cannot be sent as JSON. A pie slice may stand for
# several points, so plotly wraps its customdata in a list.
CLICK_JS = """(event) => {
    const point = event && event.points && event.points[0];
    let data = point && point.customdata;
    if (Array.isArray(data) && Array.isArray(data[0])) data = data[0];
    if (Array.isArray(data)) emit(data);
}"""


def clicked(event: events.GenericEventArguments) -> list[Any] | None:
    """The customdata list a plotly_click event sent (see CLICK_JS), if any."""
    return event.args if isinstance(event.args, list) else None


class Plot(ui.plotly):
    """A chart whose figure goes to the browser as plain data.

    NiceGUI wraps every dict and list of a figure in a change-tracking object: thousands per
    chart of a few years, built on the event loop and walked by the garbage collector. With
    many tabs open that held every request (`/health` too) for seconds. Figures here change
    only by a new `update()`, which sends the figure whole, so nothing needs tracking.
    """

    def update(self) -> None:
        with self._props.suspend_updates():
            dict.__setitem__(self._props, "options", self._get_figure_json())
        ui.element.update(self)


def chart(
    figure: Figure,
    on_click: Callable[[list[Any]], None] | None = None,
    height: str = "22rem",
) -> ui.plotly:
    """A full-width, responsive chart; `on_click` receives the clicked point's customdata."""
    plot = Plot(figure).classes("w-full").style(f"height: {height}")
    if on_click is not None:

        def handle(event: events.GenericEventArguments) -> None:
            data = clicked(event)
            if data is not None:
                on_click(data)

        plot.on("plotly_click", handle, js_handler=CLICK_JS)
    _follow_dark_mode(plot)
    return plot


def _follow_dark_mode(plot: ui.plotly) -> None:
    """Swap the chart's template when the page's dark-mode switch is flipped."""
    modes = [e for e in context.client.elements.values() if isinstance(e, DarkMode)]
    if not modes:
        return

    def restyle(event: events.ValueChangeEventArguments) -> None:
        if plot.is_deleted:
            return
        plot.figure["layout"]["template"] = _template(bool(event.value))
        plot.update()

    modes[0].on_value_change(restyle)


def month_period(month_iso: str) -> periods.Period:
    """The first and last day of the month an ISO date falls in."""
    day = dt.date.fromisoformat(month_iso)
    return periods.Period(periods.month_start(day), periods.month_end(day))
