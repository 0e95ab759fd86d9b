"""The mock Slack Web API as a Starlette app.

Like Slack, every method answers HTTP 200 with `{"ok": false, "error": ...}` for API errors,
and 429 with `Retry-After` when rate limited. Calls are recorded for assertions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TEAM_ID = "T0CLICKBOT"
TEAM = "Acme Growth"
BOT_USER_ID = "U0CLICKBOT"
BOT_USER = "clickbot"


@dataclass(frozen=True)
class RecordedCall:
    method: str
    token: str | None
    args: dict[str, Any]


@dataclass
class MockSlack:
    """State of the mock: the valid bot token, recorded calls, and queued rate limits."""

    bot_token: str = "xoxb-0000000000-0000000000000-mockmockmockmockmockmock"
    calls: list[RecordedCall] = field(default_factory=list)
    #: Each entry makes one upcoming call answer 429 with that Retry-After (seconds).
    rate_limits: list[int] = field(default_factory=list)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/{method}", self._dispatch, methods=["GET", "POST"])])

    async def _dispatch(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        args = await _read_args(request)
        token = _bearer(request) or args.pop("token", None)
        self.calls.append(RecordedCall(method, token, args))
        if self.rate_limits:
            retry_after = self.rate_limits.pop(0)
            return JSONResponse(
                {"ok": False, "error": "ratelimited"},
                status_code=429,
                headers={"Retry-After": str(retry_after)},
            )
        if token is None:
            return JSONResponse({"ok": False, "error": "not_authed"})
        if token != self.bot_token:
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return JSONResponse({"ok": False, "error": "unknown_method"})
        return JSONResponse(handler(args))

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme-growth.slack.com/",
            "team": TEAM,
            "user": BOT_USER,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": "B0CLICKBOT",
        }


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[len("Bearer ") :] if header.startswith("Bearer ") else None


async def _read_args(request: Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.body()
            if body:
                args.update(json.loads(body))
        else:
            form = await request.form()
            args.update({key: value for key, value in form.items() if isinstance(value, str)})
    return args
