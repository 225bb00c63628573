"""Behind Render's proxy: client address and scheme come from proxy headers, trusted only there.

The app hands `Settings.trusted_proxies` to uvicorn's proxy-header middleware (main.py's
`forwarded_allow_ips`); these tests run that middleware with the settings production gets.
"""

from __future__ import annotations

import asyncio

import pytest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from fintrack import config
from tests.conftest import ADMIN_PASSWORD_HASH, JWT_SECRET

RENDER_PROXY = "10.21.157.68"  # Render's proxy connects from its private network
CLOUDFLARE_EDGE = "104.22.17.40"  # Cloudflare, in front of Render, appends the visitor
VISITOR = "99.61.165.29"
FORGED = "6.6.6.6"  # what a visitor writes into X-Forwarded-For to dodge the login throttle


def seen_by_app(settings: config.Settings, peer: str, forwarded_for: str) -> tuple[str, str]:
    """The (client address, scheme) the app sees for one request through the middleware."""
    seen: dict = {}

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        seen.update(client=scope["client"][0], scheme=scope["scheme"])

    middleware = ProxyHeadersMiddleware(app, ",".join(settings.trusted_proxies))
    scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 40000),
        "headers": [(b"x-forwarded-for", forwarded_for.encode()), (b"x-forwarded-proto", b"https")],
    }
    asyncio.run(middleware(scope, None, None))
    return seen["client"], seen["scheme"]


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("ADMIN_PASSWORD_HASH", ADMIN_PASSWORD_HASH)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/fintrack")
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)


def blueprint_settings(render_service: dict, monkeypatch: pytest.MonkeyPatch) -> config.Settings:
    value = next(v["value"] for v in render_service["envVars"] if v["key"] == "TRUSTED_PROXIES")
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    return config.load(env_file=None)


@pytest.mark.usefixtures("production")
def test_on_render_the_visitor_is_the_address_cloudflare_saw(
    render_service: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = blueprint_settings(render_service, monkeypatch)
    chain = f"{FORGED}, {VISITOR}, {CLOUDFLARE_EDGE}"
    assert seen_by_app(settings, RENDER_PROXY, chain) == (VISITOR, "https")


@pytest.mark.usefixtures("production")
def test_headers_from_outside_the_proxy_are_ignored(
    render_service: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = blueprint_settings(render_service, monkeypatch)
    assert seen_by_app(settings, VISITOR, FORGED) == (VISITOR, "http")


@pytest.mark.usefixtures("production")
def test_production_default_trusts_a_proxy_on_loopback_only() -> None:
    settings = config.load(env_file=None)
    assert "*" not in settings.trusted_proxies
    assert seen_by_app(settings, "127.0.0.1", f"{FORGED}, {VISITOR}") == (VISITOR, "https")
    # Another machine on a shared private network could otherwise pick its own address.
    assert seen_by_app(settings, "172.18.0.2", FORGED) == ("172.18.0.2", "http")
    assert seen_by_app(settings, VISITOR, FORGED) == (VISITOR, "http")
