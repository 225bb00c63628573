"""`User`-fixture tests: the app from main.py, simulated in-process, on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from nicegui.testing import User

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


@pytest.fixture
async def logged_in(user: User) -> AsyncIterator[User]:
    """A simulated user who has logged in and sees the dashboard."""
    await log_in(user)
    # Logging in checks a bcrypt hash in a thread and renders the dashboard: on a busy CI
    # machine that takes longer than the default 0.3 s of retries.
    await user.should_see("Log out", retries=50)
    yield user
