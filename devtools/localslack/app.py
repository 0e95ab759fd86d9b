"""The mock Slack Web API as a Starlette app.

Like Slack, every method answers HTTP 200 with `{"ok": false, "error": ...}` for API errors,
and 429 with `Retry-After` when rate limited. Calls are recorded for assertions.

Routes: `/api/{method}` (Web API), `/upload/{file_id}` (the upload URL that
files.getUploadURLExternal hands out), `/response/{id}` (minted response URLs) and
`/_control/*` (faults and membership, over HTTP: `control.py`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from devtools.localslack import control, files
from devtools.localslack import people as _people  # noqa: F401  (registers usergroups.*)
from devtools.localslack import unfurls as _unfurls  # noqa: F401  (registers chat.unfurl)
from devtools.localslack.models import (
    BOT_ID,
    BOT_USER,
    BOT_USER_ID,
    TEAM,
    TEAM_DOMAIN,
    TEAM_ID,
    ApiError,
    Fault,
    FaultKind,
    RecordedCall,
    ResponsePost,
)
from devtools.localslack.oauth import OAuthProvider
from devtools.localslack.responses import ResponseHook, apply_response
from devtools.localslack.workspace import METHODS, Workspace, api

T = TypeVar("T")
FORM = "application/x-www-form-urlencoded"
RAW_SEND = "mock_slack.raw_send"
#: The methods only an app-level token may call.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass
class MockSlack(Workspace):
    """State of the mock: the valid bot token, recorded calls, faults, and the workspace."""

    bot_token: str = "xoxb-0000000000-0000000000000-mockmockmockmockmockmock"
    #: The app-level token (Socket Mode): good for apps.connections.open only, as on Slack.
    app_token: str = "xapp-1-A0MOCKAPP01-0000000000000-mockmockmockmockmockmockmockmock"
    calls: list[RecordedCall] = field(default_factory=list)
    #: Each entry makes one upcoming call answer 429 with that Retry-After (seconds).
    rate_limits: list[int] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    #: When true, the bot token answers `token_revoked`.
    revoked: bool = False
    #: Base URL the mock is served at (set by `MockSlackServer`), for minted URLs.
    base_url: str = "http://127.0.0.1"
    response_posts: list[ResponsePost] = field(default_factory=list)
    #: Installs through OAuth, their tokens, rotation and uninstalls (see `oauth`).
    oauth: OAuthProvider = field(default_factory=OAuthProvider)
    _hooks: dict[str, ResponseHook] = field(default_factory=dict, repr=False)

    # --- failure injection -------------------------------------------------

    def revoke_token(self, revoked: bool = True) -> None:
        self.revoked = revoked

    def inject(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        times: int = 1,
        status: int = 503,
        retry_after: int = 1,
        seconds: float = 0.0,
    ) -> Fault:
        """Fail the next `times` calls (to `method`, or any): see `Fault`."""
        fault = Fault(kind, method, times, status, retry_after, seconds)
        with self.lock:
            self.faults.append(fault)
        return fault

    def rate_limit(
        self, retry_after: int = 1, *, method: str | None = None, times: int = 1
    ) -> Fault:
        return self.inject("ratelimited", method=method, times=times, retry_after=retry_after)

    def storm(
        self,
        kind: FaultKind,
        seconds: float,
        *,
        method: str | None = None,
        status: int = 500,
        retry_after: int = 1,
    ) -> Fault:
        """Fail every call (to `method`, or any) for the next `seconds`, after the storms
        already queued: a 429 storm then a 5xx storm is two calls, the second starting where
        the first ends. Also `POST /_control/storm`."""
        with self.lock:
            ends = [f.until for f in self.faults if f.until is not None]
            starts = max([time.time(), *ends])
            fault = Fault(
                kind, method, 0, status, retry_after, starts=starts, until=starts + seconds
            )
            self.faults.append(fault)
        return fault

    # --- recording -----------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self.lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 5.0, interval: float = 0.01
    ) -> T:
        """Poll `predicate` until it returns something truthy (returned); else TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            time.sleep(interval)

    async def wait_for_async(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 (a polling deadline, not a cancellation)
        interval: float = 0.01,
    ) -> T:
        """`wait_for` for async tests: yields to the event loop between polls."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(interval)

    # --- response URLs -------------------------------------------------------

    def mint_response_url(
        self,
        *,
        channel: str | None = "C0GENERAL",
        user: str | None = "U0ALICE",
        message_ts: str | None = None,
    ) -> str:
        """A response URL as Slack sends with slash commands (`message_ts` for actions)."""
        with self.lock:
            hook_id = f"{TEAM_ID}/{self._new_id('R')}/{next(self._ids):06x}"
            self._hooks[hook_id] = ResponseHook(hook_id, channel, user, message_ts)
        return f"{self.base_url}/response/{hook_id}"

    def responses_to(self, response_url: str) -> list[ResponsePost]:
        hook_id = response_url.rsplit("/response/", 1)[-1]
        with self.lock:
            return [post for post in self.response_posts if post.response_id == hook_id]

    # --- HTTP ------------------------------------------------------------------

    def app(self) -> ASGIApp:
        """The ASGI app: `/api/{method}`, `/upload/{file_id}`, `/response/{hook_id}`."""
        routes = [
            Route("/api/{method}", self._dispatch, methods=["GET", "POST"]),
            Route("/upload/{file_id}", self._upload, methods=["POST"]),
            Route("/response/{hook_id:path}", self._response, methods=["POST"]),
            *control.routes(self),
            Route("/oauth/v2/authorize", self.oauth.authorize_page, methods=["GET"]),
        ]
        return _KeepRawSend(Starlette(routes=routes))

    async def _dispatch(self, request: Request) -> Response:
        method = request.path_params["method"]
        at = time.time()
        try:
            args = await _read_args(request)
        except ValueError:
            args = {}
        token = _bearer(request) or args.pop("token", None)
        fault = self._take_fault(method)
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
            fault = None
        response: Response
        if fault is None:
            status, body = 200, self._answer(method, token, args, request)
            error = None if body["ok"] else str(body["error"])
            response = JSONResponse(body)
        elif fault.kind == "ratelimited":
            status, error = 429, "ratelimited"
            response = JSONResponse(
                {"ok": False, "error": "ratelimited"},
                status_code=429,
                headers={"Retry-After": str(fault.retry_after)},
            )
        elif fault.kind == "http_error":
            status, error = fault.status, "http_error"
            response = Response(
                f"<html><body>{fault.status} upstream error</body></html>",
                status_code=fault.status,
                media_type="text/html",
            )
        else:
            status, error, response = 0, "disconnect", _Disconnect()
        with self.lock:
            self.calls.append(RecordedCall(method, token, args, at, status, error))
        return response

    def _take_fault(self, method: str) -> Fault | None:
        now = time.time()
        with self.lock:
            if self.rate_limits:
                return Fault("ratelimited", retry_after=self.rate_limits.pop(0))
            for fault in self.faults:
                if fault.matches(method, now):
                    fault.times -= 1
                    return fault
            return None

    def _answer(
        self, method: str, token: str | None, args: dict[str, Any], request: Request
    ) -> dict[str, Any]:
        if method == "oauth.v2.access":  # authenticated by the app's client id and secret
            try:
                with self.lock:
                    return {
                        "ok": True,
                        **self.oauth.access(args, request.headers.get("authorization")),
                    }
            except ApiError as exc:
                return exc.body()
        try:
            with self.lock:  # a token an install got (see `oauth`), if still good
                grant = self.oauth.check(token) if token is not None else None
        except ApiError as exc:
            return exc.body()
        if grant is not None and method == "auth.test":
            return {"ok": True, **grant.auth_test()}
        refused = None if grant is not None else self._refused_token(method, token)
        if refused is not None:
            return ApiError(refused).body()
        handler = METHODS.get(method)
        if handler is None:
            return ApiError("unknown_method").body()
        base = str(request.base_url).rstrip("/")
        try:
            with self.lock:
                return {"ok": True, **handler(self, args, base)}
        except ApiError as exc:
            return exc.body()

    def _refused_token(self, method: str, token: str | None) -> str | None:
        """Slack's error for a call with `token`, or None when the token may call `method`.

        As on Slack, an app-level token may only open Socket Mode connections and a bot token
        may not: either used for the other's methods is `not_allowed_token_type`."""
        if token is None:
            return "not_authed"
        if token not in (self.bot_token, self.app_token):
            return "invalid_auth"
        if (token == self.app_token) != (method in APP_TOKEN_METHODS):
            return "not_allowed_token_type"
        if self.revoked and token == self.bot_token:
            return "token_revoked"
        return None

    async def _upload(self, request: Request) -> Response:
        status, text = files.receive_upload(
            self, request.path_params["file_id"], await request.body()
        )
        return PlainTextResponse(text, status_code=status)

    async def _response(self, request: Request) -> Response:
        hook_id = request.path_params["hook_id"]
        raw = await request.body()
        with self.lock:
            status, text, post = apply_response(self, self._hooks.get(hook_id), raw, time.time())
            if post is not None:
                self.response_posts.append(post)
        return PlainTextResponse(text, status_code=status)


