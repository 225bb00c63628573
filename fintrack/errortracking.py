"""Optional error tracking with Sentry (`SENTRY_DSN`); nothing is sent when it is unset.

An event tells where the code failed (exception type, stack trace of file, function and line,
the logger's message template, the request's method and path) and nothing of the person's data:
no cookies, headers beyond the user agent, query strings, request bodies, local variables,
exception messages (they can quote a payee or an amount), log arguments or breadcrumbs.
"""

from __future__ import annotations

from typing import Any

import fintrack
from fintrack.config import Settings

KEPT_HEADERS = {"user-agent"}
KEPT_CONTEXTS = {"runtime", "os", "trace"}


def _path_only(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Keep only where an error happened; drop everything that could carry personal data."""
    request = event.get("request") or {}
    if request:
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": _path_only(str(request.get("url", ""))),
            "headers": {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS},
        }
    for key in ("breadcrumbs", "extra", "user", "message"):
        event.pop(key, None)
    if "logentry" in event:
        # The template ("import of %s failed") without the values put into it.
        event["logentry"] = {"message": str(event["logentry"].get("message", ""))}
    event["contexts"] = {
        k: v for k, v in (event.get("contexts") or {}).items() if k in KEPT_CONTEXTS
    }
    for group in ("exception", "threads"):
        for value in (event.get(group) or {}).get("values", []):
            if group == "exception":
                value["value"] = ""
            for frame in (value.get("stacktrace") or {}).get("frames", []):
                frame.pop("vars", None)
    return event


def init(settings: Settings) -> bool:
    """Start sending errors to Sentry when SENTRY_DSN is set; True when it is on."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk  # a quarter of a second of start-up, paid only when it is used

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.app_env,
        release=f"fintrack@{fintrack.__version__}",
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        # Sentry types the event as a TypedDict; scrub edits it as the plain dict it is.
        before_send=scrub,  # type: ignore[arg-type]
        before_breadcrumb=lambda crumb, hint: None,
        traces_sample_rate=None,
        enable_logs=False,
    )
    return True
