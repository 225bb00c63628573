"""`User`-fixture tests: the app from main.py, simulated in-process, on a fresh SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from nicegui import ElementFilter
from nicegui.testing import User

from fintrack import db, preferences
from tests.conftest import ADMIN_PASSWORD, ADMIN_USERNAME


@pytest.fixture(autouse=True)
def _environment(app_env: Path) -> Path:
    return app_env


async def log_in(
    user: User, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD, next: str = "/"
) -> httpx.Response:
    """Send the login form as a browser would, then open the page it leads to when it worked.

    The login page is plain HTML (no NiceGUI client), so the simulated user posts it.
    """
    response = await user.http_client.post(
        f"/login?next={quote(next, safe='')}",
        data={"username": username, "password": password},
        headers={"Origin": str(user.http_client.base_url).rstrip("/")},
    )
    if response.status_code == 303:
        await user.open(response.headers["location"])
    return response


async def loaded(user: User, seconds: float = 10) -> None:
    """Wait until the page's data has arrived: pages send their frame first, then load."""
    for _ in range(int(seconds / 0.02)):
        with user:
            if not list(ElementFilter(marker="loading", local_scope=False)):
                return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the page was still loading after {seconds} s")


async def eventually(check: Callable[[], bool], seconds: float = 5) -> None:
    """Wait until `check()` holds: the UI writes off the event loop, a moment later."""
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"still not so after {seconds} s")


def dark_stored() -> bool:
    """Whether the dark-mode choice has reached the database."""
    with db.session() as s:
        return preferences.dark_mode(s)


def _opening_waits_for_data(user: User) -> None:
    """`user.open` returns once the page's data is shown, as a person sees it."""
    plain_open = user.open

    async def open_and_wait(path: str, *, clear_forward_history: bool = True):
        client = await plain_open(path, clear_forward_history=clear_forward_history)
        await loaded(user)
        return client

    user.open = open_and_wait  # type: ignore[method-assign]


@pytest.fixture
async def logged_in(user: User) -> AsyncIterator[User]:
    """A simulated user who has logged in and sees the dashboard (opening a page waits for
    its data)."""
    _opening_waits_for_data(user)
    await log_in(user)
    # Logging in checks a bcrypt hash in a thread and renders the dashboard: on a busy CI
    # machine that takes longer than the default 0.3 s of retries.
    await user.should_see("Log out", retries=50)
    yield user
