"""Every page needs a login; /api answers 401; logout ends copied sessions too."""

import re
from urllib.parse import quote

import httpx
import pytest
from nicegui import app
from nicegui.testing import User
from starlette.routing import Route

from fintrack import auth
from tests.ui.conftest import log_in

PUBLIC = {"/login", "/health", "/auth/complete", "/favicon.ico"}


def anonymous() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


def app_routes() -> list[str]:
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or route.path.startswith("/_nicegui"):
            continue
        if "GET" in (route.methods or set()):
            paths.append(re.sub(r"\{[^}]+\}", "1", route.path))
    return paths


async def test_every_route_but_the_public_ones_needs_a_login(user: User) -> None:
    paths = app_routes()
    assert "/" in paths and len(paths) > len(PUBLIC)
    async with anonymous() as client:
        for path in paths:
            response = await client.get(path)
            if path in PUBLIC:
                assert not response.headers.get("location", "").startswith("/login?next="), path
                continue
            if path.startswith("/api/"):
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
    await user.open("/?period=last_month")
    await user.should_see("Log in")
    user.find("Username").type("admin")
    user.find("Password").type("correct horse battery staple")
    user.find("Log in").click()
    await user.should_see("Log out", retries=50)
    assert str(user.client.request.url).endswith("/?period=last_month")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
async def test_login_never_redirects_off_site(user: User, target: str) -> None:
    await user.open(f"/login?next={quote(target, safe='')}")
    user.find("Username").type("admin")
    user.find("Password").type("correct horse battery staple")
    user.find("Log in").click()
    await user.should_see("Log out", retries=50)
    assert str(user.client.request.url) == "http://test/"


async def test_logout_ends_a_copied_session(user: User) -> None:
    await log_in(user)
    await user.should_see("Log out", retries=50)
    copied = user.http_client.cookies.get(auth.COOKIE_NAME)
    assert copied
    async with anonymous() as thief:
        thief.cookies.set(auth.COOKIE_NAME, copied)
        assert (await thief.get("/")).status_code == 200

        user.find("Log out").click()
        await user.should_see("Log in", retries=50)

        response = await thief.get("/")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


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
