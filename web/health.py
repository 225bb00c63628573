"""GET /health, answered by the outermost layer of the app, ahead of everything else; and
page builds admitted one at a time.

A platform restarts a service whose health check is slow, so the check must not wait behind
page work. Under NiceGUI's own middleware each request passes several tasks and streams, and
every hop waits for its turn on an event loop that many tabs keep busy: with 50 tabs loading,
/health took seconds. Here it skips all of that: the answer comes from the last database
check while that is recent, and a new check runs in a thread of its own, shared by the
requests that arrive meanwhile, and gives up in time for the 3 s contract.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

import fintrack
from fintrack import db
from fintrack.config import Settings
from web.middleware import RequestLog, SecurityHeaders

PATH = "/health"
TIMEOUT_SECONDS = 2.5
STARTED = time.monotonic()


# Not page builds: NiceGUI's files, downloads (which may take long), the login form, icons.
NOT_PAGES = ("/_nicegui/", "/api/", "/login", "/favicon.ico", "/manifest", "/icons/")
BUILDS_AT_ONCE = 1
_builds: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None


def _is_page(path: str) -> bool:
    return not path.startswith(NOT_PAGES)


def _building() -> asyncio.Semaphore:
    global _builds
    loop = asyncio.get_running_loop()
    if _builds is None or _builds[0] is not loop:  # a semaphore belongs to one loop
        _builds = (loop, asyncio.Semaphore(BUILDS_AT_ONCE))
    return _builds[1]


class HealthCheck:
    """Pure ASGI: `/health` here (with the security headers and the request log line), every
    other request to `app`."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.cache_seconds = settings.health_cache_seconds
        self.endpoint = RequestLog(SecurityHeaders(self._answer, production=settings.production))
        self.last_healthy = float("-inf")
        self._check: asyncio.Future[bool] | None = None
        # A thread of its own: never queued behind page loads or a stuck database call.
        self._pinger = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH:
            await self.endpoint(scope, receive, send)
        elif scope["type"] == "http" and scope["method"] == "GET" and _is_page(scope["path"]):
            # Building a page holds the event loop. One at a time, the others waiting here at
            # no cost: a health check or a click then waits behind one build, not fifty (and
            # with fewer builds fighting over the interpreter, pages come sooner too).
            async with _building():
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def healthy(self) -> bool:
        """Whether the database answered lately; checks it again when not (each real check
        wakes a suspended Neon compute, so healthy answers are reused for a while)."""
        now = time.monotonic()
        if now - self.last_healthy < self.cache_seconds:
            return True
        if self._check is None or self._check.done():
            self._check = asyncio.get_running_loop().run_in_executor(self._pinger, db.ping)
        try:
            healthy = await asyncio.wait_for(asyncio.shield(self._check), TIMEOUT_SECONDS)
        except TimeoutError:
            return False
        if healthy:
            self.last_healthy = now
        return healthy

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        healthy = await self.healthy()
        body = {
            "status": "healthy" if healthy else "unhealthy",
            "database": "connected" if healthy else "unreachable",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "uptime": round(time.monotonic() - STARTED, 1),
            "version": fintrack.__version__,
        }
        await JSONResponse(body, status_code=200 if healthy else 503)(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    """Put the health check outside the whole middleware stack, NiceGUI's included (which
    `ui.run` adds last, so `add_middleware` cannot get outside it)."""
    build = type(app).build_middleware_stack  # the class's: installing twice does not nest

    def build_with_health_check() -> ASGIApp:
        return HealthCheck(build(app), settings)

    app.build_middleware_stack = build_with_health_check  # type: ignore[method-assign]
    app.middleware_stack = None  # built again, with the check, on the next request
