"""The page for an address that does not exist: inside the frame, with a way back."""

from __future__ import annotations

from fastapi.exception_handlers import http_exception_handler
from nicegui import Client, ui
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from components.frame import frame

# Addresses that are not pages answer a 404 in JSON, as before.
NOT_PAGES = ("/api/", "/_nicegui/")


class NotFoundPage:
    """What a person sees after a mistyped or outdated link."""

    def __init__(self) -> None:
        with frame("Page not found", ""):
            ui.label("There is no page at this address. It may have moved, or the link is wrong.")
            with ui.row().classes("items-center gap-4"):
                ui.button("Back", icon="arrow_back", on_click=ui.navigate.back).props("outline")
                ui.link("Go to the dashboard", "/").classes("text-primary")


async def not_found(request: Request, exception: Exception) -> Response:
    """Answer 404 with the page above; API and asset addresses keep their JSON answer."""
    if request.url.path.startswith(NOT_PAGES) or not isinstance(exception, HTTPException):
        return await http_exception_handler(request, exception)
    with Client(ui.page(""), request=request) as client:
        NotFoundPage()
    return client.build_response(request, 404)
