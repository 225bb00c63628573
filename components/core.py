"""The one seam from pages and components to the core.

Every database read and write of the UI goes through here. The core function runs in a
worker thread with a session of its own, so a slow or frozen database slows one page and
never the event loop that serves every tab (and `/health`). An error a person can fix
(`InputError`, or a type the caller names) lands next to its field; any other error is
logged with a short id and shown as "Could not save: <reason> (error <id>)", and the
controls that were disabled for the call are usable again.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nicegui import background_tasks, ui
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from fintrack import db
from fintrack.errors import InputError

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a page or a button waits for the database before saying so. Long work (imports,
# restores, demo data) passes `patience=None` and relies on the database's own timeouts.
PATIENCE_SECONDS = 10.0
# Threads of our own: a hung query can exhaust them, never the pool `/health` uses. More
# threads than the database pool has connections would only queue for a connection.
_workers = ThreadPoolExecutor(max_workers=db.POOL_CONNECTIONS, thread_name_prefix="core")


@dataclass(frozen=True)
class Done(Generic[T]):
    """A change that went through, with what the core function returned."""

    value: T


def _in_session(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    with db.session() as s:
        return fn(s, *args)


async def off_loop(
    fn: Callable[..., T], *args: Any, patience: float | None = PATIENCE_SECONDS
) -> T:
    """Run blocking `fn(*args)` in a worker thread; TimeoutError after `patience` seconds."""
    future = asyncio.get_running_loop().run_in_executor(_workers, fn, *args)
    if patience is None:
        return await future
    return await asyncio.wait_for(future, patience)


async def call(fn: Callable[..., T], *args: Any, patience: float | None = PATIENCE_SECONDS) -> T:
    """Run `fn(session, *args)` in a worker thread, in one database transaction.

    Errors propagate; `load`, `Panel` and `change` turn them into messages.
    """
    return await off_loop(_in_session, fn, args, patience=patience)


def reason(error: BaseException) -> str:
    """What went wrong, in words a person understands, without internals."""
    if isinstance(error, TimeoutError | PoolTimeout):
        return "the database did not answer in time"
    if isinstance(error, IntegrityError):
        return "it conflicts with a change made at the same time; reload and try again"
    if isinstance(error, OperationalError | DBAPIError):
        text = str(error.orig if isinstance(error, DBAPIError) else error).lower()
        if "locked" in text or "lock timeout" in text:
            return "the database is busy with other work; try again in a moment"
        if "timeout" in text or "canceling statement" in text:
            return "the database did not answer in time"
        if "disk" in text or "full" in text or "readonly" in text or "read-only" in text:
            return "the database could not write (is the disk full or read-only?)"
        return "the database is not reachable"
    if isinstance(error, OSError):
        return f"the file system refused ({error.strerror or type(error).__name__})"
    return "an unexpected error"


def report(what: str, error: BaseException) -> str:
    """Log an unexpected error with a short id and return the message that names that id."""
    error_id = secrets.token_hex(4)
    log.warning("%s failed (error %s)", what, error_id, exc_info=error)
    return f"Could not {what}: {reason(error)} (error {error_id})."


class LabelField:
    """A label standing in for a field: a message for that field becomes its text."""

    def __init__(self, label: ui.label) -> None:
        self.label = label

    @property
    def error(self) -> str | None:
        return self.label.text or None

    @error.setter
    def error(self, message: str | None) -> None:
        self.label.text = message or ""


class Only(Mapping[str, Any]):
    """Fields for a one-field form: a message about any field shows next to `element`."""

    def __init__(self, element: Any) -> None:
        self.element = element

    def __getitem__(self, _field: str) -> Any:
        return self.element

    def __contains__(self, _field: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter([""])

    def __len__(self) -> int:
        return 1


def show_input_error(
    message: str, field: str, fields: Mapping[str, Any], status: ui.label | None
) -> None:
    """Put a person-fixable message next to its field, else in `status`, else a notification."""
    if field in fields:
        fields[field].error = message
    elif status is not None:
        status.text = message
    else:
        ui.notify(message, type="warning", multi_line=True)


async def change(
    fn: Callable[..., T],
    *args: Any,
    fields: Mapping[str, Any] | None = None,
    status: ui.label | None = None,
    busy: Sequence[ui.element] = (),
    done: str | None = None,
    what: str = "save",
    patience: float | None = PATIENCE_SECONDS,
) -> Done[T] | None:
    """Run `fn(session, *args)` off the loop and show how it went; None when it did not go through.

    `busy` elements are disabled meanwhile and enabled again whatever happens. An InputError
    is the person's to fix and shown next to the field it names. Anything else is logged and
    shown with an id. `done` is an optional success notification.
    """
    fields = fields or {}
    for element in fields.values():
        element.error = None
    if status is not None:
        status.text = ""
    for element in busy:
        element.disable()
    try:
        value = await call(fn, *args, patience=patience)
    except Exception as error:
        if isinstance(error, InputError):
            show_input_error(str(error), error.field, fields, status)
            return None
        message = report(what, error)
        if status is not None:
            status.text = message
        ui.notify(message, type="negative", multi_line=True)
        return None
    finally:
        for element in busy:
            element.enable()
    if done:
        ui.notify(done, type="positive")
    return Done(value)


async def load(
    fn: Callable[..., T],
    *args: Any,
    fields: Mapping[str, Any] | None = None,
    status: ui.label | None = None,
) -> Done[T] | None:
    """Read `fn(session, *args)` off the loop for a page already shown; None when it failed."""
    return await change(fn, *args, fields=fields, status=status, what="load")


_turn: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None


def _showing() -> asyncio.Lock:
    """One panel builds its elements at a time, each in its own turn of the event loop.

    Building a page's elements holds the loop (tens to hundreds of milliseconds for a
    dashboard). When many loads finish together, their builds would otherwise all run in one
    turn, back to back, and every other request (`/health`, a click) would wait for all of
    them; taking turns, it waits for one.
    """
    global _turn
    loop = asyncio.get_running_loop()
    if _turn is None or _turn[0] is not loop:  # a lock belongs to one loop (tests make many)
        _turn = (loop, asyncio.Lock())
    return _turn[1]


class Panel(Generic[T]):
    """A part of a page filled from the core once the browser is connected.

    The page itself answers at once with a placeholder; a failed or timed-out load says so
    in the panel and offers a retry. `refresh()` loads again and keeps the old content
    until the new one is there.
    """

    def __init__(
        self,
        fn: Callable[[Session], T],
        show: Callable[[T], Awaitable[None] | None],
        classes: str = "w-full gap-4",
    ) -> None:
        self.fn = fn
        self.show = show
        self.box = ui.column().classes(classes)
        with self.box:
            ui.spinner(size="lg").props('aria-label="Loading"').mark("loading")
        self._client = ui.context.client
        background_tasks.create(self._first(), name="load panel")

    async def _first(self) -> None:
        await self._client.connected()
        await self.refresh()

    async def refresh(self) -> bool:
        """Load and show again; False when it failed (the panel then says why)."""
        try:
            value = await call(self.fn)
        except Exception as error:
            if not self.box.is_deleted:
                self._failed(report("load", error))
            return False
        async with _showing():
            if self.box.is_deleted:
                return False
            self.box.clear()
            with self.box:
                result = self.show(value)
        if inspect.isawaitable(result):
            with self.box:
                await result
        return True

    def _failed(self, message: str) -> None:
        self.box.clear()
        with self.box, ui.row().classes("items-center gap-3"):
            ui.icon("cloud_off", color="negative")
            ui.label(message).classes("text-negative").props('role="alert"')
            ui.button("Retry", icon="refresh", on_click=self.refresh).props("outline")
