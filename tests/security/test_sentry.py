"""Error tracking sends where an error happened and none of the person's data.

A local HTTP server stands in for Sentry and receives the real envelopes the SDK sends. The app
side runs in a subprocess (Sentry's integrations patch Starlette and logging process-wide): a
request that fails with secrets in its cookie, query string, body, headers, local variables and
exception message, and error logs that quote a payee.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from fintrack import db
from tests.cli import ROOT, fintrack
from tests.conftest import child_environment

PLANTED = {
    "cookie": "COOKIE-7f3a9c",
    "query": "QUERY-1b2c3d",
    "body": "BODY-4e5f6a",
    "header": "AUTH-9d8c7b",
    "password": "PASSWORD-hunter2",
    "payee": "PAYEE-Dr-Mabuse",
    "amount": "98765.43",
    "log": "LOG-PAYEE-Acme",
}

APP = """
import logging, sys
from fastapi import FastAPI, Request
from starlette.testclient import TestClient
from fintrack import config, errortracking
import sentry_sdk

planted = {planted!r}
assert errortracking.init(config.load(env_file=None))
app = FastAPI()

@app.post("/api/import")
async def failing(request: Request):
    password = planted["password"]
    payee, amount = planted["payee"], planted["amount"]
    await request.body()
    raise ValueError(f"cannot book {{amount}} for {{payee}} ({{password}})")

client = TestClient(app, raise_server_exceptions=False)
response = client.post(
    "/api/import?q=" + planted["query"],
    content=planted["body"] * 10,
    cookies={{"fintrack_session": planted["cookie"]}},
    headers={{"Authorization": "Bearer " + planted["header"], "User-Agent": "probe"}},
)
assert response.status_code == 500
log = logging.getLogger("fintrack.imports")
log.info("read a row for %s", planted["log"])
log.error("import failed for payee %s", planted["log"])
try:
    payee = planted["payee"]
    raise KeyError(payee)
except KeyError:
    log.exception("lookup of %s failed", planted["log"])
sentry_sdk.flush(timeout=10)
"""


class Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            import brotli  # type: ignore[import-not-found]

            body = brotli.decompress(body)
        Collector.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sentry() -> Iterator[str]:
    """A stand-in Sentry on a free port; yields its DSN."""
    Collector.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_port}/1"
    server.shutdown()
    server.server_close()


def events(bodies: list[bytes]) -> list[dict]:
    """The event items of the received envelopes (header line, then item header and payload)."""
    found = []
    for body in bodies:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def test_an_error_reaches_sentry_without_personal_data(sentry: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", APP.format(planted=PLANTED)],
        cwd=ROOT,
        env=child_environment(SENTRY_DSN=sentry, DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    received = events(Collector.bodies)
    kinds = {e["exception"]["values"][-1]["type"] for e in received if "exception" in e}
    assert {"ValueError", "KeyError"} <= kinds  # the errors did arrive, with their stack
    failing = next(e for e in received if "exception" in e and "ValueError" in json.dumps(e))
    frames = failing["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames[-1]["function"] == "failing"
    assert failing["request"]["url"].endswith("/api/import")
    assert any(
        e.get("logentry", {}).get("message") == "import failed for payee %s" for e in received
    )
    everything = b"\n".join(Collector.bodies).decode()
    assert [name for name, value in PLANTED.items() if value in everything] == []


def test_a_malformed_dsn_stops_the_start_with_one_line(tmp_path: Path) -> None:
    result = fintrack("migrate", SENTRY_DSN="sentry.example/123", DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (
        "fintrack: SENTRY_DSN is not a Sentry DSN (https://KEY@HOST/PROJECT_ID)\n"
    )


def test_database_errors_name_no_values(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (payee TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO t VALUES (:p)"), {"p": PLANTED["payee"]})
    with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (:p)"), {"p": PLANTED["payee"]})
    engine.dispose()
    assert PLANTED["payee"] not in str(caught.value)
