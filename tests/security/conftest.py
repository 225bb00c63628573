"""Attacks on a real `python main.py`: HTTP by hand, the live connection by python-socketio."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
import pytest
import socketio

from fintrack import auth
from tests.conftest import ADMIN_PASSWORD, ADMIN_USERNAME, reset_postgres
from tests.e2e.conftest import Server, app_environment, free_port, start_server

# Small, so the upload tests need only a few megabytes to pass it.
MAX_UPLOAD_MB = 1
FOREIGN_ORIGIN = "https://evil.example"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One app for the security layer, on SQLite, with a 1 MB upload limit."""
    data_dir = tmp_path_factory.mktemp("security") / "data"
    env = app_environment(data_dir, free_port(), MAX_UPLOAD_MB=str(MAX_UPLOAD_MB))
    server = start_server(data_dir, env=env)
    yield server
    server.stop()


def log_in(server: Server) -> str:
    """Log in through the form; the session cookie's value."""
    response = httpx.post(
        f"{server.url}/login",
        data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
        headers={"Origin": server.url},
    )
    assert response.status_code == 303, response.text
    return response.cookies[auth.COOKIE_NAME]


@dataclass
class OpenPage:
    """A page as the browser received it: its client id and its elements."""

    client_id: str
    elements: dict[str, dict[str, Any]]

    def element(self, **props: str) -> str:
        """The id of the one element whose props include `props`."""
        found = [
            key
            for key, element in self.elements.items()
            if all(element.get("props", {}).get(k) == v for k, v in props.items())
        ]
        assert len(found) == 1, (props, found)
        return found[0]

    def click(self, element_id: str) -> dict[str, Any]:
        """The socket.io `event` message a browser sends when the element is clicked."""
        listener = self.elements[element_id]["events"][0]["listener_id"]
        return {"id": int(element_id), "client_id": self.client_id, "listener_id": listener}


def open_page(server: Server, cookie: str, path: str = "/") -> OpenPage:
    """GET a page with the session cookie and read the ids a browser would use."""
    response = httpx.get(f"{server.url}{path}", headers={"Cookie": f"{auth.COOKIE_NAME}={cookie}"})
    assert response.status_code == 200, response.status_code
    client_id = re.search(r"'client_id': '([0-9a-f-]+)'", response.text)
    elements = re.search(r"parseElements\(String.raw`(.*?)`\)", response.text, re.S)
    assert client_id and elements
    return OpenPage(client_id.group(1), json.loads(elements.group(1)))


@dataclass
class Socket:
    """A connected python-socketio client and the messages the server sent it."""

    client: socketio.AsyncClient
    http: aiohttp.ClientSession
    received: list[tuple[str, Any]] = field(default_factory=list)

    async def emit(self, event: str, data: Any) -> None:
        await self.client.emit(event, data)


async def connect(
    server: Server,
    page: OpenPage,
    transport: str,
    cookie: str | None,
    origin: str | None = None,
) -> Socket:
    """Open the live connection for `page` the way NiceGUI's page script does."""
    headers = {"Origin": origin or server.url}
    if cookie:
        headers["Cookie"] = f"{auth.COOKIE_NAME}={cookie}"
    # Session-wide headers: python-socketio sends its own `headers=` on the first request only.
    http = aiohttp.ClientSession(headers=headers)
    client = socketio.AsyncClient(reconnection=False, http_session=http)
    socket = Socket(client, http)

    @client.on("*")
    async def record(event: str, data: Any = None) -> None:
        socket.received.append((event, data))

    query = (
        f"client_id={page.client_id}&tab_id={uuid.uuid4()}&document_id={uuid.uuid4()}"
        "&implicit_handshake=true&next_message_id=0"
    )
    try:
        await client.connect(
            f"{server.url}?{query}",
            transports=[transport],
            socketio_path="/_nicegui_ws/socket.io",
            wait_timeout=5,
        )
    except BaseException:
        await http.close()
        raise
    return socket


@pytest.fixture
async def sockets() -> AsyncIterator[list[Socket]]:
    """Sockets a test opened, closed at its end."""
    opened: list[Socket] = []
    yield opened
    for socket in opened:
        # Aborting skips waiting for a long-poll to return, as a closed browser tab would.
        await socket.client.eio.disconnect(abort=True)
        await socket.http.close()


def dark_mode_stored(server: Server) -> str | None:
    """The dark-mode choice as stored in the app's database ("1", "0" or None)."""
    with sqlite3.connect(server.data_dir / "fintrack.db") as connection:
        row = connection.execute("SELECT value FROM app_state WHERE key = 'dark_mode'").fetchone()
    return row[0] if row else None


async def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """True as soon as `check()` is, False when `seconds` pass first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


@pytest.fixture(scope="session")
def production_url() -> str:
    """An emptied PostgreSQL database for a production-mode app (production refuses SQLite)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("production mode needs PostgreSQL: set TEST_DATABASE_URL")
    reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def production_server(
    tmp_path_factory: pytest.TempPathFactory, production_url: str
) -> Iterator[Server]:
    """The app with APP_ENV=production, as a platform runs it (no TRUSTED_PROXIES set)."""
    data_dir = tmp_path_factory.mktemp("production") / "data"
    env = app_environment(data_dir, free_port(), APP_ENV="production", DATABASE_URL=production_url)
    server = start_server(data_dir, env=env)
    yield server
    server.stop()
