"""The login page: a plain HTML form, so an anonymous visitor costs no NiceGUI client.

`GET /login` renders the form; `POST /login` checks it in a worker thread, sets the session
cookie itself and redirects to the page first asked for. Cross-site posts are refused by their
`Origin` (and the cookie is SameSite=Lax); a per-address token bucket refuses floods before
any bcrypt work.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from fintrack import auth, db
from fintrack.config import Settings
from web import session
from web.live import same_origin

log = logging.getLogger("fintrack.login")

TEMPLATE = Template((Path(__file__).parent / "login.html").read_text(encoding="utf-8"))
CODE_FIELD = Template(
    '<label for="code">Code</label>\n'
    '    <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"'
    ' aria-describedby="code-error" $focus>\n'
    '    <p class="error" role="alert" id="code-error">$error</p>'
)
# A login form is a few hundred bytes; anything much larger is not one.
MAX_FORM_BYTES = 8 * 1024
# Per address: a burst of BURST attempts, then one more every REFILL_SECONDS.
BURST = 10
REFILL_SECONDS = 6.0
MAX_TRACKED_ADDRESSES = 10_000
RATE_LIMITED = "Too many login attempts from your address. Wait a minute and try again."


@dataclass
class LoginForm:
    """What the form shows: the typed username, messages next to their fields, the code field."""

    username: str = ""
    form_error: str = ""
    password_error: str = ""
    code_error: str = ""
    show_code: bool = False


@dataclass
class TokenBuckets:
    """Login attempts per address, in memory: cheap enough to run before any password check."""

    burst: int = BURST
    refill_seconds: float = REFILL_SECONDS
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, address: str, now: float | None = None) -> bool:
        """Use one attempt for `address`; False when its bucket is empty."""
        now = time.monotonic() if now is None else now
        tokens, at = self.buckets.get(address, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) / self.refill_seconds)
        if tokens < 1:
            return False
        if len(self.buckets) >= MAX_TRACKED_ADDRESSES and address not in self.buckets:
            self._forget_full(now)
        self.buckets[address] = (tokens - 1, now)
        return True

    def forget(self, address: str) -> None:
        """A successful login from `address` restores its full burst."""
        self.buckets.pop(address, None)

    def _forget_full(self, now: float) -> None:
        """Drop addresses whose bucket has refilled (they would start full anyway)."""
        refill = self.burst * self.refill_seconds
        self.buckets = {a: (t, at) for a, (t, at) in self.buckets.items() if now - at < refill}
        if len(self.buckets) >= MAX_TRACKED_ADDRESSES:
            self.buckets.clear()


def render(form: LoginForm, target: str, status_code: int = 200) -> HTMLResponse:
    """The login page with the form's values and messages, escaped."""
    code_field = ""
    if form.show_code:
        code_field = CODE_FIELD.substitute(
            focus="autofocus" if form.username else "", error=html.escape(form.code_error)
        )
    page = TEMPLATE.substitute(
        action=html.escape(f"/login?next={quote(target, safe='')}"),
        form_error=html.escape(form.form_error),
        username=html.escape(form.username),
        username_focus="" if form.username else "autofocus",
        password_focus="autofocus" if form.username and not form.show_code else "",
        password_error=html.escape(form.password_error),
        code_field=code_field,
    )
    return HTMLResponse(page, status_code=status_code, headers={"Cache-Control": "no-store"})


def _check(
    credentials: auth.Credentials, username: str, password: str, client: str, code: str
) -> auth.LoginResult:
    with db.session() as s:
        return auth.attempt_login(s, credentials, username, password, client, code=code)


async def _read_form(request: Request) -> dict[str, str] | None:
    """The url-encoded form fields, or None when the body is larger than a login form."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def register(app: FastAPI, settings: Settings) -> None:
    """Add `GET /login` and `POST /login` to the app."""
    buckets = TokenBuckets()

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> Response:
        target = session.safe_next(next)
        if session.logged_in_user(request, settings):
            return RedirectResponse(target, status_code=303)
        return render(LoginForm(show_code=session.two_factor_cached()), target)

    @app.post("/login", include_in_schema=False)
    async def log_in(request: Request, next: str = "/") -> Response:
        target = session.safe_next(next)
        if not same_origin(request.headers):
            form = LoginForm(form_error="This form was sent from another site.")
            return render(form, target, 403)
        declared = request.headers.get("content-length", "")
        too_large = declared.isdigit() and int(declared) > MAX_FORM_BYTES
        fields = None if too_large else await _read_form(request)
        if fields is None:
            return render(LoginForm(form_error="The form is too large."), target, 413)
        username = fields.get("username", "").strip()[:200]
        form = LoginForm(username=username, show_code=session.two_factor_cached())
        client = request.client.host if request.client else "unknown"
        if not buckets.take(client):
            form.form_error = RATE_LIMITED
            return render(form, target, 429)
        credentials: auth.Credentials = request.app.state.credentials
        password, code = fields.get("password", ""), fields.get("code", "").strip()
        try:
            result = await asyncio.to_thread(_check, credentials, username, password, client, code)
            if result.ok:
                token = await asyncio.to_thread(
                    session.session_token, settings, credentials.username
                )
        except SQLAlchemyError:
            log.exception("database unreachable during login")
            form.form_error = "fintrack cannot reach its database right now. Try again in a moment."
            return render(form, target, 503)
        if not result.ok:
            form.show_code = form.show_code or result.needs_code
            if result.needs_code:
                form.code_error = result.message
                session.remember_two_factor()
            else:
                form.password_error = result.message
            return render(form, target, 401)
        buckets.forget(client)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            auth.COOKIE_NAME,
            token,
            max_age=settings.session_days * 86400,
            httponly=True,
            samesite="lax",
            secure=settings.production,
            path="/",
        )
        return response
