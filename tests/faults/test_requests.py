"""What an attacker can send the web process: a huge body is refused before it is read (413),
and nothing of a refused request (its body, its response_url) reaches the log, at any level,
in either format. The `stack` fixture greps the logs."""

from __future__ import annotations

import socket

import httpx
import pytest

from devtools.localslack.signed import signed_headers, slash_command_body
from tests.deploy.environment import SIGNING_SECRET
from tests.faults.harness import BODY_MARKER, Stack

HUGE = 64 * 1024 * 1024
CHUNK = 64 * 1024


def post_head_and_some(stack: Stack, length: int, start: bytes) -> bytes:
    """POST /slack/events announcing `length` bytes, send only `start`; the answer's first
    line."""
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{stack.web_port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", stack.web_port), timeout=15) as sock:
        sock.sendall(head.encode() + start)
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_64_mib_body_is_refused_unread_and_nothing_refused_is_logged(
    stack: Stack, log_format: str
) -> None:
    stack.start_web(LOG_FORMAT=log_format, LOG_LEVEL="DEBUG")
    start = f"token=x&text={BODY_MARKER}&".encode() + b"a" * CHUNK
    assert post_head_and_some(stack, HUGE, start) == b"HTTP/1.1 413 Request Entity Too Large"

    # Unsigned, forged and stale requests: refused, and their bodies are not logged (Bolt
    # logs a refused body at INFO; a stale one carries a live response_url).
    body = slash_command_body(BODY_MARKER, response_url=stack.slack.response_url())
    events = f"{stack.web_url}/slack/events"
    unsigned = httpx.post(events, content=body, headers={"Content-Type": "text/plain"})
    forged = httpx.post(
        events, content=body, headers=signed_headers(SIGNING_SECRET, body, wrong_signature=True)
    )
    stale = httpx.post(
        events, content=body, headers=signed_headers(SIGNING_SECRET, body, stale=True)
    )
    assert [unsigned.status_code, forged.status_code, stale.status_code] == [401, 401, 401]
    assert httpx.get(f"{stack.web_url}/healthz").status_code == 200  # still serving
