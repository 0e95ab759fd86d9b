"""The sandbox's HTTP face: routes, the API key, throttling, injected faults, error bodies."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.sandbox import control, entities, faults, hitlist, reports, stats, writes
from devtools.sandbox.account import Account
from devtools.sandbox.config import SandboxConfig
from devtools.sandbox.params import ApiError, Params, invalid
from devtools.sandbox.periods import to_us
from devtools.sandbox.render import JSON, error_body

log = logging.getLogger("devtools.sandbox")
Handler = Callable[[Account, Params, dict[str, str]], JSON]
#: A write: the account, the decoded JSON body (anything), the path parameters.
WriteHandler = Callable[[Account, Any, dict[str, str]], JSON]


class Throttle:
    """Token bucket per client IP and key: capacity `rate`, refilled at `rate` tokens a second."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}
        #: Requests let through and turned away (429) since start: what tests of client-side
        #: pacing read (`GET /_sandbox/throttle`), the server being the judge of the rate.
        self.admitted = 0
        self.refused = 0

    def allow(self, client: str) -> bool:
        if self.rate <= 0:
            self.admitted += 1
            return True
        now = time.monotonic()
        tokens, since = self._buckets.get(client, (self.rate, now))
        tokens = min(self.rate, tokens + (now - since) * self.rate)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            self.refused += 1
            return False
        self._buckets[client] = (tokens - 1, now)
        self.admitted += 1
        return True

    def counts(self) -> dict[str, float]:
        return {"rate_limit": self.rate, "admitted": self.admitted, "refused": self.refused}


@dataclass
class SandboxState:
    api_key: str
    account: Account
    throttle: Throttle
    #: The other accounts, by lower-cased key.
    others: dict[str, Account] = field(default_factory=dict)
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(7))
    read_only: bool = False


