"""fintrack: `python main.py` builds the app (middleware, routes, pages) and serves it."""

import logging
import os
import sys

from nicegui import app, ui

import pages
from components import catch_up
from fintrack import auth, categories, config, db, display, errortracking, export, logs, rates
from web import errors, health, install, live, middleware, redact, routes, session


def build(settings: config.Settings) -> str:
    """Open the database (migrating it when behind), add the middleware, routes and pages;
    return how to log in. Recurring items and rates are left to the background."""
    logs.configure(settings.production)
    errortracking.init(settings)
    redact.install()
    db.connect_with_retry(db.init(settings.database_url))
    db.migrate(settings.database_direct_url or settings.database_url)
    with db.session() as s:
        categories.ensure_default_tree(s)
        # Cached for the process: showing an amount never reads the database.
        display.use(display.load(s))
    export.remove_stale_temporary_files()
    session.forget_cached_version()
    session.refresh()
    # No scheduler: recurring transactions that fell due while the app was asleep are posted in
    # the background once the port is open, then once a minute.
    app.on_startup(catch_up.start)
    # Exchange rates: loaded and refreshed (at most daily) in a thread; start-up never waits.
    rates.refresh_in_background()

    new_password = None
    if settings.admin_password_hash:
        credentials = auth.Credentials(settings.admin_username, settings.admin_password_hash)
    else:
        credentials, new_password = auth.dev_credentials(settings.admin_username, settings.data_dir)
    app.state.settings = settings
    app.state.credentials = credentials

    app.add_middleware(middleware.LoginGate, settings=settings)
    app.add_middleware(middleware.SecurityHeaders, production=settings.production)
    app.add_middleware(middleware.RequestLog)
    # Outermost: refuses foreign origins, ended sessions and big uploads before NiceGUI reads them.
    app.add_middleware(live.LiveGuard, settings=settings)
    live.guard_socket_events(settings)
    errors.install(app)
    routes.register(app, settings)
    install.register(app)
    pages.register()
    # Outside everything, NiceGUI's layers included: /health never waits behind page work.
    health.install(app, settings)
    return login_hint(settings, credentials.username, new_password)


def login_hint(settings: config.Settings, username: str, new_password: str | None) -> str:
    where = f"fintrack is running at http://localhost:{settings.port}"
    if settings.host == "0.0.0.0":
        where += " and on every network interface (BIND_ADDRESS=127.0.0.1: this machine only)"
    if new_password:
        return (
            f"{where}\nLog in as '{username}' with password: {new_password}\n"
            f"(shown once; only its hash is kept in {settings.data_dir / 'admin-password.hash'})"
        )
    if settings.admin_password_hash:
        return f"{where}\nLog in as '{username}' with the ADMIN_PASSWORD_HASH password."
    return (
        f"{where}\nLog in as '{username}' with the password printed at first start "
        f"(forgot it? delete {settings.data_dir / 'admin-password.hash'} and restart)."
    )


def main() -> None:
    try:
        settings = config.load()
    except config.ConfigError as error:
        print(f"fintrack: {error}", file=sys.stderr)
        sys.exit(2)
    hint = build(settings)
    if settings.production:
        # Production output is read by a log collector: JSON lines only.
        logging.getLogger("fintrack").info(hint)
    else:
        print(hint, flush=True)
    ui.run(
        host=settings.host,
        port=settings.port,
        title="fintrack",
        favicon="💶",
        show=False,
        reload=os.environ.get("RELOAD") == "1",
        storage_secret=settings.storage_secret,
        session_middleware_kwargs={"https_only": settings.production},
        show_welcome_message=False,
        proxy_headers=True,
        # Forwarded headers are believed only from TRUSTED_PROXIES (default: loopback alone).
        forwarded_allow_ips=",".join(settings.trusted_proxies),
        log_config=None,
        # Start-up and graceful shutdown lines, so a platform log shows both.
        uvicorn_logging_level="info",
    )


# NiceGUI's simulated-user tests run this file as __main__ too; `ui.run` then returns at once.
if __name__ in {"__main__", "__mp_main__"}:
    main()
