"""HTTP mode (`clickbot web`): Slack's requests at POST /slack/events, GET /healthz, GET /metrics;
in distribution mode also GET /slack/install and GET /slack/oauth_redirect (Bolt's OAuth flow).

At start-up the alert database (`Services.db`) is migrated to the current schema; at shutdown
the ClickMeter client and the database's connections are closed.

A request body over MAX_BODY_BYTES is answered 413 before it is read: at once when its
Content-Length says so, else (chunked) as soon as the bytes received pass the bound, so an
unsigned 64 MiB POST is never held in memory, signature-checked or logged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.app import UNREADABLE, create_app
from bot.gc_tuning import freeze_startup_heap
from bot.health import health_report
from bot.metrics import exposition
from bot.services import Services
from config import SlackOAuthSettings, SlackSettings

#: Largest request body taken, in bytes. Slack's largest requests (a view submission, an
#: interaction carrying its message's 50 blocks) are a few hundred KB; 1 MiB leaves room and
#: refuses anything that cannot be Slack's.
MAX_BODY_BYTES = 1024 * 1024

log = logging.getLogger(__name__)


class _TooLarge(Exception):
    """The body being received passed the bound."""


class BodyLimit:
    """ASGI middleware: 413 for a request body over `limit` bytes, without reading it whole."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if (
            declared is not None
            and declared.isascii()
            and declared.isdigit()
            and int(declared) > self.limit
        ):
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = PlainTextResponse(
            f"Request body too large: this endpoint takes Slack's requests, at most "
            f"{self.limit // 1024} KiB.",
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def create_web_app(
    slack: SlackSettings | SlackOAuthSettings,
    services: Services,
    *,
    freeze_heap: bool = False,
    close_services: bool = True,
) -> Starlette:
    """The app; `close_services=False` leaves closing `services` to a caller that shares them
    (`clickbot run`: the worker still uses them after the web server stops)."""
    app, authorization = create_app(slack, services)
    handler = AsyncSlackRequestHandler(app)

    async def slack_events(request: Request) -> Response:
        # Our listeners' errors never get here (Bolt hands them to `handle_errors`), so what
        # does is Bolt failing on a body Slack never sends, unsigned ones too: a 400, logged
        # without the body, instead of a 500 with a traceback.
        try:
            return await handler.handle(request)
        except UNREADABLE as exc:
            log.warning("refused a request that is not one Slack sends (%s)", type(exc).__name__)
            return PlainTextResponse(
                "This endpoint takes Slack's requests; this one could not be read.",
                status_code=400,
            )

    async def healthz(request: Request) -> Response:
        status, body = await health_report(services)
        return JSONResponse(body, status_code=status)

    async def metrics(request: Request) -> Response:
        await health_report(services)  # refreshes the gauges read from the database
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            # The alert tables, up to date before the first command: a database that cannot
            # be migrated stops start-up here rather than failing commands one by one.
            await services.storage()
            if authorization is not None:
                await authorization.warm()
            if freeze_heap:
                # Last, so what start-up built (migrations import Alembic and the models) is
                # frozen too. Only for a server process: it freezes everything alive.
                freeze_startup_heap()
            yield
        finally:
            if close_services:
                await services.aclose()

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            # Distribution mode's install and OAuth redirect (Bolt answers 404 without OAuth).
            Route("/slack/install", slack_events, methods=["GET"]),
            Route("/slack/oauth_redirect", slack_events, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ],
        lifespan=lifespan,
        middleware=[Middleware(BodyLimit)],
    )
