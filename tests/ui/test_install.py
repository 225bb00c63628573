"""fintrack installs as an app: a valid manifest and its icons, public, with the usual headers."""

from __future__ import annotations

import json
import struct

import httpx
from nicegui import app
from nicegui.testing import User

from tests.ui.conftest import log_in


def anonymous() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_manifest_and_icons_are_served_valid_and_with_security_headers(user: User) -> None:
    async with anonymous() as client:
        response = await client.get("/manifest.webmanifest")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/manifest+json")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        manifest = json.loads(response.text)
        assert manifest["name"] == "fintrack"
        assert manifest["display"] == "standalone"
        assert manifest["start_url"] == "/"
        assert manifest["theme_color"].startswith("#")
        sizes = set()
        for icon in manifest["icons"]:
            image = await client.get(icon["src"])
            assert image.status_code == 200, icon["src"]
            assert image.headers["content-type"] == "image/png"
            width, height = png_size(image.content)
            assert icon["sizes"] == f"{width}x{height}"
            sizes.add(width)
        assert {192, 512} <= sizes
        # Nothing else became public: a neighbour of the icons still needs a login.
        other = await client.get("/icons/other.png")
        assert other.status_code == 303
        assert other.headers["location"].startswith("/login")
        login = await client.get("/login")
        assert 'rel="manifest" href="/manifest.webmanifest"' in login.text


async def test_every_page_links_the_manifest(user: User) -> None:
    await log_in(user)
    for path in ("/", "/transactions", "/settings"):
        response = await user.http_client.get(path)
        assert 'rel="manifest" href="/manifest.webmanifest"' in response.text, path
        assert 'name="theme-color"' in response.text, path
