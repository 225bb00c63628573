"""Plain HTTP routes: the health check and the login ticket exchange."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from nicegui import run

import fintrack
from fintrack import auth, db
from fintrack.config import Settings
from web import session

HEALTH_TIMEOUT_SECONDS = 2.5
STARTED = time.monotonic()


def register(app: FastAPI, settings: Settings) -> None:
    """Add /health and /auth/complete to the app."""
    last_healthy = {"at": float("-inf")}

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        now = time.monotonic()
        # Each real check wakes a suspended Neon compute; healthy answers are reused briefly.
        healthy = now - last_healthy["at"] < settings.health_cache_seconds
        if not healthy:
            try:
                healthy = await asyncio.wait_for(run.io_bound(db.ping), HEALTH_TIMEOUT_SECONDS)
            except TimeoutError:
                healthy = False
            if healthy:
                last_healthy["at"] = now
        body = {
            "status": "healthy" if healthy else "unhealthy",
            "database": "connected" if healthy else "unreachable",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "uptime": round(now - STARTED, 1),
            "version": fintrack.__version__,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    @app.get("/auth/complete", include_in_schema=False)
    def complete_login(request: Request, ticket: str = "", next: str = "/") -> RedirectResponse:
        username = auth.read_token(settings.jwt_secret, ticket, session.current_version(), "ticket")
        if not username:
            return RedirectResponse("/login", status_code=303)
        response = RedirectResponse(session.safe_next(next), status_code=303)
        response.set_cookie(
            auth.COOKIE_NAME,
            session.session_token(settings, username),
            max_age=settings.session_days * 86400,
            httponly=True,
            samesite="lax",
            secure=settings.production,
            path="/",
        )
        return response
