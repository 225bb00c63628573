"""Plain HTTP routes: the login form and file exports (/health is web/health.py)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from typing import Any, TextIO

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from fintrack import backup, db, export
from fintrack.config import Settings
from fintrack.filters import TransactionFilters
from fintrack.query import QueryError
from web import login


def register(app: FastAPI, settings: Settings) -> None:
    """Add /login and the export downloads to the app."""
    login.register(app, settings)

    # Behind the login gate like every /api path. Sync routes: FastAPI runs them in a thread.
    @app.get("/api/export/transactions.csv", include_in_schema=False)
    def export_transactions(request: Request) -> Any:
        params = dict(request.query_params)
        params["account"] = ",".join(request.query_params.getlist("account"))
        filters = TransactionFilters.from_query_params(params)
        try:
            return _file_response(
                lambda s, out: export.export_transactions_csv(s, out, filters),
                f"fintrack-transactions-{dt.date.today()}.csv",
                "text/csv",
            )
        except QueryError as error:
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
