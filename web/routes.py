"""Plain HTTP routes: the health check, the login form and file exports."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any, TextIO

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from nicegui import run
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

import fintrack
from fintrack import backup, db, export, search
from fintrack.config import Settings
from web import login

HEALTH_TIMEOUT_SECONDS = 2.5
STARTED = time.monotonic()


def register(app: FastAPI, settings: Settings) -> None:
    """Add /health, /login and the export downloads to the app."""
    login.register(app, settings)
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

    # Behind the login gate like every /api path. Sync routes: FastAPI runs them in a thread.
    @app.get("/api/export/transactions.csv", include_in_schema=False)
    def export_transactions(request: Request) -> Any:
        params = dict(request.query_params)
        params["account"] = ",".join(request.query_params.getlist("account"))
        filters = search.Filters.from_query_params(params)
        try:
            return _file_response(
                lambda s, out: export.export_transactions_csv(s, out, filters),
                f"fintrack-transactions-{dt.date.today()}.csv",
                "text/csv",
            )
        except search.QueryError as error:
            return JSONResponse({"detail": str(error)}, status_code=400)

    @app.get("/api/export/backup.json", include_in_schema=False)
    def export_backup() -> FileResponse:
        return _file_response(
            backup.write_backup, f"fintrack-backup-{dt.date.today()}.json", "application/json"
        )


def _file_response(
    write: Callable[[Session, TextIO], object], filename: str, media_type: str
) -> FileResponse:
    """Write an export to a temporary file, not to memory, and send it as a download."""
    handle, path = tempfile.mkstemp(prefix=export.TEMPORARY_PREFIXES[0])
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out, db.session() as s:
            write(s, out)
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(
        path, media_type=media_type, filename=filename, background=BackgroundTask(os.unlink, path)
    )
