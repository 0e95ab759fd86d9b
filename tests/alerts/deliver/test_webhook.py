"""Webhooks over real HTTP: a small receiver on 127.0.0.1 checks every signature with the
webhook's secret; 5xx is retried, 4xx and redirects are final, private addresses are refused.

The receiver is on loopback, so these deliveries run with `allow_loopback` (what
WEBHOOK_ALLOW_LOOPBACK=true gives); without it loopback is refused like any private address."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alerts.deliver import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookReceiver,
    deliver_once,
    sign,
    verify_signature,
)
from alerts.deliver.addresses import AddressPolicy, Resolver
from alerts.outbox import enqueue_webhook
from devtools.sandbox.serving import ThreadedServer, free_port
from storage import Database
from tests.alerts.deliver.helpers import CREATOR, FAST, TEAM, drain, item, notice

LOCAL = AddressPolicy(allow_loopback=True)


@dataclass
class Hook:
    """A webhook endpoint: answers the queued statuses (then 200) and checks signatures."""

    secret: str = ""
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    async def answer(self, request: Request) -> Response:
        body = await request.body()
        verified = verify_signature(
            self.secret,
            request.headers.get(TIMESTAMP_HEADER, ""),
            body,
            request.headers.get(SIGNATURE_HEADER, ""),
        )
        self.received.append(
            {"verified": verified, "body": json.loads(body), "headers": dict(request.headers)}
        )
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        if not verified:
            status = 401
        return Response(status_code=status, headers=headers)


@pytest.fixture
def hook() -> Iterator[tuple[Hook, str]]:
    endpoint = Hook()
    app = Starlette(routes=[Route("/hook", endpoint.answer, methods=["POST"])])
    with ThreadedServer(app) as server:
        yield endpoint, f"{server.url}/hook"


async def add_webhook(db: Database, url: str, hook: Hook | None = None) -> int:
    async with db.transaction() as tx:
        webhook = await tx.webhooks.add(TEAM, url=url, created_by=CREATOR)
        if hook is not None:
            hook.secret = webhook.secret
        what = notice(rule_id=None)
        queued = await enqueue_webhook(
            tx, what, webhook.id, dedupe_key=f"webhook:{webhook.id}:{url}"
        )
        return queued.id


async def test_a_delivery_verifies_with_the_webhooks_secret(
    db: Database, hook: tuple[Hook, str]
) -> None:
    endpoint, url = hook
    item_id = await add_webhook(db, url, endpoint)
    report = await deliver_once(db, [WebhookReceiver(policy=LOCAL)])
    assert report.sent == [item_id]
    [got] = endpoint.received
    assert got["verified"]
    assert got["body"]["type"] == "alert.firing"
    assert got["body"]["delivery_id"] == item_id
    assert got["body"]["subject_label"] == "spring-sale"
    assert got["headers"]["x-clickbot-delivery"] == str(item_id)
    assert (await item(db, item_id)).result == {"status": 200}


async def test_5xx_is_retried_with_the_same_delivery_id(
    db: Database, hook: tuple[Hook, str]
) -> None:
    endpoint, url = hook
    endpoint.answers = [(500, {}), (503, {"Retry-After": "0"}), (429, {"Retry-After": "0"})]
    item_id = await add_webhook(db, url, endpoint)
    await drain(db, [WebhookReceiver(policy=LOCAL)])
    assert [r["verified"] for r in endpoint.received] == [True] * 4
    assert {r["body"]["delivery_id"] for r in endpoint.received} == {item_id}
    assert (await item(db, item_id)).status == "sent"


@pytest.mark.parametrize(
    ("status", "reason"), [(404, "HTTP 404"), (302, "redirects are not followed")]
)
async def test_4xx_and_redirects_are_final(
    db: Database, hook: tuple[Hook, str], status: int, reason: str
) -> None:
    endpoint, url = hook
    endpoint.answers = [(status, {"Location": url})]
    item_id = await add_webhook(db, url, endpoint)
    report = await deliver_once(db, [WebhookReceiver(policy=LOCAL)])
    assert report.dead == [item_id]
    assert len(endpoint.received) == 1
    dead = await item(db, item_id)
    assert dead.last_error is not None
    assert reason in dead.last_error
    async with db.transaction() as tx:
        assert await tx.outbox.depth() == 0


def resolve_to(address: str) -> Resolver:
    """A resolver that answers `address` for every host (no DNS needed)."""

    async def resolver(host: str, port: int) -> list[str]:
        return [address]

    return resolver


@pytest.mark.parametrize(
    ("url", "address", "reason"),
    [
        ("https://10.0.0.7/hook", "10.0.0.7", "private or reserved"),
        ("https://hooks.example.com/x", "192.168.1.5", "private or reserved"),
        ("https://metadata.example.com/", "169.254.169.254", "private or reserved"),
        ("https://sneaky.example.com/", "127.0.0.1", "private or reserved"),
        ("https://v6.example.com/", "fd00::1", "private or reserved"),
        ("https://mapped.example.com/", "::ffff:10.1.2.3", "private or reserved"),
        ("http://hooks.example.com/", "93.184.216.34", "use an https:// URL"),
        # What the delivery-time check let through before: IPv6 around a private IPv4.
        ("https://nat64.example.com/", "64:ff9b::a00:5", "around 10.0.0.5"),
        ("https://6to4.example.com/", "2002:a00:5::1", "around 10.0.0.5"),
        ("https://compat.example.com/", "::169.254.169.254", "around 169.254.169.254"),
        ("https://cgnat.example.com/", "100.64.0.1", "shared"),
        # Loopback, by name or literal, is refused unless WEBHOOK_ALLOW_LOOPBACK says so.
        ("http://127.0.0.1:2375/containers/prune", "127.0.0.1", "this machine"),
        ("https://localhost/", "127.0.0.1", "this machine"),
    ],
)
async def test_private_and_plain_http_addresses_are_refused(
    db: Database, url: str, address: str, reason: str
) -> None:
    item_id = await add_webhook(db, url)
    receiver = WebhookReceiver(resolver=resolve_to(address))
    report = await deliver_once(db, [receiver])
    assert report.dead == [item_id]
    dead = await item(db, item_id)
    assert dead.last_error is not None
    assert reason in dead.last_error


async def test_a_loopback_url_must_resolve_to_loopback(db: Database) -> None:
    item_id = await add_webhook(db, "http://localhost:9/")
    receiver = WebhookReceiver(resolver=resolve_to("93.184.216.34"), policy=LOCAL)
    report = await deliver_once(db, [receiver])
    assert report.dead == [item_id]
    assert "not to this machine" in ((await item(db, item_id)).last_error or "")


async def test_loopback_is_never_posted_to_by_default(db: Database, hook: tuple[Hook, str]) -> None:
    # `alert test` queues a delivery to every webhook; one stored while loopback was allowed
    # (or before this check) still never gets a request.
    endpoint, url = hook
    item_id = await add_webhook(db, url, endpoint)
    report = await deliver_once(db, [WebhookReceiver()])
    assert report.dead == [item_id]
    assert endpoint.received == []
    assert "this machine" in ((await item(db, item_id)).last_error or "")


async def test_the_request_goes_to_the_checked_address_under_the_urls_name(
    db: Database,
) -> None:
    # The receiver listens on 127.0.0.2 only: what `localhost` resolves to on this machine
    # (127.0.0.1, ::1) would find nothing there. The resolver is asked once; what it answered
    # is where the request goes, with the URL's own name in the Host header.
    endpoint = Hook()
    app = Starlette(routes=[Route("/hook", endpoint.answer, methods=["POST"])])
    asked: list[tuple[str, int]] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["127.0.0.2"] if len(asked) == 1 else ["10.0.0.5"]  # a rebinding attempt

    with ThreadedServer(app, host="127.0.0.2") as server:
        url = f"http://localhost:{server.port}/hook"
        item_id = await add_webhook(db, url, endpoint)
        report = await deliver_once(db, [WebhookReceiver(resolver=resolver, policy=LOCAL)])
    assert report.sent == [item_id]
    assert asked == [("localhost", server.port)]
    [got] = endpoint.received
    assert got["verified"]
    assert got["headers"]["host"] == f"localhost:{server.port}"


async def test_unreachable_webhooks_are_retried_and_removed_ones_dropped(db: Database) -> None:
    closed = await add_webhook(db, f"http://127.0.0.1:{free_port()}/hook")
    report = await deliver_once(
        db, [WebhookReceiver(connect_timeout=1, policy=LOCAL)], backoff=FAST
    )
    assert report.retried == [closed]
    assert "cannot reach the webhook" in ((await item(db, closed)).last_error or "")

    webhook_id = (await item(db, closed)).payload["webhook_id"]
    async with db.transaction() as tx:
        assert await tx.webhooks.remove(TEAM, webhook_id)
    await asyncio.sleep(0.25)  # past the retry
    report = await deliver_once(db, [WebhookReceiver(policy=LOCAL)])
    assert report.dead == [closed]


def test_verify_signature_refuses_tampering_wrong_secrets_and_old_timestamps() -> None:
    body = b'{"type":"alert.firing"}'
    now = 1_700_000_000
    signature = sign("s3cret", str(now), body)
    assert signature.startswith("v1=")
    assert len(signature) == 3 + 64
    assert verify_signature("s3cret", str(now), body, signature, now=now)
    assert verify_signature("s3cret", str(now), body.decode(), signature, now=now + 299)
    assert not verify_signature("s3cret", str(now), body + b" ", signature, now=now)
    assert not verify_signature("other", str(now), body, signature, now=now)
    assert not verify_signature("s3cret", str(now), body, signature, now=now + 301)
    assert not verify_signature("s3cret", str(now + 1), body, signature, now=now)
    assert not verify_signature("s3cret", "soon", body, signature, now=now)
