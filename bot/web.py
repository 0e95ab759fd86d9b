"""HTTP mode (`clickbot web`): Slack's requests at POST /slack/events, GET /healthz, GET /metrics.

At start-up the alert database (`Services.db`) is migrated to the current schema; at shutdown
the ClickMeter client and the database's connections are closed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import create_app
from bot.gc_tuning import freeze_startup_heap
from bot.health import health_report
from bot.metrics import exposition
from bot.services import Services
from config import SlackSettings


def create_web_app(
    slack: SlackSettings,
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
        return await handler.handle(request)

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
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
