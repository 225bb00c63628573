"""The login screen: `Username`, `Password`, `Log in`."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from nicegui import app, run, ui

from fintrack import auth, db
from web import session


def _check(username: str, password: str, client: str) -> auth.LoginResult:
    with db.session() as s:
        return auth.attempt_login(s, app.state.credentials, username, password, client)


@ui.page("/login", title="Log in · fintrack")
def login_page(request: Request, next: str = "/") -> None:
    settings = app.state.settings
    target = session.safe_next(next)
    if session.logged_in_user(request, settings):
        ui.navigate.to(target)
        return
    client = request.client.host if request.client else "unknown"

    async def log_in() -> None:
        button.disable()
        try:
            result = await run.io_bound(_check, username.value, password.value, client)
        finally:
            button.enable()
        if not result.ok:
            message.text = result.message
            password.value = ""
            return
        ticket = session.login_ticket(settings, app.state.credentials.username)
        ui.navigate.to(f"/auth/complete?ticket={ticket}&next={quote(target, safe='')}")

    with ui.card().classes("absolute-center w-80 max-w-full"):
        ui.label("fintrack").classes("text-h5")
        ui.label("Your money, on your server.").classes("text-grey-7")
        username = ui.input("Username").props("autofocus autocomplete=username").classes("w-full")
        password = (
            ui.input("Password", password=True, password_toggle_button=True)
            .props("autocomplete=current-password")
            .classes("w-full")
            .on("keydown.enter", log_in)
        )
        message = ui.label().classes("text-negative").props('role="alert"')
        button = ui.button("Log in", on_click=log_in).classes("w-full")
