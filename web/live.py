"""The live connection (NiceGUI's socket.io link and per-client routes), guarded by the session.

NiceGUI trusts whoever knows a page's client id: its socket.io server accepts every origin,
its connect handler checks only ids from the query string, its event handler ignores which
socket sent an event, and its upload route reads the whole body first. Here:
- `LiveGuard`, a pure ASGI layer (it sees websockets, unlike BaseHTTPMiddleware), refuses a
  foreign `Origin`, requests without a valid session cookie, and uploads over the size limit,
  before NiceGUI sees them;
- `guard_socket_events` drops events that name a client the sending socket did not shake hands
  with, or whose socket's session has ended;
- `watch_sessions` and `logout` send every tab whose session has ended back to the login page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from nicegui import Client, background_tasks, core
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fintrack import auth
from fintrack.config import Settings
from web import session

log = logging.getLogger("fintrack.live")

SOCKET_PREFIX = "/_nicegui_ws/"
CLIENT_PREFIX = "/_nicegui/client/"
# How often open tabs are checked against the session (logout elsewhere, expiry, CLI changes).
WATCH_SECONDS = 2.0
CLOSE_DELAY_SECONDS = 1.0


class UploadTooLarge(Exception):
    """An upload body passed the size limit while it streamed in."""


def same_origin(headers: Headers) -> bool:
    """True when the request names no Origin (not a browser's cross-site call) or our own host."""
    origin = headers.get("origin")
    if origin is None:
        return True
    return bool(origin) and urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


class LiveGuard:
    """Pure ASGI middleware for the socket.io endpoint and NiceGUI's per-client HTTP routes."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.max_upload_bytes = settings.max_upload_mb * 1024 * 1024
        self.watcher: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._watching(receive), send)
            return
        path = scope.get("path", "")
        if scope["type"] not in {"http", "websocket"} or not path.startswith(
            (SOCKET_PREFIX, CLIENT_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not same_origin(headers):
            await _refuse(scope, send, 403, "Cross-origin requests are not allowed.")
            return
        try:
            await session.ensure_fresh()
        except SQLAlchemyError:
            log.exception("database unreachable while checking the session")
            await _refuse(scope, send, 503, "The database is unreachable.")
            return
        cookie = SimpleCookie(headers.get("cookie", ""))
        token = cookie[auth.COOKIE_NAME].value if auth.COOKIE_NAME in cookie else None
        if session.user_of_token(self.settings, token) is None:
            await _refuse(scope, send, 401, "Not logged in.")
            return
        if scope["type"] == "http" and path.startswith(CLIENT_PREFIX):
            await self._limited(scope, receive, send, headers)
            return
        await self.app(scope, receive, send)

    def _watching(self, receive: Receive) -> Receive:
        """`receive` for the server's lifespan: `watch_sessions` runs while the server does."""

        async def receive_and_watch() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.watcher = asyncio.create_task(watch_sessions(self.settings))
            elif message["type"] == "lifespan.shutdown" and self.watcher:
                self.watcher.cancel()
            return message

        return receive_and_watch

    async def _limited(self, scope: Scope, receive: Receive, send: Send, headers: Headers) -> None:
        """Pass the request on, refusing bodies over the upload limit before they are read."""
        limit = self.max_upload_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, 413, _too_large(self.settings))
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await _refuse(scope, send, 413, _too_large(self.settings))
                    raise UploadTooLarge
            return message

        async def quiet_send(message: Message) -> None:
            if not refused:  # the 413 has been sent; whatever the app answers goes nowhere
                await send(message)

        try:
            await self.app(scope, counting_receive, quiet_send)
        except Exception:
            if not refused:  # after a 413, the app's complaint about its cut-off body is moot
                raise


def _too_large(settings: Settings) -> str:
    return f"The file is larger than the limit of {settings.max_upload_mb} MB."


async def _refuse(scope: Scope, send: Send, status: int, text: str) -> None:
    if scope["type"] == "websocket":
        # Closing before accepting makes the server answer the handshake with 403.
        await send({"type": "websocket.close", "code": 1008})
        return
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _socket_user(settings: Settings, sid: str) -> str | None:
    """The session user of a socket, from the cookie its connection was opened with."""
    environ = core.sio.get_environ(sid) or {}
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    token = cookie[auth.COOKIE_NAME].value if auth.COOKIE_NAME in cookie else None
    return session.user_of_token(settings, token)


def _sockets(client: Client) -> list[str]:
    # NiceGUI keeps the sockets that completed a handshake per client; it has no public accessor.
    return list(client._socket_to_document_id)


def _simulated(sid: str) -> bool:
    """NiceGUI's in-process test user shakes hands with made-up socket ids and no connection."""
    return sid.startswith("test-")


def guard_socket_events(settings: Settings) -> None:
    """Wrap NiceGUI's socket.io handlers so only the socket bound to a client may speak for it."""
    handlers = core.sio.handlers["/"]
    for name in ("event", "javascript_response", "ack", "log"):
        handlers[name] = _guarded(handlers[name], settings)
    core.sio.eio.cors_allowed_origins = []  # no CORS answers at all; LiveGuard checks the Origin


def _guarded(handler: Callable[[str, Any], Any], settings: Settings) -> Callable[[str, Any], Any]:
    def guarded(sid: str, msg: Any) -> Any:
        client_id = msg.get("client_id") if isinstance(msg, dict) else None
        client = Client.instances.get(client_id) if isinstance(client_id, str) else None
        if client is None or sid not in _sockets(client):
            return None
        if not _simulated(sid) and _socket_user(settings, sid) is None:
            return None
        return handler(sid, msg)

    return guarded


async def end_stale_connections(settings: Settings) -> None:
    """Send every tab whose session has ended to the login page and close its socket."""
    for client in list(Client.instances.values()):
        for sid in _sockets(client):
            if _simulated(sid) or _socket_user(settings, sid) is not None:
                continue
            # NiceGUI's page script reloads on `try_reconnect`; the reload meets the login gate.
            # The socket closes a moment later, so the message is delivered first (a polling
            # transport hands it over only on its next request).
            await core.sio.emit("try_reconnect", {}, to=sid)
            background_tasks.create(_close_later(sid), name="close a socket whose session ended")


async def _close_later(sid: str) -> None:
    await asyncio.sleep(CLOSE_DELAY_SECONDS)
    await core.sio.disconnect(sid)


async def logout(settings: Settings) -> None:
    """End every session and send every open tab to the login page at once."""
    await asyncio.to_thread(session.end_all_sessions)
    await end_stale_connections(settings)


async def watch_sessions(settings: Settings) -> None:
    """Every few seconds: re-read the session version off the loop and end stale tabs."""
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        try:
            await asyncio.to_thread(session.refresh)
        except SQLAlchemyError:
            log.warning("database unreachable while refreshing the session version")
            continue
        try:
            await end_stale_connections(settings)
        except Exception:
            log.exception("could not end stale connections")
