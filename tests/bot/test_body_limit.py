"""Request bodies over MAX_BODY_BYTES get 413 before they are read whole, chunked or not."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message

from bot.web import MAX_BODY_BYTES, BodyLimit
from tests.bot.harness import BotUnderTest

CHUNK = 64 * 1024
HUGE = 64 * 1024 * 1024


def reading_app(seen: list[int]) -> Starlette:
    """An endpoint that reads the whole body, as Bolt's handler does, behind the middleware
    wired as `create_web_app` wires it."""

    async def endpoint(request: Request) -> Response:
        seen.append(len(await request.body()))
        return Response("read it all")

    return Starlette(
        routes=[Route("/slack/events", endpoint, methods=["POST"])],
        middleware=[Middleware(BodyLimit)],
    )


def scope(headers: list[tuple[bytes, bytes]]) -> dict[str, object]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/slack/events",
        "raw_path": b"/slack/events",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }


async def call(
    app: Starlette, headers: list[tuple[bytes, bytes]], total: int
) -> tuple[list[Message], int]:
    """Run one request whose body is `total` bytes in CHUNKs: what was sent, bytes pulled."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        size = min(CHUNK, total - pulled)
        pulled += size
        return {"type": "http.request", "body": b"x" * size, "more_body": pulled < total}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope(headers), receive, send)
    return sent, pulled


async def test_a_declared_length_over_the_bound_is_refused_unread() -> None:
    seen: list[int] = []
    headers = [(b"content-length", str(HUGE).encode())]
    sent, pulled = await call(reading_app(seen), headers, HUGE)
    assert sent[0]["status"] == 413
    assert pulled == 0
    assert seen == []


async def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_bound() -> None:
    seen: list[int] = []
    headers = [(b"transfer-encoding", b"chunked")]
    sent, pulled = await call(reading_app(seen), headers, HUGE)
    assert sent[0]["status"] == 413
    assert b"too large" in sent[1]["body"]
    assert MAX_BODY_BYTES < pulled <= MAX_BODY_BYTES + CHUNK
    assert seen == []


async def test_bodies_within_the_bound_pass() -> None:
    seen: list[int] = []
    sent, _ = await call(reading_app(seen), [], MAX_BODY_BYTES)
    assert sent[0]["status"] == 200
    assert seen == [MAX_BODY_BYTES]


def raw_post(bot: BotUnderTest, headers: str, body: bytes) -> bytes:
    """Send a request's head and the start of its body, never the rest; the answer's head."""
    address = urlsplit(bot.url)
    assert address.hostname == "127.0.0.1"
    with socket.create_connection((address.hostname, address.port or 80), timeout=15) as sock:
        head = f"POST /slack/events HTTP/1.1\r\nHost: {address.netloc}\r\n{headers}\r\n"
        sock.sendall(head.encode() + body)
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return answer


def test_an_unsigned_64_mib_post_gets_413_without_being_sent_whole(bot: BotUnderTest) -> None:
    answer = raw_post(
        bot,
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {HUGE}\r\n",
        b"token=x&" + b"a" * CHUNK,
    )
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_post_over_the_bound_gets_413_before_it_ends(bot: BotUnderTest) -> None:
    # Just over the bound, and the chunked body never terminated: a server waiting for the
    # whole body would never answer.
    chunks = b"".join(
        f"{CHUNK:x}\r\n".encode() + b"a" * CHUNK + b"\r\n"
        for _ in range(MAX_BODY_BYTES // CHUNK + 1)
    )
    answer = raw_post(
        bot,
        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n",
        chunks,
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
