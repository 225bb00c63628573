"""`User`-fixture tests: the app from main.py, simulated in-process, on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nicegui.testing import User

from tests.conftest import ADMIN_PASSWORD, ADMIN_USERNAME


@pytest.fixture(autouse=True)
def _environment(app_env: Path) -> Path:
    return app_env


async def log_in(
    user: User, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD
) -> None:
    """Fill in the login form and press `Log in`, as a person would."""
    await user.open("/login")
    user.find("Username").type(username)
    user.find("Password").type(password)
    user.find("Log in").click()


@pytest.fixture
async def logged_in(user: User) -> AsyncIterator[User]:
    """A simulated user who has logged in and sees the dashboard."""
    await log_in(user)
    # Logging in checks a bcrypt hash in a thread and renders the dashboard: on a busy CI
    # machine that takes longer than the default 0.3 s of retries.
    await user.should_see("Log out", retries=50)
    yield user
