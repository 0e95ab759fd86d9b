"""`/_sandbox/*`: steer the sandbox (spikes, faults, clock) and look inside it.

No key, no throttle, no faults here: tests and demos must always be able to reach them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from clickmeter._dates import format_ymdhis
from devtools.sandbox.account import Account
from devtools.sandbox.periods import DayRange, utc_bounds_us


class BadBody(ValueError):
    pass


def _number(body: dict[str, Any], name: str, low: float, high: float | None = None) -> float:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadBody(f"{name} must be a number")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadBody(f"{name} must be {bounds}")
    return float(value)


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body[name]
    if not isinstance(value, bool):
        raise BadBody(f"{name} must be true or false")
    return value


def _only(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(body) - allowed
    if unknown:
        raise BadBody(f"unknown field(s): {', '.join(sorted(unknown))}")


def _clock_json(acct: Account) -> dict[str, Any]:
    now = acct.now()
    return {
        "now": now.isoformat(),
        "local": format_ymdhis(now, acct.zone),
        "today": acct.today().isoformat(),
        "frozen": acct.clock.frozen,
    }


def spike(acct: Account, body: dict[str, Any]) -> dict[str, Any]:
    _only(body, {"datapoint_id", "clicks_per_minute", "minutes"})
    if not isinstance(body.get("datapoint_id"), int) or isinstance(body["datapoint_id"], bool):
        raise BadBody("datapoint_id must be an integer datapoint id")
    index = acct.catalog.datapoint_index(body["datapoint_id"])
    if index is None:
        raise BadBody(f"no datapoint with id {body['datapoint_id']}")
    per_minute = _number(body, "clicks_per_minute", 0) if "clicks_per_minute" in body else 100.0
    minutes = _number(body, "minutes", 0, 24 * 60) if "minutes" in body else 10.0
    acct.sync()
    start = acct.now()
    hits = acct.spike(index, per_minute, minutes)
    until = start + timedelta(minutes=minutes)
    return {
        "datapoint_id": body["datapoint_id"],
        "hits": hits,
        "from": start.isoformat(),
        "until": until.isoformat(),
    }


def pause(acct: Account, body: dict[str, Any]) -> dict[str, Any]:
    _only(body, {"datapoint_id", "minutes"})
    if not isinstance(body.get("datapoint_id"), int) or isinstance(body["datapoint_id"], bool):
        raise BadBody("datapoint_id must be an integer datapoint id")
    index = acct.catalog.datapoint_index(body["datapoint_id"])
    if index is None:
        raise BadBody(f"no datapoint with id {body['datapoint_id']}")
    minutes = _number(body, "minutes", 0, 7 * 24 * 60) if "minutes" in body else 60.0
    acct.sync()
    start = acct.now()
    acct.pause(index, minutes)
    until = start + timedelta(minutes=minutes)
    return {
        "datapoint_id": body["datapoint_id"],
        "from": start.isoformat(),
        "until": until.isoformat(),
    }


def _whole(body: dict[str, Any], name: str, low: int, high: int) -> int:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadBody(f"{name} must be a whole number between {low} and {high}")
    return value


_FLAGS = ("revoked", "truncated_json", "garbage_body", "short_page")


def faults(acct: Account, body: dict[str, Any]) -> dict[str, Any]:
    _only(
        body,
        {"latency_ms", "error_rate", "throttle_rate", "retry_after_s", "inflated_count"}
        | {"trickle_ms", *_FLAGS},
    )
    f = acct.faults
    # Validate everything before changing anything, so a bad body leaves faults untouched.
    latency = _number(body, "latency_ms", 0, 60_000) if "latency_ms" in body else f.latency_ms
    errors = _number(body, "error_rate", 0, 1) if "error_rate" in body else f.error_rate
    throttle = _number(body, "throttle_rate", 0, 1) if "throttle_rate" in body else f.throttle_rate
    retry = _number(body, "retry_after_s", 0, 3600) if "retry_after_s" in body else f.retry_after_s
    flags = {name: _flag(body, name) if name in body else getattr(f, name) for name in _FLAGS}
    inflated = (
        _whole(body, "inflated_count", 0, 10**9) if "inflated_count" in body else f.inflated_count
    )
    trickle = _number(body, "trickle_ms", 0, 10_000) if "trickle_ms" in body else f.trickle_ms
    f.latency_ms, f.error_rate, f.throttle_rate = latency, errors, throttle
    f.retry_after_s, f.inflated_count, f.trickle_ms = retry, inflated, trickle
    for name, value in flags.items():
        setattr(f, name, value)
    return asdict(f)


def clock(acct: Account, body: dict[str, Any]) -> dict[str, Any]:
    _only(body, {"advance_seconds", "frozen"})
    advance = _number(body, "advance_seconds", 0, 366 * 86400) if "advance_seconds" in body else 0
    frozen = _flag(body, "frozen") if "frozen" in body else None
    if frozen is not None:
        acct.clock.freeze(frozen)
    if advance:
        acct.clock.advance(advance)
    acct.sync()
    return _clock_json(acct)


def state(acct: Account) -> dict[str, Any]:
    acct.sync()
    cat, store = acct.catalog, acct.store
    today = acct.today()
    start, end = utc_bounds_us(DayRange(today, today), acct.zone)
    rows = store.select(start, min(end, acct.now_us() + 1))
    cols = store.metric_columns(rows)
    per_dp = np.bincount(
        store.hits.dp[rows], weights=cols["totalClicks"], minlength=len(cat.datapoints)
    )
    return {
        "clock": _clock_json(acct),
        "timezone": acct.timezone_name,
        "iana_timezone": acct.zone.key,
        "history_start": acct.history_start.isoformat(),
        "datapoints": [
            {
                "id": dp.id,
                "name": dp.name,
                "type": dp.type,
                "status": dp.status,
                "group_id": cat.groups[dp.group].id,
                "tags": [t.name for t in dp.tags],
                "created": format_ymdhis(dp.created, acct.zone),
                "today_clicks": int(per_dp[i]),
            }
            for i, dp in enumerate(cat.datapoints)
        ],
        "groups": [
            {"id": g.id, "name": g.name, "datapoints": [cat.datapoints[i].id for i in g.datapoints]}
            for g in cat.groups
        ],
        "tags": [{"id": t.id, "name": t.name} for t in cat.tags],
        "conversions": [{"id": c.id, "name": c.name, "value": c.value} for c in cat.conversions],
        "today": store.totals(rows),
        "total_hits": len(store.select(0, acct.now_us() + 1)),
        "faults": asdict(acct.faults),
    }


def _post(
    accounts: Callable[[Request], Account | None],
    action: Callable[[Account, dict[str, Any]], dict[str, Any]],
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        acct = accounts(request)
        if acct is None:
            return JSONResponse({"error": "no account has that key"}, status_code=404)
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        try:
            return JSONResponse(action(acct, body))
        except BadBody as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    return endpoint


def routes(acct: Account, others: dict[str, Account] | None = None) -> list[Route]:
    """The control routes; they steer `acct`, or with `?account=<key>` the other account
    behind that key (faults stay the first account's, applying to every key)."""
    extra = others or {}

    def account_of(request: Request) -> Account | None:
        key = request.query_params.get("account")
        return acct if key is None else extra.get(key.strip().lower())

    async def get_state(request: Request) -> Response:
        chosen = account_of(request)
        if chosen is None:
            return JSONResponse({"error": "no account has that key"}, status_code=404)
        return JSONResponse(state(chosen))

    return [
        Route("/_sandbox/spike", _post(account_of, spike), methods=["POST"]),
        Route("/_sandbox/pause", _post(account_of, pause), methods=["POST"]),
        Route("/_sandbox/faults", _post(lambda request: acct, faults), methods=["POST"]),
        Route("/_sandbox/clock", _post(account_of, clock), methods=["POST"]),
        Route("/_sandbox/state", get_state, methods=["GET"]),
    ]
