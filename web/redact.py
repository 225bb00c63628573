"""Keep NiceGUI's client, tab and document ids (the live connection's credentials) out of logs."""

from __future__ import annotations

import logging
import re

_QUERY_ID = re.compile(r"\b(client_id|tab_id|old_tab_id|document_id|sid)=[^&\s\"']*")
_CLIENT_PATH = re.compile(r"/_nicegui/client/[^/\s\"']+")


def redact(text: str) -> str:
    """The text with every client, tab, document and socket id replaced by `...`."""
    return _CLIENT_PATH.sub("/_nicegui/client/...", _QUERY_ID.sub(r"\1=...", text))


class RedactIds(logging.Filter):
    """A handler filter: rewrites each record's message (uvicorn's websocket lines among them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Add the filter to every handler of the root logger (where all records end up)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactIds())
