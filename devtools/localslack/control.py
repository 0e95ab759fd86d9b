"""`/_control/*`: steer the local Slack over HTTP, from another process (a bench, a demo).

    POST /_control/storm    {"kind": "ratelimited", "seconds": 60, "retry_after": 1}
                            {"kind": "http_error", "seconds": 60, "status": 500}
                            storms queue up: the second starts where the first ends
    POST /_control/clear    every injected fault and storm gone: Slack is healthy again
    POST /_control/channel  {"channel": "C0MARKETING", "is_member": false}: the bot leaves or
                            joins a channel (posts there answer `not_in_channel` while out)

No token here: like the sandbox's `/_sandbox/*`, these must always be reachable.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol, cast, get_args

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.localslack.models import Channel, Fault, FaultKind


class Steerable(Protocol):
    """What of `MockSlack` the controls touch (named here: app.py imports this module)."""

    lock: threading.RLock
    faults: list[Fault]
    rate_limits: list[int]
    channels: dict[str, Channel]

    def storm(
        self,
        kind: FaultKind,
        seconds: float,
        *,
        method: str | None = None,
        status: int = 500,
        retry_after: int = 1,
    ) -> Fault: ...


def _problem(message: str) -> Response:
    return JSONResponse({"ok": False, "error": message}, status_code=400)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def routes(slack: Steerable) -> list[Route]:
    async def storm(request: Request) -> Response:
        body = await _json(request)
        kind, seconds = body.get("kind"), body.get("seconds")
        if kind not in get_args(FaultKind):
            return _problem(f"kind must be one of {', '.join(get_args(FaultKind))}")
        if not isinstance(seconds, int | float) or seconds <= 0:
            return _problem("seconds must be a positive number")
        fault = slack.storm(
            cast("FaultKind", kind),
            float(seconds),
            method=body.get("method"),
            status=int(body.get("status", 500)),
            retry_after=int(body.get("retry_after", 1)),
        )
        return JSONResponse({"ok": True, "starts": fault.starts, "until": fault.until})

    async def clear(request: Request) -> Response:
        with slack.lock:
            slack.faults.clear()
            slack.rate_limits.clear()
        return JSONResponse({"ok": True})

    async def channel(request: Request) -> Response:
        body = await _json(request)
        with slack.lock:
            found = slack.channels.get(str(body.get("channel")))
            if found is None:
                return _problem("no such channel")
            found.is_member = bool(body.get("is_member", True))
        return JSONResponse({"ok": True, "channel": found.info()})

    return [
        Route("/_control/storm", storm, methods=["POST"]),
        Route("/_control/clear", clear, methods=["POST"]),
        Route("/_control/channel", channel, methods=["POST"]),
    ]