def _json(status: int, body: JSON, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def _dp(acct: Account, path: dict[str, str]) -> int:
    return entities.find_datapoint(acct, entities.path_id(path["id"]))


def _group(acct: Account, path: dict[str, str]) -> list[int]:
    index = entities.find_group(acct, entities.path_id(path["id"]))
    return acct.catalog.groups[index].datapoints


def _dp_mask(acct: Account, path: dict[str, str]) -> np.ndarray:
    return stats.mask_of(acct, [_dp(acct, path)])


def _group_mask(acct: Account, path: dict[str, str]) -> np.ndarray:
    return stats.mask_of(acct, _group(acct, path))


def _favourites(acct: Account, p: Params) -> np.ndarray | None:
    """`/aggregated?onlyFavorites=true` narrows the account to its favourite datapoints."""
    if not p.flag("onlyFavorites"):
        return None
    return stats.mask_of(acct, [i for i, dp in enumerate(acct.catalog.datapoints) if dp.favourite])


def _plan(acct: Account, p: Params, path: dict[str, str]) -> JSON:
    local_now = acct.now().astimezone(acct.zone)
    month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    used = len(acct.store.select(to_us(month_start), acct.now_us() + 1))
    return entities.plan(acct, used, month_start)


def _entity_id(path: dict[str, str]) -> int:
    return entities.path_id(path["id"])


ROUTES: list[tuple[str, Handler]] = [
    ("/me", lambda a, p, path: entities.me(a)),
    ("/me/plan", _plan),
    ("/account/plan", _plan),
    ("/aggregated", lambda a, p, path: stats.aggregated(a, p, _favourites(a, p))),
    ("/aggregated/list", lambda a, p, path: stats.aggregated_list(a, p, None)),
    ("/aggregated/summary/datapoints", lambda a, p, path: stats.summary_datapoints(a, p)),
    ("/aggregated/summary/groups", lambda a, p, path: stats.summary_groups(a, p)),
    ("/reports", lambda a, p, path: reports.report(a, p, None)),
    ("/hits", lambda a, p, path: hitlist.hits(a, p, None)),
    ("/clickstream", lambda a, p, path: hitlist.clickstream(a, p)),
    ("/datapoints", lambda a, p, path: entities.list_datapoints(a, p)),
    ("/datapoints/count", lambda a, p, path: entities.count_datapoints(a, p)),
    ("/datapoints/{id}", lambda a, p, path: entities.get_datapoint(a, _entity_id(path))),
    (
        "/datapoints/{id}/aggregated",
        lambda a, p, path: stats.aggregated(a, p, _dp_mask(a, path)),
    ),
    (
        "/datapoints/{id}/aggregated/list",
        lambda a, p, path: stats.aggregated_list(a, p, _dp_mask(a, path), _entity_id(path)),
    ),
    ("/datapoints/{id}/reports", lambda a, p, path: reports.report(a, p, _dp_mask(a, path))),
    ("/datapoints/{id}/hits", lambda a, p, path: hitlist.hits(a, p, _dp_mask(a, path))),
    ("/groups", lambda a, p, path: entities.list_groups(a, p)),
    ("/groups/count", lambda a, p, path: {"count": len(entities.filter_groups(a, p))}),
    (
        "/groups/{id}",
        lambda a, p, path: entities.group_json(
            a, a.catalog.groups[entities.find_group(a, _entity_id(path))]
        ),
    ),
    ("/groups/{id}/aggregated", lambda a, p, path: stats.aggregated(a, p, _group_mask(a, path))),
    (
        "/groups/{id}/aggregated/list",
        lambda a, p, path: stats.aggregated_list(a, p, _group_mask(a, path), _entity_id(path)),
    ),
    (
        "/groups/{id}/aggregated/summary",
        lambda a, p, path: stats.summary_datapoints(a, p, _group(a, path), type_required=False),
    ),
    ("/groups/{id}/reports", lambda a, p, path: reports.report(a, p, _group_mask(a, path))),
    ("/groups/{id}/hits", lambda a, p, path: hitlist.hits(a, p, _group_mask(a, path))),
    ("/groups/{id}/datapoints", lambda a, p, path: entities.list_datapoints(a, p, _group(a, path))),
    (
        "/groups/{id}/datapoints/count",
        lambda a, p, path: entities.count_datapoints(a, p, _group(a, path)),
    ),
    ("/tags", lambda a, p, path: entities.list_tags(a, p)),
    ("/tags/count", lambda a, p, path: entities.count_of(entities.list_tags(a, p, paged=False))),
    ("/tags/{id}", lambda a, p, path: entities.get_tag(a, _entity_id(path))),
    ("/conversions", lambda a, p, path: entities.list_conversions(a, p)),
    (
        "/conversions/count",
        lambda a, p, path: entities.count_of(entities.list_conversions(a, p, paged=False)),
    ),
    ("/conversions/{id}", lambda a, p, path: entities.get_conversion(a, _entity_id(path))),
    ("/aggregated/summary/conversions", lambda a, p, path: stats.summary_conversions(a, p)),
    ("/domains", lambda a, p, path: writes.list_domains(p)),
    ("/domains/count", lambda a, p, path: writes.count_domains(p)),
    ("/domains/{id}", lambda a, p, path: writes.get_domain(_entity_id(path))),
]

WRITES: list[tuple[str, WriteHandler]] = [
    ("/datapoints", lambda a, body, path: writes.create_datapoint(a, body)),
    ("/datapoints/{id}", lambda a, body, path: writes.update_datapoint(a, _dp(a, path), body)),
]


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        # As every refused value: the recorded 403 body (the service takes JSON only).
        raise invalid("Body", "The request body must be JSON.", "0001") from None


def _endpoint(
    state: SandboxState, handler: Handler | None, write: WriteHandler | None = None
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        client = request.client.host if request.client else "unknown"
        params = Params(list(request.query_params.multi_items()))
        key = request.headers.get("x-clickmeter-authkey") or params.get("authKey")
        key = (key or "").strip().lower()
        # ClickMeter's limit is per key: workspaces with their own keys don't share one.
        if not state.throttle.allow(f"{client} {key}"):
            return _json(429, error_body(429, "Too many requests: slow down."))
        injected = state.account.faults
        if injected.latency_ms > 0:
            await asyncio.sleep(injected.latency_ms / 1000)
        account = state.account if key == state.api_key.lower() else state.others.get(key)
        if injected.revoked or account is None:
            return _json(401, error_body(401, "Authorization has been denied for this request."))
        if injected.error_rate > 0 and state.rng.random() < injected.error_rate:
            return _json(500, error_body(500, "An error has occurred."))
        if injected.throttle_rate > 0 and state.rng.random() < injected.throttle_rate:
            retry = (
                {"Retry-After": str(round(injected.retry_after_s))}
                if injected.retry_after_s
                else {}
            )
            return _json(429, error_body(429, "Too many requests: slow down."), retry)
        try:
            path = dict(request.path_params)
            if write is not None:
                if state.read_only:
                    message = "Authorization has been denied for this request: read only."
                    raise ApiError(403, error_body(403, message))
                payload = await _json_body(request)
                account.sync()
                body = write(account, payload, path)
            else:
                assert handler is not None
                account.sync()
                body = handler(account, params, path)
        except ApiError as exc:
            return _json(exc.status, exc.body, exc.headers)
        except Exception:  # a sandbox bug must still answer like the service does
            log.exception("sandbox failed on %s", request.url)
            return _json(500, error_body(500, "An error has occurred."))
        return faults.spoil(injected, body)

    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = (
        "No HTTP resource was found that matches the request URI."
        if status == 404
        else ("The requested resource does not support this method.")
    )
    return _json(status, error_body(status, message))


def create_app(config: SandboxConfig) -> Starlette:
    """The sandbox's ASGI app for `config`: ClickMeter's endpoints and the control ones."""
    account = Account(
        config.seed,
        config.datapoints,
        config.timezone,
        config.history_days,
        config.start,
        max_datapoints=config.max_datapoints,
    )
    others = {
        other.api_key.lower(): Account(
            other.seed,
            other.datapoints,
            other.timezone,
            config.history_days,
            config.start,
            other.company,
        )
        for other in config.others
    }
    state = SandboxState(config.api_key, account, Throttle(config.rate_limit), others)
    state.read_only = config.read_only
    routes = [Route(path, _endpoint(state, handler), methods=["GET"]) for path, handler in ROUTES]
    routes += [
        Route(path, _endpoint(state, None, write), methods=["POST"]) for path, write in WRITES
    ]
    routes.append(
        Route(
            "/_sandbox/throttle",
            lambda request: JSONResponse(state.throttle.counts()),
            methods=["GET"],
        )
    )
    routes += control.routes(account, others)
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error},
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_headers=["*"])],
    )
    # ClickMeter answers a path it has no resource for with its 404 body; Starlette's default
    # would redirect `/datapoints/%2F` (a trailing slash once decoded) to `/datapoints`.
    app.router.redirect_slashes = False
    app.state.sandbox = state
    return app
