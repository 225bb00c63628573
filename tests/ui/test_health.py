"""/health: healthy with a database, 503 within 3 s without one, healthy again after."""

import asyncio
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from nicegui import app
from nicegui.testing import User

import fintrack
from fintrack import db
from web import health

# These time the health check: they run alone, not beside another test process.
pytestmark = pytest.mark.serial


@pytest.fixture
def no_health_cache(app_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTH_CACHE_SECONDS", "0")


@pytest.fixture
def silent_database() -> Iterator[str]:
    """A port that accepts connections and never answers: a database that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"postgresql://nobody@127.0.0.1:{listener.getsockname()[1]}/none"


async def get_health() -> httpx.Response:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/health")


async def test_healthy(user: User) -> None:
    response = await get_health()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["database"] == "connected"
    assert body["version"] == fintrack.__version__
    assert body["uptime"] >= 0
    assert "T" in body["timestamp"]


async def test_unreachable_database_is_reported_and_recovers(
    no_health_cache: None, user: User, silent_database: str
) -> None:
    working = db.engine().url.render_as_string(hide_password=False)
    db.init(silent_database)
    started = time.monotonic()
    response = await get_health()
    waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["database"] == "unreachable"
    assert waited < 3.0  # the contract with the platform's health checker

    db.init(working)
    response = await get_health()
    assert response.status_code == 200
    assert response.json()["database"] == "connected"


async def test_health_answers_while_page_builds_wait(user: User) -> None:
    # Many tabs loading at once: page builds take turns, /health never waits for them.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://test"
    ) as client:
        await client.get("/health")  # the first check, then answers from it
        async with health._building():  # a page is being built
            page = asyncio.create_task(client.get("/transactions"))
            started = time.monotonic()
            response = await client.get("/health")
            assert response.status_code == 200
            assert time.monotonic() - started < 0.25
            await asyncio.sleep(0.1)
            assert not page.done()  # the next build waits its turn
        assert (await page).status_code in {200, 303}
