"""Production believes X-Forwarded-For only from its configured proxies (finding 8).

It used to trust every private network by default, so any host there could name its own
address and slip past the per-address login limit.
"""

from __future__ import annotations

import httpx

from tests.e2e.conftest import Server


def test_forwarded_for_from_an_untrusted_host_does_not_dodge_the_login_limit(
    production_server: Server,
) -> None:
    # Sent from 127.0.0.2: loopback, but not the loopback address the app trusts; a stand-in
    # for a neighbour on a private network (the server itself listens on 127.0.0.1 only).
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    url = production_server.url
    with httpx.Client(transport=transport, base_url=url, headers={"Origin": url}) as client:
        statuses = [
            client.post(
                "/login",
                data={"username": f"guess{i}", "password": "wrong"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(12)
        ]
    assert statuses[0] == 401
    assert statuses[-1] == 429
