"""Recurring items that fell due are posted in the background, and the person is told.

No scheduler: Render sleeps, so the app catches up once it serves again and then once a
minute. The work runs in a worker thread after the port is open; a start with a long
backlog answers requests at once.
"""

from __future__ import annotations

import asyncio

from nicegui import background_tasks, ui
from nicegui.server import Server

from components import core
from fintrack import recurring

INTERVAL_SECONDS = 60
# Postings not yet announced: the next page the person sees tells them.
_unannounced = 0


async def catch_up_once() -> int:
    """Post what fell due (at most once per interval in this process); returns how many."""
    global _unannounced
    posted = await core.off_loop(recurring.catch_up_now, INTERVAL_SECONDS, patience=None)
    _unannounced += posted
    return posted


async def _serving() -> None:
    """Wait until the server listens (no server at all in simulated tests)."""
    server = getattr(Server, "instance", None)
    while server is not None and not server.started and not server.should_exit:
        await asyncio.sleep(0.1)


async def _run_forever() -> None:
    await _serving()
    while True:
        await catch_up_once()
        await asyncio.sleep(INTERVAL_SECONDS)


def start() -> None:
    """Schedule the catch-up loop (from `app.on_startup`)."""
    background_tasks.create(_run_forever(), name="recurring catch-up")


def announce() -> None:
    """Tell the person what the catch-up posted since they last saw a page."""
    global _unannounced
    if _unannounced:
        ui.notify(
            f"Recurring: posted {_unannounced} transaction{'s' if _unannounced != 1 else ''} "
            "that fell due.",
            type="info",
            multi_line=True,
        )
        _unannounced = 0
