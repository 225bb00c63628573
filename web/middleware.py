"""HTTP middleware: the login gate, security headers and the request log."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from sqlalchemy.exc import SQLAlchemyError
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from fintrack.config import Settings
from web import session
from web.redact import redact

log = logging.getLogger("fintrack.http")

# The login page is plain HTML with inline styles: even NiceGUI's assets need a session.
PUBLIC_PATHS = {"/login", "/health", "/favicon.ico"}
ASSET_PREFIX = "/_nicegui/"


class LoginGate(BaseHTTPMiddleware):
    """Every page but the public ones needs a session; /api and NiceGUI's routes answer 401."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        super().__init__(app)
        self.settings = settings

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path in PUBLIC_PATHS:
            return await call_next(request)
        try:
            await session.ensure_fresh()
        except SQLAlchemyError:
            log.exception("database unreachable while checking the session")
            return PlainTextResponse(
                "fintrack cannot reach its database right now. Please try again in a moment.",
                status_code=503,
            )
        user = session.logged_in_user(request, self.settings)
        if user:
            request.state.user = user
            response = await call_next(request)
            if not path.startswith(ASSET_PREFIX):
                # Pages and exports hold the person's finances: no copy in any cache.
                response.headers["Cache-Control"] = "no-store"
            return response
        if path.startswith(("/api/", ASSET_PREFIX)) or path == "/api":
            return JSONResponse({"detail": "Not logged in"}, status_code=401)
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


class SecurityHeaders(BaseHTTPMiddleware):
    """Headers that keep the app out of frames and pin what the browser may load."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        super().__init__(app)
        self.production = production

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        host = request.headers.get("host", "")
        # NiceGUI's Vue templates are compiled in the browser: they need 'unsafe-eval'.
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            f"connect-src 'self' ws://{host} wss://{host}; frame-ancestors 'none'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if self.production:
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        return response


class RequestLog(BaseHTTPMiddleware):
    """One line per request: method, path (never the query string or an id), status, duration."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            ms = round((time.perf_counter() - started) * 1000, 1)
            path = redact(request.url.path)
            log.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                status,
                ms,
                extra={"method": request.method, "path": path, "status": status, "ms": ms},
            )
