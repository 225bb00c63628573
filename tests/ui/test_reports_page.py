"""The reports page through the simulated user: charts' data, the statement, CSV, payees."""

from __future__ import annotations

import asyncio
import datetime as dt

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from sqlalchemy import select

from components import charts
from fintrack import db, periods, rates, reports
from fintrack.models import Account, Transaction
from tests import builders as build

THIS_MONTH = periods.month_start(dt.date.today())
LAST_MONTH = periods.add_months(THIS_MONTH, -1)


def add_ledger() -> dict[str, int]:
    """Last month: salary 1,000.00, groceries 200.00 at Aldi; this month: restaurants 50.00
    at Bistro, rent 900.00 to Landlord, a transfer of 300.00 to savings."""
    with db.session() as s:
        checking = build.account(s, "Checking")
        savings = build.account(s, "Savings", kind="savings")
        food = build.category(s, "Food")
        groceries = build.category(s, "Food › Groceries")
        restaurants = build.category(s, "Food › Restaurants")
        rent = build.category(s, "Rent")
        salary = build.category(s, "Salary", kind="income")
        for day, amount, payee, category in (
            (LAST_MONTH, 1000_00, "ACME", salary),
            (LAST_MONTH, -200_00, "Aldi", groceries),
            (THIS_MONTH, -50_00, "Bistro", restaurants),
            (THIS_MONTH, -900_00, "Landlord", rent),
        ):
            build.entry(s, checking, amount, day, payee, category)
        build.transfer(s, checking, savings, 300_00, THIS_MONTH, payee="Move")
        return {"food": food, "groceries": groceries, "rent": rent}


def figure(user: User, trace_type: str) -> dict:
    """The one chart of `trace_type` shown from 600 px up."""
    found = [
        p.figure
        for p in user.find(ui.plotly).elements
        if p.figure["data"][0]["type"] == trace_type and "xs" not in p.classes
    ]
    assert len(found) == 1
    return found[0]


def flows(figure: dict) -> dict[tuple[str, str], float]:
    """A Sankey's links as (source label, target label) -> value."""
    flow = figure["data"][0]
    labels = flow["node"]["label"]
    return {
        (labels[s], labels[t]): v
        for s, t, v in zip(
            flow["link"]["source"], flow["link"]["target"], flow["link"]["value"], strict=True
        )
    }


def table_with(user: User, column: str) -> ui.table:
    found = [t for t in user.find(ui.table).elements if any(c["name"] == column for c in t.columns)]
    assert len(found) == 1
    return found[0]


async def test_charts_follow_the_category_tree_and_the_cash_flow(logged_in: User) -> None:
    ids = add_ledger()
    await logged_in.open("/reports")
    await logged_in.should_see("Category breakdown")
    burst = figure(logged_in, "sunburst")["data"][0]
    nodes = dict(
        zip(burst["ids"], zip(burst["parents"], burst["values"], strict=True), strict=True)
    )
    assert nodes == {
        f"c{ids['rent']}": ("", 900.0),
        f"c{ids['food']}": ("", 250.0),
        f"c{ids['groceries']}": (f"c{ids['food']}", 200.0),
        f"c{ids['groceries'] + 1}": (f"c{ids['food']}", 50.0),
    }
    assert burst["branchvalues"] == "total"
    # 1,000 in, 1,150 out: a deficit of 150 feeds the income node, transfers are left out.
    top_level = {
        ("Salary", "Total income"): 1000.0,
        ("Deficit", "Total income"): 150.0,
        ("Total income", "Rent"): 900.0,
        ("Total income", "Food"): 250.0,
    }
    assert flows(figure(logged_in, "sankey")) == {
        **top_level,
        ("Food", "Groceries"): 200.0,
        ("Food", "Restaurants"): 50.0,
    }
    # Below 600 px (Quasar's `xs`) the labels of five columns overlap: a phone gets the
    # top-level flow instead, and the full one is hidden there (`gt-xs`).
    sankeys = {
        " ".join(c for c in p.classes if c.endswith("xs")): p.figure
        for p in logged_in.find(ui.plotly).elements
        if p.figure["data"][0]["type"] == "sankey"
    }
    assert sorted(sankeys) == ["gt-xs", "xs"]
    assert flows(sankeys["xs"]) == top_level
    trend = figure(logged_in, "scatter")["data"]
    assert [t["name"] for t in trend] == ["Rent", "Food"]
    assert trend[1]["y"][-2:] == [200.0, 50.0]


