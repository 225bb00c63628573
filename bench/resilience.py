"""Figures of a server that never blocks: `python -m bench.resilience` prints one JSON object.

- start-up (port open and healthy) with no schedule backlog, then with 20,000 recurring
  items due, and how long the background catch-up then takes to post them all;
- /health answer times (p95, max) while 50 clients load pages at 100,000 transactions.
  A client is what a browser tab does: it GETs the page, connects its live link (only then
  does the page load its data), waits for the data and moves on to the next page.

Runs the production start command against throwaway databases on the PostgreSQL server of
BENCH_DATABASE_URL (else TEST_DATABASE_URL, else the local one).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import os
import re
import secrets
import statistics
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event

import aiohttp
import bcrypt
import socketio
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.startup import (
    cpu_seconds,
    fill_demo,
    free_port,
    production_env,
    running_server,
    session_cookie,
    throwaway_database,
)
from fintrack import db
from fintrack.models import Account, RecurringSchedule, Transaction

BACKLOG_SCHEDULES = 20
BACKLOG_DAYS = 1000  # 20 daily schedules, 1,000 days each: 20,000 items due
STARTS = 3
CLIENTS = 50
PAGES = ("/", "/transactions", "/reports", "/accounts", "/budgets")
HEALTH_EVERY_SECONDS = 0.05


def add_backlog(database_url: str) -> None:
    """Daily schedules that started long ago and never ran: the catch-up's worst case."""
    engine = db.make_engine(database_url)
    with Session(engine) as s, s.begin():
        account = Account(name="Checking", currency="EUR")
        s.add(account)
        s.flush()
        start = dt.date.today() - dt.timedelta(days=BACKLOG_DAYS - 1)
        for number in range(BACKLOG_SCHEDULES):
            s.add(
                RecurringSchedule(
                    name=f"Daily {number}",
                    account_id=account.id,
                    amount=-100,
                    start_date=start,
                    interval_unit="day",
                    auto_post=True,
                )
            )
    engine.dispose()


def posted(database_url: str) -> int:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        count = s.scalar(select(func.count()).select_from(Transaction)) or 0
    engine.dispose()
    return count


def port_open_figures(make_env: Callable[[], dict], name: str) -> dict:
    """Seconds from starting the production command until its port accepts a connection, and
    the CPU seconds it used by then (the figure a busy machine does not stretch); medians of
    STARTS starts, stopped right after the port opened."""
    starts = []
    for _ in range(STARTS):
        with running_server(make_env(), ready=None) as (process, seconds):
            starts.append((seconds, cpu_seconds(process.pid)))
    return {
        f"port_open_{name}_s": round(statistics.median(s for s, _ in starts), 2),
        f"port_open_{name}_max_s": round(max(s for s, _ in starts), 2),
        f"port_open_{name}_cpu_s": round(statistics.median(c for _, c in starts), 2),
    }


def startup_figures(secret: str, password_hash: str) -> dict:
    result: dict = {}
    with throwaway_database() as url:
        with running_server(production_env(url, free_port(), secret, password_hash)):
            pass  # the first start migrates

        def env() -> dict:
            return production_env(url, free_port(), secret, password_hash)

        result.update(port_open_figures(env, "no_backlog"))
        with running_server(env()) as (_, s):
            result["healthy_no_backlog_s"] = round(s, 2)
        add_backlog(url)
        due = BACKLOG_SCHEDULES * BACKLOG_DAYS
        # Stopped right after the port opened: the catch-up is left for the next start.
        result.update(port_open_figures(env, f"backlog_{due}"))
        with running_server(env()) as (_, s):
            result[f"healthy_backlog_{due}_s"] = round(s, 2)
            started = time.perf_counter()
            while posted(url) < due and time.perf_counter() - started < 600:
                time.sleep(0.5)
            result[f"catch_up_{due}_posted"] = posted(url)
            result[f"catch_up_{due}_after_start_s"] = round(time.perf_counter() - started, 1)
    return result


