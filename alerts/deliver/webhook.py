"""The webhook receiver: each alert POSTed as signed JSON to the team's registered URLs.

What a webhook gets: `POST <url>` with the JSON body `alerts.wording.webhook_event(notice,
delivery_id)` (the notice, and `facts`: what the Slack post says, as fields) and these headers:

- `X-Clickbot-Timestamp`: Unix time (seconds) of the delivery attempt;
- `X-Clickbot-Signature`: `v1=` + hex HMAC-SHA256, keyed with the webhook's secret (shown once
  when it was added), of `f"{timestamp}.{body}"`: the timestamp header, a dot, the raw body;
- `X-Clickbot-Delivery`: the delivery id (also `delivery_id` in the body). It stays the same
  when a delivery is retried, and a retry may follow a delivery that arrived but whose answer
  was lost: treat a delivery id seen before as already handled.

How a receiver verifies (what `verify_signature` does): take the raw body bytes as received
(before any JSON parsing), recompute the HMAC over `timestamp + "." + body`, compare it with the
header in constant time, and refuse timestamps more than 5 minutes from its own clock (so an
old, captured request cannot be replayed).

Answer 2xx once the alert is taken. 429 and 5xx (and timeouts, connection errors) are retried
with backoff, honouring `Retry-After`; redirects are not followed and, like other 4xx answers,
end the delivery. Where it may go is `alerts.deliver.addresses.AddressPolicy`'s to say, the
same rules as when the webhook was added: `https` to public addresses only (loopback, and
`http` to it, only with WEBHOOK_ALLOW_LOOPBACK). The host is resolved at each delivery, every
address is judged, and the request goes to the checked address (with the URL's name for the
Host header, TLS SNI and certificate check), so a DNS answer cannot change between check and use.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import ssl
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from alerts.deliver.addresses import AddressPolicy, AddressRefused, Resolver
from alerts.deliver.receiver import Delivery, Outcome, Permanent, Retry, Sent
from alerts.outbox import WebhookPayload
from alerts.wording import webhook_event
from storage.models import OutboxKind

TIMESTAMP_HEADER = "X-Clickbot-Timestamp"
SIGNATURE_HEADER = "X-Clickbot-Signature"
DELIVERY_HEADER = "X-Clickbot-Delivery"
SIGNATURE_VERSION = "v1"
#: Longest Retry-After honoured (seconds): a webhook cannot park alerts for days.
MAX_RETRY_AFTER = 3600.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Clickbot-Signature` value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes | str,
    signature: str,
    tolerance: float = 300,
    *,
    now: float | None = None,
) -> bool:
    """True if `signature` is `secret`'s signature of `body` at `timestamp`, and `timestamp`
    is within `tolerance` seconds of `now` (default: the current time)."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    raw = body.encode() if isinstance(body, str) else body
    return hmac.compare_digest(sign(secret, timestamp, raw), signature)


async def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses, from the system resolver."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class WebhookReceiver:
    """Delivers 'webhook' items: one signed POST per attempt (see the module docstring)."""

    kinds: frozenset[OutboxKind] = frozenset({"webhook"})

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        resolver: Resolver = system_resolver,
        policy: AddressPolicy | None = None,
        tls: ssl.SSLContext | None = None,
        user_agent: str = "clickbot-webhooks/1",
    ) -> None:
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.resolver = resolver
        #: Where deliveries may go; the default refuses loopback (WEBHOOK_ALLOW_LOOPBACK off).
        self.policy = policy or AddressPolicy()
        #: What certificates are checked against (None: httpx's default trust store).
        self.tls = tls
        self.user_agent = user_agent

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        """Unknowable from here: a repeat carries the same delivery id for the receiver."""
        return None

    async def deliver(self, delivery: Delivery) -> Outcome:
        webhook, payload = delivery.webhook, delivery.payload
        if webhook is None or not isinstance(payload, WebhookPayload):
            return Permanent("the item names no webhook")
        problem = self.policy.url_problem(webhook.url)
        if problem is not None:
            return Permanent(f"refused URL: {problem}")
        url = httpx.URL(webhook.url)
        try:
            address = await self.policy.checked_address(url, self.resolver)
        except AddressRefused as refused:
            return Permanent(refused.problem)
        except (OSError, UnicodeError) as error:
            return Retry(f"cannot resolve {url.host}: {error}")
        body = json.dumps(
            webhook_event(payload.notice, delivery.id), separators=(",", ":"), sort_keys=True
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Host": url.netloc.decode("ascii"),
            "Content-Type": "application/json",
            "User-Agent": self.user_agent,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(webhook.secret, timestamp, body),
            DELIVERY_HEADER: str(delivery.id),
        }
        # Connect to the address just checked; TLS still verifies the certificate for the name.
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        target = url.copy_with(host=str(address))
        # A client per delivery: pooled connections are keyed by address, and must not carry
        # one host's TLS session over to another host on the same address.
        async with httpx.AsyncClient(
            timeout=self.timeout,
            follow_redirects=False,
            trust_env=False,
            verify=True if self.tls is None else self.tls,
        ) as client:
            try:
                request = client.build_request(
                    "POST", target, content=body, headers=headers, extensions=extensions
                )
                response = await client.send(request, stream=True)
                await response.aclose()  # the answer's body is not needed
            except httpx.TransportError as error:
                return Retry(f"cannot reach the webhook ({type(error).__name__}: {error})")
        return _outcome(response)


def _outcome(response: httpx.Response) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return Sent({"status": status})
    if status in (408, 425, 429) or status >= 500:
        return Retry(f"the webhook answered HTTP {status}", after=_retry_after(response))
    if 300 <= status < 400:
        return Permanent(
            f"the webhook answered HTTP {status} (a redirect): redirects are not followed, "
            "register the final URL"
        )
    return Permanent(f"the webhook answered HTTP {status}")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
