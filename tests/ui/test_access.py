"""Every page needs a login; /api and NiceGUI's routes answer 401; logout ends copied sessions."""

import re

import httpx
import pytest
from nicegui import app
from nicegui.testing import User
from starlette.routing import Route

from fintrack import auth
from tests.conftest import ADMIN_USERNAME
from tests.ui.conftest import log_in
from web import session

PUBLIC = {
    "/login",
    "/health",
    "/favicon.ico",
    "/manifest.webmanifest",
    "/icons/icon-192.png",
    "/icons/icon-512.png",
}


def anonymous() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


def app_routes() -> list[str]:
    paths = []
    for route in app.routes:
        if not isinstance(route, Route):
            continue
        if "GET" in (route.methods or set()):
            paths.append(re.sub(r"\{[^}]+\}", "1", route.path))
    return paths


async def test_every_route_but_the_public_ones_needs_a_login(user: User) -> None:
    paths = app_routes()
    assert "/" in paths and len(paths) > len(PUBLIC)
    assert any(path.startswith("/_nicegui/") for path in paths)
    async with anonymous() as client:
        for path in paths:
            response = await client.get(path)
            if path in PUBLIC:
                assert not response.headers.get("location", "").startswith("/login?next="), path
                continue
            if path.startswith(("/api/", "/_nicegui/")):
                assert response.status_code == 401, path
                continue
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next="), path


@pytest.mark.parametrize("path", ["/api/transactions", "/api/anything/else", "/api"])
async def test_api_answers_401_json(user: User, path: str) -> None:
    async with anonymous() as client:
        response = await client.get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Not logged in"}


async def test_login_returns_to_the_page_first_asked_for(user: User) -> None:
    async with anonymous() as client:
        response = await client.get("/?period=last_month")
    assert response.headers["location"] == "/login?next=%2F%3Fperiod%3Dlast_month"
    await log_in(user, next="/?period=last_month")
    await user.should_see("Log out", retries=50)
    assert str(user.client.request.url).endswith("/?period=last_month")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
async def test_login_never_redirects_off_site(user: User, target: str) -> None:
    response = await log_in(user, next=target)
    assert response.headers["location"] == "/"
    await user.should_see("Log out", retries=50)
    assert str(user.client.request.url) == "http://test/"


async def test_logout_ends_a_copied_session(logged_in: User) -> None:
    copied = logged_in.http_client.cookies.get(auth.COOKIE_NAME)
    assert copied
    async with anonymous() as thief:
        thief.cookies.set(auth.COOKIE_NAME, copied)
        assert (await thief.get("/")).status_code == 200

        logged_in.find("Log out").click()
        for _ in range(50):
            response = await thief.get("/")
            if response.status_code != 200:
                break
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
        assert (await logged_in.http_client.get("/")).status_code == 303


async def test_old_login_ticket_route_mints_no_session(logged_in: User) -> None:
    async with anonymous() as client:
        response = await client.get("/auth/complete?ticket=anything&next=/")
    assert auth.COOKIE_NAME not in response.cookies
    assert response.headers["location"].startswith("/login?next=")


async def test_pages_and_exports_are_never_cached(logged_in: User) -> None:
    for path in ["/", "/api/export/backup.json", "/api/export/transactions.csv"]:
        response = await logged_in.http_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path


async def test_security_headers_on_every_response(user: User) -> None:
    async with anonymous() as client:
        for path in ["/login", "/health", "/"]:
            headers = (await client.get(path)).headers
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert "object-src 'none'" in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "strict-transport-security" not in headers  # development runs on http


async def test_a_session_of_a_former_admin_name_is_ended(user: User) -> None:
    # Renaming ADMIN_USERNAME ends the sessions issued to the old name, valid as they still are.
    settings = app.state.settings
    async with anonymous() as visitor:
        visitor.cookies.set(auth.COOKIE_NAME, session.session_token(settings, "former-admin"))
        response = await visitor.get("/")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
        visitor.cookies.set(auth.COOKIE_NAME, session.session_token(settings, ADMIN_USERNAME))
        assert (await visitor.get("/")).status_code == 200
