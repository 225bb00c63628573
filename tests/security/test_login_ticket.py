"""A login ticket mints no session, let alone two (finding 4: a ticket could be replayed
within its 30 s lifetime). The login form sets the cookie itself; the ticket route is gone."""

from __future__ import annotations

import datetime as dt
import sqlite3

import httpx

from fintrack import auth
from tests.conftest import ADMIN_USERNAME, JWT_SECRET
from tests.e2e.conftest import Server


def current_version(server: Server) -> int:
    with sqlite3.connect(server.data_dir / "fintrack.db") as connection:
        row = connection.execute(
            "SELECT value FROM app_state WHERE key = ?", (auth.SESSION_VERSION_KEY,)
        ).fetchone()
    return int(row[0]) if row else 1


def test_a_valid_ticket_mints_no_session_first_time_or_replayed(live_server: Server) -> None:
    ticket = auth.issue_token(
        JWT_SECRET,
        ADMIN_USERNAME,
        current_version(live_server),
        dt.timedelta(seconds=30),
        purpose="ticket",
    )
    for _ in range(2):
        response = httpx.get(f"{live_server.url}/auth/complete", params={"ticket": ticket})
        assert auth.COOKIE_NAME not in response.cookies
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