async def test_statement_table_csv_and_payees(logged_in: User) -> None:
    add_ledger()
    await logged_in.open("/reports")
    await logged_in.should_see("Income statement")
    last, this = LAST_MONTH.strftime("%Y-%m"), THIS_MONTH.strftime("%Y-%m")
    rows = {r["label"].strip("\u2003"): r for r in table_with(logged_in, "label").rows}
    assert (rows["Food"][last], rows["Food"][this], rows["Food"]["total"]) == (
        "€200.00",
        "€50.00",
        "€250.00",
    )
    assert rows["Total expenses"]["total"] == "€1,150.00"
    assert rows["Net"]["total"] == "-€150.00"
    payees = [(r["payee"], r["spent"]) for r in table_with(logged_in, "payee").rows]
    assert payees == [("Landlord", "€900.00"), ("Aldi", "€200.00"), ("Bistro", "€50.00")]

    logged_in.find("Download CSV").click()
    response = await logged_in.download.next()
    lines = response.text.splitlines()
    assert lines[0].startswith("Category,Parent,Kind,") and lines[0].endswith(
        f"{last},{this},Total"
    )
    assert lines[-1].endswith(",800.00,-950.00,-150.00") and lines[-1].startswith("Net,,net,")
    # The payees table exports too, and each payee opens its transactions of the period.
    logged_in.find("Download payees CSV").click()
    response = await logged_in.download.next()
    assert response.text.splitlines()[:2] == ["Payee,Transactions,Spent (EUR)", "Landlord,1,900.00"]
    landlord = table_with(logged_in, "payee").rows[0]["url"]
    await logged_in.open(landlord)
    await logged_in.should_see("1 transaction")
    assert [r["payee"] for r in table_with(logged_in, "payee").rows] == ["Landlord"]


async def test_every_ring_of_the_sunburst_opens_its_transactions(logged_in: User) -> None:
    ids = add_ledger()
    await logged_in.open("/reports")
    await logged_in.should_see("Category breakdown")
    burst = next(
        p for p in logged_in.find(ui.plotly).elements if p.figure["data"][0]["type"] == "sunburst"
    )
    food = next(d for d in burst.figure["data"][0]["customdata"] if d[1] == ids["food"])
    # Food is an inner ring (it has sub-categories): it opens, not only zooms.
    UserInteraction(logged_in, {burst}, None).trigger("plotly_click", food)
    await logged_in.should_see("2 transactions", retries=50)
    assert f"category={ids['food']}" in logged_in.back_history[-1]


async def test_period_choice_narrows_the_figures(logged_in: User) -> None:
    add_ledger()
    await logged_in.open("/reports?period=this_month")
    await logged_in.should_see("Top payees")
    payees = [r["payee"] for r in table_with(logged_in, "payee").rows]
    assert payees == ["Landlord", "Bistro"]
    labels = figure(logged_in, "sankey")["data"][0]["node"]["label"]
    assert "Salary" not in labels and "Deficit" in labels


async def test_no_data_says_so(logged_in: User) -> None:
    await logged_in.open("/reports")
    await logged_in.should_see("Nothing to report for this period and these accounts.")


def test_sankey_links_each_level_once_with_savings() -> None:
    def total(id_, name, parent, kind, amount) -> reports.CategoryTotal:
        return reports.CategoryTotal(id_, name, parent, kind, "#123456", amount, amount)

    income = [total(1, "Work", None, "income", 500_00), total(2, "Bonus", 1, "income", 100_00)]
    expenses = [
        total(3, "Food", None, "expense", 120_00),
        total(4, "Groceries", 3, "expense", 120_00),
        total(None, "Uncategorized", None, "expense", 30_00),
    ]
    flow = charts.sankey(income, expenses, "EUR", dark=False)["data"][0]
    labels = flow["node"]["label"]
    links = [
        (labels[s], labels[t], v)
        for s, t, v in zip(
            flow["link"]["source"], flow["link"]["target"], flow["link"]["value"], strict=True
        )
    ]
    assert links == [
        ("Work", "Total income", 500.0),
        ("Bonus", "Work", 100.0),
        ("Total income", "Food", 120.0),
        ("Food", "Groceries", 120.0),
        ("Total income", "Uncategorized", 30.0),
        ("Total income", "Savings", 350.0),
    ]
    nodes = dict(zip(labels, flow["node"]["customdata"], strict=True))
    assert nodes["Savings"] == ["Savings: €350.00", None]
    assert nodes["Uncategorized"] == ["Uncategorized: €30.00", "uncategorized"]
    assert nodes["Groceries"] == ["Groceries: €120.00", 4]


async def test_choosing_an_account_narrows_the_reports(logged_in: User) -> None:
    add_ledger()
    with db.session() as s:
        build.spend(s, build.account(s, "Cash"), 7_00, THIS_MONTH, "Kiosk")
    await logged_in.open("/reports")
    await logged_in.should_see("Top payees")
    assert "Kiosk" in [r["payee"] for r in table_with(logged_in, "payee").rows]
    logged_in.find(kind=ui.select, content="Accounts").click()
    logged_in.find("Cash", kind=ui.select).click()
    for _ in range(100):  # the reports re-render in the background
        payees = [r["payee"] for r in table_with(logged_in, "payee").rows]
        if payees == ["Kiosk"]:
            break
        await asyncio.sleep(0.05)
    assert payees == ["Kiosk"]
    burst = figure(logged_in, "sunburst")["data"][0]
    assert burst["labels"] == ["Uncategorized"] and burst["customdata"][0][0] == "€7.00"


