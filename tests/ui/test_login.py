"""The login form: plain HTML posted over HTTP, the message next to its field, the way back."""

import re

import httpx
import pyotp
from nicegui import app
from nicegui.testing import User

from fintrack import auth, db, twofactor
from tests.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.ui.conftest import log_in
from web import session


def browser() -> httpx.AsyncClient:
    """An HTTP client on the app, sending the Origin a browser sends with a same-site form."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app),
        base_url="http://test",
        headers={"Origin": "http://test"},
    )


async def test_unauthenticated_page_redirects_to_the_login_form(user: User) -> None:
    async with browser() as client:
        response = await client.get("/", follow_redirects=True)
    assert str(response.url) == "http://test/login?next=%2F"
    page = response.text
    assert '<label for="username">Username</label>' in page
    assert '<label for="password">Password</label>' in page
    assert re.search(r'<input id="username"[^>]*autocomplete="username"', page)
    assert re.search(r'<input id="password"[^>]*autocomplete="current-password"', page)
    assert '<button type="submit">Log in</button>' in page
    assert "prefers-color-scheme: dark" in page
    assert 'id="code"' not in page  # no second factor configured
    # No NiceGUI page (and so no NiceGUI client) for an anonymous visitor.
    assert "X-Nicegui-Content" not in response.headers
    assert "client_id" not in page


async def test_wrong_password_shows_message_next_to_password_and_keeps_username(
    user: User,
) -> None:
    response = await log_in(user, username="Admin <b>", password="wrong")
    assert response.status_code == 401
    assert auth.COOKIE_NAME not in response.cookies
    error = re.search(r'id="password-error">([^<]*)</p>', response.text)
    assert error and error.group(1) == "Wrong username or password."
    assert 'value="Admin &lt;b&gt;"' in response.text


async def test_right_password_reaches_dashboard(logged_in: User) -> None:
    await logged_in.should_see("Welcome to fintrack")


async def test_login_form_from_another_site_is_refused(user: User) -> None:
    async with browser() as client:
        response = await client.post(
            "/login",
            data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
    assert response.status_code == 403
    assert "sent from another site" in response.text
    assert auth.COOKIE_NAME not in response.cookies


async def test_flood_of_attempts_from_one_address_is_refused_before_checking(user: User) -> None:
    async with browser() as client:
        statuses = [
            (await client.post("/login", data={"username": "x", "password": "y"})).status_code
            for _ in range(12)
        ]
        # Even the right password is refused while the address's bucket is empty.
        last = await client.post(
            "/login", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        )
    assert statuses[:5] == [401] * 5
    assert 429 in statuses
    assert last.status_code == 429
    assert "Too many login attempts from your address" in last.text
    assert auth.COOKIE_NAME not in last.cookies


async def test_oversized_form_is_refused_without_reading_it(user: User) -> None:
    async with browser() as client:
        response = await client.post("/login", content=b"username=" + b"a" * 20_000)
    assert response.status_code == 413


async def test_two_factor_login_shows_the_code_field_and_asks_for_the_code(user: User) -> None:
    secret = pyotp.random_base32()
    with db.session() as s:
        recovery = twofactor.enable(s, secret, pyotp.TOTP(secret).now())
    session.refresh()  # what the app's watcher does every few seconds

    async with browser() as client:
        assert '<label for="code">Code</label>' in (await client.get("/login")).text
    without_code = await log_in(user)
    with_code = await user.http_client.post(
        "/login",
        data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD, "code": recovery[0]},
        headers={"Origin": "http://test"},
    )

    assert without_code.status_code == 401
    assert auth.COOKIE_NAME not in without_code.cookies
    error = re.search(r'id="code-error">([^<]*)</p>', without_code.text)
    assert error and error.group(1) == "Enter the code from your authenticator app."
    assert 'value="admin"' in without_code.text
    assert with_code.status_code == 303
    assert auth.COOKIE_NAME in with_code.cookies


async def test_a_login_that_asked_for_a_code_shows_the_code_field_next_time(user: User) -> None:
    session.refresh()  # the cached copy says two-factor is off...
    secret = pyotp.random_base32()
    with db.session() as s:  # ...then it is turned on, before the next refresh
        twofactor.enable(s, secret, pyotp.TOTP(secret).now())

    asked = await log_in(user)
    async with browser() as client:
        form = await client.get("/login")

    assert asked.status_code == 401
    assert '<label for="code">Code</label>' in form.text
