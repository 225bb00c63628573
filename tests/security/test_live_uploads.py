"""NiceGUI's per-client upload route is refused before its body is read (finding 1).

Each attack sends the headers and a first slice of a large body over a raw socket, then reads:
the answer must come while most of the body is still unsent.
"""

from __future__ import annotations

import socket
import uuid
from urllib.parse import urlsplit

import httpx

from fintrack import auth
from tests.e2e.conftest import Server
from tests.security.conftest import MAX_UPLOAD_MB, log_in, open_page

BIG = 200 * 1024 * 1024
SLICE = 64 * 1024
# The start of a well-formed file part, so the route's form parser keeps reading.
PART = (
    '--x\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
    "Content-Type: text/csv\r\n\r\n"
)


def upload_path(server: Server, cookie: str) -> str:
    """The upload URL of the Import page's file picker, as the page hands it to the browser."""
    page = open_page(server, cookie, "/import")
    (url,) = [e["props"]["url"] for e in page.elements.values() if "url" in e.get("props", {})]
    return url


def send_slowly(server: Server, head: str, chunks: int, chunk: bytes) -> tuple[str, int]:
    """Send `head`, then up to `chunks` pieces of body; the status line and the bytes sent."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(head.encode())
        sent = 0
        conn.settimeout(0.2)
        for _ in range(chunks):
            try:
                conn.sendall(chunk)
                sent += len(chunk)
                answer = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:  # the server closed the connection after answering
                answer = b""
                break
            if answer:
                break
        conn.settimeout(10)
        if not answer:
            answer = conn.recv(4096)
    return answer.split(b"\r\n", 1)[0].decode(), sent


def request_head(server: Server, path: str, cookie: str | None, length: int | None) -> str:
    lines = [f"POST {path} HTTP/1.1", f"Host: {urlsplit(server.url).netloc}"]
    lines.append("Content-Type: multipart/form-data; boundary=x")
    lines.append(f"Content-Length: {length}" if length else "Transfer-Encoding: chunked")
    if cookie:
        lines.append(f"Cookie: {auth.COOKIE_NAME}={cookie}")
    return "\r\n".join(lines) + "\r\n\r\n"


def test_upload_without_session_is_refused_before_the_body(live_server: Server) -> None:
    path = upload_path(live_server, log_in(live_server))
    status, sent = send_slowly(
        live_server, request_head(live_server, path, None, BIG), 100, b"a" * SLICE
    )
    assert status == "HTTP/1.1 401 Unauthorized"
    assert sent < BIG // 10


def test_upload_declaring_more_than_the_limit_is_refused_before_the_body(
    live_server: Server,
) -> None:
    cookie = log_in(live_server)
    path = upload_path(live_server, cookie)
    status, sent = send_slowly(
        live_server, request_head(live_server, path, cookie, BIG), 100, b"a" * SLICE
    )
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert sent < BIG // 10


def test_chunked_upload_is_cut_off_once_it_passes_the_limit(live_server: Server) -> None:
    cookie = log_in(live_server)
    path = upload_path(live_server, cookie)
    piece = b"a" * SLICE
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    head = request_head(live_server, path, cookie, None) + f"{len(PART):x}\r\n{PART}\r\n"
    status, sent = send_slowly(live_server, head, 200, chunk)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert MAX_UPLOAD_MB * 1024 * 1024 < sent < 4 * MAX_UPLOAD_MB * 1024 * 1024


def test_upload_within_the_limit_with_session_is_accepted(live_server: Server) -> None:
    cookie = log_in(live_server)
    path = upload_path(live_server, cookie)
    response = httpx.post(
        f"{live_server.url}{path}",
        files={"file": ("small.csv", b"date,amount\n2026-01-02,1.00\n", "text/csv")},
        headers={"Cookie": f"{auth.COOKIE_NAME}={cookie}"},
    )
    assert response.status_code == 200
    assert response.json() == {"upload": "success"}


def test_upload_route_of_an_unknown_client_needs_a_session_too(live_server: Server) -> None:
    response = httpx.post(f"{live_server.url}/_nicegui/client/{uuid.uuid4()}/upload/1", content=b"")
    assert response.status_code == 401
