"""What makes fintrack installable as an app: the web app manifest and its icons.

They are public (the browser fetches a manifest without cookies) and hold nothing personal;
every other address stays behind the login.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse

STATIC = Path(__file__).parent / "static"
MANIFEST_PATH = "/manifest.webmanifest"
ICONS = {"/icons/icon-192.png": "icon-192.png", "/icons/icon-512.png": "icon-512.png"}
PUBLIC_PATHS = frozenset({MANIFEST_PATH, *ICONS})
# The browser's colour around the app: the app bar's blue, or the dark background.
THEME_LIGHT = "#1976d2"
THEME_DARK = "#1d1d1d"
HEAD_HTML = f"""
<link rel="manifest" href="{MANIFEST_PATH}">
<link rel="apple-touch-icon" href="/icons/icon-192.png">
<meta name="theme-color" content="{THEME_LIGHT}">
<meta name="mobile-web-app-capable" content="yes">
"""
# A day: the files change only with a new version of fintrack.
CACHE = {"Cache-Control": "public, max-age=86400"}


def register(app: FastAPI) -> None:
    """Serve the manifest and the icons."""

    @app.get(MANIFEST_PATH, include_in_schema=False)
    def manifest() -> FileResponse:
        return FileResponse(
            STATIC / "manifest.webmanifest", media_type="application/manifest+json", headers=CACHE
        )

    for path, name in ICONS.items():
        app.add_api_route(
            path,
            lambda name=name: FileResponse(STATIC / name, media_type="image/png", headers=CACHE),
            include_in_schema=False,
        )
