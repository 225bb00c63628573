"""HTTP middleware (pure ASGI): the login gate, security headers and the request log."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fintrack.config import Settings
from web import install, session
from web.redact import redact

log = logging.getLogger("fintrack.http")

# The login page is plain HTML with inline styles: even NiceGUI's assets need a session.
# (/health is answered before this layer, web/health.py)
PUBLIC_PATHS = {"/login", "/favicon.ico", *install.PUBLIC_PATHS}
ASSET_PREFIX = "/_nicegui/"


class LoginGate:
    """Every page but the public ones needs a session; /api and NiceGUI's routes answer 401.

    Pure ASGI, like the other layers here: it runs on every request, and BaseHTTPMiddleware
    costs a task group and two streams each time. It never queries the database on the loop:
    the session version comes from a cache refreshed in a worker thread.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            await session.ensure_fresh()
        except SQLAlchemyError:
            log.exception("database unreachable while checking the session")
            response: Response = PlainTextResponse(
                "fintrack cannot reach its database right now. Please try again in a moment.",
                status_code=503,
            )
            await response(scope, receive, send)
            return
        if session.logged_in_user(request, self.settings):
            await self.app(
                scope, receive, send if path.startswith(ASSET_PREFIX) else _no_store(send)
            )
            return
        if path.startswith(("/api/", ASSET_PREFIX)) or path == "/api":
            response = JSONResponse({"detail": "Not logged in"}, status_code=401)
        else:
            target = path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        await response(scope, receive, send)


def _no_store(send: Send) -> Send:
    """`send` that marks the response as not to be cached: pages and exports hold finances."""

    async def send_no_store(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message)["Cache-Control"] = "no-store"
        await send(message)

    return send_no_store


class SecurityHeaders:
    """Headers that keep the app out of frames and pin what the browser may load.

    Pure ASGI (like RequestLog): every request passes here, and BaseHTTPMiddleware costs more.
    """

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # NiceGUI's Vue templates are compiled in the browser: they need 'unsafe-eval'.
                headers["Content-Security-Policy"] = (
                    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
                    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                    f"font-src 'self' data:; connect-src 'self' ws://{host} wss://{host}; "
                    "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; "
                    "form-action 'self'"
                )
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                if self.production:
                    headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLog:
    """One line per request: method, path (never the query string or an id), status, duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        method, path = scope["method"], redact(scope["path"])  # before routing rewrites the path

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            ms = round((time.perf_counter() - started) * 1000, 1)
            log.info(
                "%s %s %s %.1fms",
                method,
                path,
                status,
                ms,
                extra={"method": method, "path": path, "status": status, "ms": ms},
            )
