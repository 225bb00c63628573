"""The error page: a plain message and a request id, never the exception (it may hold SQL)."""

from __future__ import annotations

import html
import logging
import secrets

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.redact import redact

log = logging.getLogger("fintrack.errors")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Something went wrong · fintrack</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; padding: 4rem 1rem; text-align: center;
  color: #1d1d1d; background: #fafafa; }}
@media (prefers-color-scheme: dark) {{ body {{ color: #e8e8e8; background: #121212; }} }}
code {{ font-size: 1.1rem; }}
</style></head>
<body><h1>Something went wrong</h1>
<p>fintrack could not finish this request. Nothing was saved by it.
Please try again; if it keeps happening, the server log has the details.</p>
<p>Request id: <code>{request_id}</code></p>
<p><a href="/">Back to the dashboard</a></p></body></html>
"""


async def server_error(request: Request, exception: Exception) -> HTMLResponse:
    """Log the exception under a new request id and answer with a page that shows only the id."""
    request_id = secrets.token_hex(6)
    log.error(
        "request %s failed: %s %s",
        request_id,
        request.method,
        redact(request.url.path),
        exc_info=exception,
        extra={"request_id": request_id},
    )
    return HTMLResponse(
        PAGE.format(request_id=html.escape(request_id)),
        status_code=500,
        headers={"X-Request-Id": request_id, "Cache-Control": "no-store"},
    )


def install(app: FastAPI) -> None:
    """Replace NiceGUI's 500 handler (it renders the exception's text into the page)."""
    # With no page exception handler set, NiceGUI re-raises a page's exception, so page
    # errors reach this handler too.
    app.exception_handlers[Exception] = server_error
