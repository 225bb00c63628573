"""The live connection (socket.io) answers only the session's own pages, from our own origin.

Finding 1: NiceGUI's socket.io accepted any origin and any caller who knew a page's client id,
applied events from any socket, and kept tabs working after logout.
"""

from __future__ import annotations

import asyncio
import sqlite3

import httpx
import pytest
import socketio

from fintrack import auth
from tests.e2e.conftest import Server
from tests.security.conftest import (
    FOREIGN_ORIGIN,
    Socket,
    connect,
    dark_mode_stored,
    eventually,
    log_in,
    open_page,
)

TRANSPORTS = ["polling", "websocket"]


async def loaded(socket: Socket) -> bool:
    """True once the server has sent the page's first update over the socket."""
    return await eventually(lambda: any(event == "update" for event, _ in socket.received))


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_own_page_with_session_connects_and_its_events_apply(
    live_server: Server, sockets: list[Socket], transport: str
) -> None:
    cookie = log_in(live_server)
    page = open_page(live_server, cookie)
    socket = await connect(live_server, page, transport, cookie)
    sockets.append(socket)
    assert await loaded(socket)  # the page fills in what it reads once connected
    before = dark_mode_stored(live_server)

    await socket.emit("event", page.click(page.element(**{"aria-label": "Dark mode"})))

    assert await eventually(lambda: dark_mode_stored(live_server) != before)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("with_cookie", [True, False], ids=["with-cookie", "no-cookie"])
async def test_foreign_origin_is_refused(
    live_server: Server, transport: str, with_cookie: bool
) -> None:
    cookie = log_in(live_server)
    page = open_page(live_server, cookie)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(live_server, page, transport, cookie if with_cookie else None, FOREIGN_ORIGIN)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_ids_from_a_real_page_without_the_cookie_are_refused(
    live_server: Server, transport: str
) -> None:
    page = open_page(live_server, log_in(live_server))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(live_server, page, transport, cookie=None)


def test_polling_never_answers_a_foreign_origin_with_cors_headers(live_server: Server) -> None:
    cookie = {"Cookie": f"{auth.COOKIE_NAME}={log_in(live_server)}"}
    url = f"{live_server.url}/_nicegui_ws/socket.io/?EIO=4&transport=polling"

    foreign = httpx.get(url, headers={"Origin": FOREIGN_ORIGIN, **cookie})
    own = httpx.get(url, headers={"Origin": live_server.url, **cookie})

    assert foreign.status_code == 403
    assert "access-control-allow-origin" not in foreign.headers
    assert own.status_code == 200
    assert "access-control-allow-origin" not in own.headers


async def test_event_naming_another_client_is_ignored(
    live_server: Server, sockets: list[Socket]
) -> None:
    cookie = log_in(live_server)
    victim, other = open_page(live_server, cookie), open_page(live_server, cookie)
    owner = await connect(live_server, victim, "websocket", cookie)
    intruder = await connect(live_server, other, "websocket", cookie)
    sockets.extend([owner, intruder])
    assert await loaded(owner) and await loaded(intruder)
    click = victim.click(victim.element(**{"aria-label": "Dark mode"}))
    before = dark_mode_stored(live_server)

    await intruder.emit("event", click)  # the socket shook hands for `other`, not `victim`

    assert not await eventually(lambda: dark_mode_stored(live_server) != before, seconds=1.5)
    await owner.emit("event", click)
    assert await eventually(lambda: dark_mode_stored(live_server) != before)


async def test_tab_open_across_logout_is_sent_away_and_changes_nothing(
    live_server: Server, sockets: list[Socket]
) -> None:
    cookie = log_in(live_server)
    left, right = open_page(live_server, cookie), open_page(live_server, cookie)
    left_socket = await connect(live_server, left, "websocket", cookie)
    right_socket = await connect(live_server, right, "polling", cookie)
    sockets.extend([left_socket, right_socket])
    dark_mode = left.click(left.element(**{"aria-label": "Dark mode"}))

    await right_socket.emit("event", right.click(right.element(label="Log out")))

    # The other tab is told to reload (which lands on the login page), then disconnected.
    assert await eventually(lambda: ("try_reconnect", {}) in left_socket.received, seconds=3)
    before = dark_mode_stored(live_server)
    if left_socket.client.connected:
        await left_socket.emit("event", dark_mode)
    assert await eventually(lambda: not left_socket.client.connected, seconds=5)
    assert dark_mode_stored(live_server) == before
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(live_server, left, "websocket", cookie)
    stale = httpx.get(live_server.url, headers={"Cookie": f"{auth.COOKIE_NAME}={cookie}"})
    assert stale.status_code == 303


async def test_session_ended_by_another_process_closes_open_tabs(
    live_server: Server, sockets: list[Socket]
) -> None:
    cookie = log_in(live_server)
    page = open_page(live_server, cookie)
    socket = await connect(live_server, page, "websocket", cookie)
    sockets.append(socket)

    # What `end_all_sessions` does, written by another process straight into the database.
    with sqlite3.connect(live_server.data_dir / "fintrack.db") as connection:
        row = connection.execute(
            "SELECT value FROM app_state WHERE key = ?", (auth.SESSION_VERSION_KEY,)
        ).fetchone()
        version = int(row[0]) if row else 1
        connection.execute(
            "INSERT OR REPLACE INTO app_state (key, value) VALUES (?, ?)",
            (auth.SESSION_VERSION_KEY, str(version + 1)),
        )

    assert await eventually(lambda: ("try_reconnect", {}) in socket.received, seconds=6)
    assert await eventually(lambda: not socket.client.connected, seconds=3)
    await asyncio.sleep(0)
