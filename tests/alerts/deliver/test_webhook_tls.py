"""An https webhook: the request goes to the checked address, and TLS (SNI, certificate) is
checked for the URL's name, not for the address connected to.

`tls/` holds a test CA and a certificate for `hooks.localhost` only (no IP address in it),
valid until 2126; the server is uvicorn on 127.0.0.1 with that certificate.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from alerts.deliver import WebhookReceiver, deliver_once
from alerts.deliver.addresses import AddressPolicy
from devtools.sandbox.serving import free_port
from storage import Database
from tests.alerts.deliver.helpers import item
from tests.alerts.deliver.test_webhook import Hook, add_webhook, resolve_to

TLS = Path(__file__).parent / "tls"
LOCAL = AddressPolicy(allow_loopback=True)


@pytest.fixture
def tls_hook() -> Iterator[tuple[Hook, int]]:
    endpoint = Hook()
    app = Starlette(routes=[Route("/hook", endpoint.answer, methods=["POST"])])
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(),
        ssl_certfile=str(TLS / "hooks.pem"),
        ssl_keyfile=str(TLS / "hooks.key"),
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    waiting = threading.Event()
    for _ in range(400):  # until it listens (bounded; nothing timed is asserted)
        if server.started:
            break
        waiting.wait(0.025)
    assert server.started
    try:
        yield endpoint, config.port
    finally:
        server.should_exit = True
        thread.join(10)


def receiver() -> WebhookReceiver:
    trust = ssl.create_default_context(cafile=str(TLS / "ca.pem"))
    return WebhookReceiver(resolver=resolve_to("127.0.0.1"), policy=LOCAL, tls=trust)


async def test_tls_is_checked_for_the_urls_name_on_the_checked_address(
    db: Database, tls_hook: tuple[Hook, int]
) -> None:
    endpoint, port = tls_hook
    item_id = await add_webhook(db, f"https://hooks.localhost:{port}/hook", endpoint)
    report = await deliver_once(db, [receiver()])
    assert report.sent == [item_id]
    [got] = endpoint.received
    assert got["verified"]
    assert got["headers"]["host"] == f"hooks.localhost:{port}"


async def test_a_certificate_for_another_name_is_refused(
    db: Database, tls_hook: tuple[Hook, int]
) -> None:
    endpoint, port = tls_hook
    item_id = await add_webhook(db, f"https://other.localhost:{port}/hook", endpoint)
    report = await deliver_once(db, [receiver()])
    assert report.retried == [item_id]
    assert endpoint.received == []
    error = (await item(db, item_id)).last_error or ""
    assert "cannot reach the webhook" in error
    assert "CERTIFICATE_VERIFY_FAILED" in error