@api("auth.test")
def auth_test(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        "url": f"https://{TEAM_DOMAIN}.slack.com/",
        "team": TEAM,
        "user": BOT_USER,
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


@api("apps.connections.open")
def apps_connections_open(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    # A fresh ticket per call, as Slack's; the mock serves no WebSocket at this URL.
    ticket = ws._new_id("ticket-")
    return {"url": f"wss://{base.split('://', 1)[-1]}/link/?ticket={ticket}&app_id=A0MOCKAPP01"}


class _Disconnect(Response):
    """Drop the connection without an answer (a network-ish fault).

    With uvicorn, the socket is aborted (the client sees the server disconnect before any
    response); elsewhere, the response is started and then broken off.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_send = scope.get(RAW_SEND)
        transport = getattr(getattr(raw_send, "__self__", None), "transport", None)
        if transport is not None:
            transport.abort()
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok": tr', "more_body": True})
        raise ConnectionAbortedError("mock Slack dropped the connection")


class _KeepRawSend:
    """Outermost ASGI layer: remembers the server's own `send` in the scope (see above)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RAW_SEND] = send
        await self.app(scope, receive, send)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[len("Bearer ") :] if header.startswith("Bearer ") else None


async def _read_args(request: Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.body()
            if body:
                loaded = json.loads(body)
                if isinstance(loaded, dict):
                    args.update(loaded)
        elif request.headers.get("content-type", "").startswith(FORM):
            # Parsed by hand: Starlette's form parser needs python-multipart.
            form = (await request.body()).decode()
            args.update(parse_qsl(form, keep_blank_values=True))
    return args