async def test_custom_dates_are_checked_next_to_the_fields(logged_in: User) -> None:
    add_ledger()
    await logged_in.open("/reports")
    logged_in.find(kind=ui.select, content="Period").click()
    logged_in.find("Custom dates", kind=ui.select).click()
    await logged_in.should_see("Apply")
    logged_in.find(kind=ui.input, content="From").type("2026-13-01")
    logged_in.find("Apply").click()
    await logged_in.should_see('"2026-13-01" is not a valid date (use YYYY-MM-DD)')
    logged_in.find(kind=ui.input, content="From").clear().type(LAST_MONTH.isoformat())
    before = LAST_MONTH - dt.timedelta(days=1)
    logged_in.find(kind=ui.input, content="To").type(before.isoformat())
    logged_in.find("Apply").click()
    await logged_in.should_see("To is before From.")
    logged_in.find(kind=ui.input, content="To").clear()
    logged_in.find(kind=ui.input, content="To").type(periods.month_end(LAST_MONTH).isoformat())
    logged_in.find("Apply").click()
    await logged_in.should_see(f"{LAST_MONTH} – {periods.month_end(LAST_MONTH)}, figures in EUR")
    assert [r["payee"] for r in table_with(logged_in, "payee").rows] == ["Aldi"]


async def test_reports_convert_every_account_and_keep_per_currency_views(logged_in: User) -> None:
    """On top of the ledger: 40.00 USD of groceries this month at a typed-in 2 USD per EUR,
    20.00 in euros: Food is 270.00 in the converted view, and 40.00 in the USD-only view."""
    ids = add_ledger()
    with db.session() as s:
        rates.set_rate(s, LAST_MONTH - dt.timedelta(days=40), "USD", "2")
        dollars = build.account(s, "Dollars", "USD")
        build.spend(s, dollars, 40_00, THIS_MONTH, category_id=ids["groceries"])
    await logged_in.open("/reports")
    await logged_in.should_see("Amounts in other currencies are converted to EUR")
    burst = figure(logged_in, "sunburst")["data"][0]
    values = dict(zip(burst["ids"], burst["values"], strict=True))
    assert values[f"c{ids['food']}"] == 270.0
    rows = {r["label"].strip("\u2003"): r for r in table_with(logged_in, "total").rows}
    assert rows["Total expenses"]["total"] == "€1,170.00"
    select = next(
        s for s in logged_in.find(ui.select).elements if s.props.get("label") == "Currency"
    )
    assert select.options == {
        "all": "All accounts in EUR",
        "EUR": "Only EUR accounts",
        "USD": "Only USD accounts",
    }
    select.set_value("USD")
    await logged_in.should_see("figures in USD")
    await logged_in.should_not_see("Amounts in other currencies are converted")
    rows = {r["label"].strip("\u2003"): r for r in table_with(logged_in, "total").rows}
    assert rows["Total expenses"]["total"] == "$40.00"


async def test_all_time_since_1990_shows_years_as_columns(logged_in: User) -> None:
    add_ledger()
    with db.session() as s:
        checking = s.scalar(select(Account.id).where(Account.name == "Checking"))
        s.add(Transaction(account_id=checking, date=dt.date(1990, 5, 2), amount=-7_00, payee="Old"))
    await logged_in.open("/reports?period=all")
    await logged_in.should_see("Income statement")
    columns = [c["name"] for c in table_with(logged_in, "label").columns]
    years = [str(y) for y in range(1990, dt.date.today().year + 1)]
    assert columns == ["label", *years, "total"]
    rows = {r["label"].strip("\u2003"): r for r in table_with(logged_in, "label").rows}
    assert rows["Total expenses"]["1990"] == "€7.00"


async def test_a_reports_url_reloads_to_the_same_view(logged_in: User) -> None:
    ids = add_ledger()
    with db.session() as s:
        checking = s.scalar(select(Account.id).where(Account.name == "Checking"))
    end = periods.month_end(THIS_MONTH)
    url = (
        f"/reports?period=custom&from={THIS_MONTH}&to={end}"
        f"&account={checking}&currency=EUR&kind=income&chart=stacked"
    )
    await logged_in.open(url)
    await logged_in.should_see(f"{THIS_MONTH} – {end}, figures in EUR")
    selects = {s.props.get("label"): s for s in logged_in.find(ui.select).elements}
    assert selects["Period"].value == "custom"
    assert selects["Accounts"].value == [checking]
    dates = {i.props.get("label"): i.value for i in logged_in.find(ui.input).elements}
    assert (dates["From"], dates["To"]) == (str(THIS_MONTH), str(end))
    toggles = [t.value for t in logged_in.find(ui.toggle).elements]
    assert "income" in toggles and True in toggles  # income breakdown, stacked bars
    assert ids["food"]  # the ledger is there to be shown
    # A change writes the URL again, so a reload (or Back) finds it.
    selects["Period"].set_value("this_year")
    await logged_in.should_see(f"{dt.date.today().year}-01-01 – ")
