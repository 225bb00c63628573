"""Production error pages show a request id, never the exception, its SQL or parameters
(finding 7: a NUL byte in the search box showed the SQL and its parameters on PostgreSQL)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from fintrack import auth, db
from tests.e2e.conftest import Server
from tests.security.conftest import log_in

LEAKS = ["Traceback", "transactions", "SELECT", "psycopg", "Error", "NUL", "sqlalche"]


@pytest.fixture
def broken_database(production_url: str) -> Iterator[None]:
    """A database fault the app cannot handle: the transactions table is gone for a moment."""
    engine = create_engine(db.normalize_url(production_url))
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE transactions RENAME TO transactions_away"))
    yield
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE transactions_away RENAME TO transactions"))
    engine.dispose()


def logged_lines(server: Server) -> list[dict]:
    return [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]


@pytest.mark.parametrize(
    "path", ["/transactions?q=needle%00x", "/api/export/transactions.csv?q=needle%00x"]
)
def test_server_error_shows_a_request_id_and_nothing_of_the_exception(
    production_server: Server, broken_database: None, path: str
) -> None:
    cookie = log_in(production_server)  # the cookie is Secure: send it by hand over http
    response = httpx.get(
        f"{production_server.url}{path}", headers={"Cookie": f"{auth.COOKIE_NAME}={cookie}"}
    )

    assert response.status_code == 500
    page = response.text
    assert "Something went wrong" in page
    for leak in [*LEAKS, "needle"]:
        assert leak not in page, leak
    request_id = re.search(r"Request id: <code>([0-9a-f]+)</code>", page)
    assert request_id and response.headers["x-request-id"] == request_id.group(1)
    # The log keeps what the page hides, under the same id.
    (entry,) = [e for e in logged_lines(production_server) if e.get("request_id") == request_id[1]]
    assert entry["level"] == "ERROR"
    assert "transactions" in entry["exception"]