async def visit(base: str, path: str, cookie: str) -> float:
    """One page as a tab loads it: GET, live link, first update after the data arrived."""
    started = time.perf_counter()
    async with (
        aiohttp.ClientSession(headers={"Cookie": cookie}) as http,
        http.get(base + path) as response,
    ):
        html = await response.text()
    client_id = re.search(r"'client_id': '([0-9a-f-]+)'", html).group(1)
    loaded = asyncio.Event()
    sio = socketio.AsyncClient()
    sio.on("update", lambda *_: loaded.set())
    query = (
        f"client_id={client_id}&tab_id={uuid.uuid4()}&document_id={uuid.uuid4()}"
        "&implicit_handshake=true&next_message_id=0"
    )
    await sio.connect(
        f"{base}?{query}",
        socketio_path="/_nicegui_ws/socket.io",
        headers={"Cookie": cookie, "Origin": base},
        transports=["websocket"],
        # A browser's socket.io waits 20 s for the connection to be accepted; the Python
        # client gives up after 1 s, which counted slow answers under load as refusals.
        wait_timeout=20,
    )
    try:
        await asyncio.wait_for(loaded.wait(), 60)
    finally:
        await sio.disconnect()
    return time.perf_counter() - started


def poll_health(url: str, stop: Event, answers: Connection) -> None:
    """Ask `url` every 50 ms, as a platform's health check does (a new connection each time),
    until `stop`; send the answer times back. Its own process: the clients' work in this one
    must not delay the measurement."""
    times: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
        except OSError:
            pass  # a refused or failed check counts with the time it took
        times.append(time.perf_counter() - started)
        time.sleep(HEALTH_EVERY_SECONDS)
    answers.send(times)


async def load_figures(base: str, cookie: str) -> dict:
    pages: list[float] = []
    failed: Counter[str] = Counter()

    async def client(number: int) -> None:
        for offset in range(len(PAGES)):
            path = PAGES[(number + offset) % len(PAGES)]
            try:
                pages.append(await visit(base, path, cookie))
            except (OSError, TimeoutError, AttributeError, ValueError) as error:
                failed[f"{type(error).__name__}: {str(error)[:80]}"] += 1
            except socketio.exceptions.ConnectionError as error:
                failed[f"live link refused: {str(error)[:80]}"] += 1

    spawn = multiprocessing.get_context("spawn")
    stop, (receiver, sender) = spawn.Event(), spawn.Pipe(duplex=False)
    poller = spawn.Process(target=poll_health, args=(f"{base}/health", stop, sender))
    poller.start()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    stop.set()
    health = sorted(receiver.recv())
    poller.join()
    return {
        "health_p50_ms_50_clients": round(health[len(health) // 2] * 1000, 1),
        "health_p95_ms_50_clients": round(health[int(len(health) * 0.95)] * 1000, 1),
        "health_max_ms_50_clients": round(health[-1] * 1000, 1),
        "health_over_250ms_50_clients": sum(t > 0.25 for t in health),
        "health_answers_50_clients": len(health),
        "page_with_data_p95_s_50_clients": round(sorted(pages)[int(len(pages) * 0.95)], 2),
        "page_with_data_median_s_50_clients": round(statistics.median(pages), 2),
        "page_visits_failed_50_clients": sum(failed.values()),
        "page_visits_failed_why": dict(failed),
    }


def figures() -> dict:
    secret = secrets.token_urlsafe(48)
    password_hash = bcrypt.hashpw(b"bench password", bcrypt.gensalt(rounds=4)).decode()
    result = startup_figures(secret, password_hash)
    with throwaway_database() as url:
        with running_server(production_env(url, free_port(), secret, password_hash)):
            pass  # migrate
        result["demo_fill_s"] = round(fill_demo(url), 1)
        cookie = session_cookie(url, secret)
        env = production_env(url, free_port(), secret, password_hash)
        with running_server(env):
            result.update(asyncio.run(load_figures(f"http://127.0.0.1:{env['PORT']}", cookie)))
    result["load_average_1min"] = os.getloadavg()[0]
    return result


if __name__ == "__main__":
    print(json.dumps(figures(), indent=2))
