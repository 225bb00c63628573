"""No client, tab or document id in the server's log (finding 1: the ids were the credentials)."""

from __future__ import annotations

import re
import time

import httpx

from fintrack import auth
from tests.e2e.conftest import Server
from tests.security.conftest import Socket, connect, log_in, open_page


async def test_page_load_live_connection_and_upload_log_no_ids(
    live_server: Server, sockets: list[Socket]
) -> None:
    cookie = log_in(live_server)
    page = open_page(live_server, cookie, "/import")
    (upload,) = [e["props"]["url"] for e in page.elements.values() if "url" in e.get("props", {})]
    other = open_page(live_server, cookie)
    sockets.append(await connect(live_server, page, "websocket", cookie))
    sockets.append(await connect(live_server, other, "polling", cookie))
    response = httpx.post(
        f"{live_server.url}{upload}",
        files={"file": ("small.csv", b"date,amount\n2026-01-02,1.00\n", "text/csv")},
        headers={"Cookie": f"{auth.COOKIE_NAME}={cookie}"},
    )
    assert response.status_code == 200
    tab_ids = [
        value
        for socket in sockets
        for value in socket.client.eio.base_url.split("&")
        if value.startswith(("tab_id=", "document_id="))
    ]
    time.sleep(0.5)  # let the server write its lines

    log = live_server.log()
    # The lines are there (so the check below can fail), with the ids taken out.
    assert re.search(r'"WebSocket \S*socket\.io/\?client_id=\.\.\.&', log)
    assert "POST /_nicegui/client/.../upload/" in log
    assert len(tab_ids) == 4
    for secret in [page.client_id, other.client_id, *(value.split("=", 1)[1] for value in tab_ids)]:
        assert secret not in log
