"""The HTTP layer: authentication, pacing, retries, and mapping failures to our exceptions.

The key only ever travels in the `X-Clickmeter-Authkey` header, added per request by an
`httpx.Auth` so it is not even part of the `httpx.AsyncClient`'s default headers. Log lines and
exceptions name the endpoint path only (never a URL with its query, never a header).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Generator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr

from clickmeter._exceptions import (
    AuthenticationError,
    BadResponseError,
    ClickMeterError,
    ClickMeterTimeout,
    FieldError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from clickmeter._throttle import Pacer, pacer_for

logger = logging.getLogger("clickmeter")

AUTH_HEADER = "X-Clickmeter-Authkey"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
QueryValue = str | int | float | bool
Query = Mapping[str, QueryValue]


#: Told of every HTTP attempt: the endpoint ("/datapoints/{id}/aggregated") and its outcome,
#: the status code ("200", "429") or the transport error's name ("ConnectTimeout").
RequestObserver = Callable[[str, str], None]
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


class KeyAuth(httpx.Auth):
    """Adds the key header to each request; its repr never shows the key."""

    def __init__(self, api_key: SecretStr) -> None:
        self._api_key = api_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[AUTH_HEADER] = self._api_key.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return "KeyAuth(api_key=SecretStr('**********'))"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP-date; None if absent/bad."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _scrub(text: Any, secret: str) -> str | None:
    # Servers have been known to echo credentials in error messages; keys are GUIDs, so the
    # echo may differ in case.
    if text is None:
        return None
    return re.sub(re.escape(secret), "[redacted]", str(text), flags=re.IGNORECASE)


def error_from_response(response: httpx.Response, endpoint: str, secret: str) -> ClickMeterError:
    """The exception for a non-2xx answer (server text is scrubbed of `secret`)."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    api_message = _scrub(body.get("Message") or body.get("message"), secret)
    common: dict[str, Any] = {
        "status_code": status,
        "error_code": body.get("errorCode"),
        "http_error_code": body.get("httpErrorCode"),
        "api_message": api_message,
        "endpoint": endpoint,
    }
    text = f"ClickMeter GET {endpoint} answered HTTP {status}"
    if api_message:
        text += f": {api_message}"
    raw_errors = body.get("errors")
    if isinstance(raw_errors, list) and raw_errors and 400 <= status < 500 and status != 401:
        errors = [
            FieldError(
                _scrub(item.get("property"), secret),
                _scrub(item.get("errorMessage"), secret),
                _scrub(item.get("code"), secret),
            )
            for item in raw_errors
            if isinstance(item, dict)
        ]
        details = "; ".join(f"{e.property}: {e.error_message}" for e in errors)
        return ValidationError(
            f"{text} ({details})",
            errors=errors,
            user_message=f"ClickMeter refused the request: {details}.",
            **common,
        )
    if status == 401:
        return AuthenticationError(text, **common)
    if status == 403:
        return ForbiddenError(text, **common)
    if status == 404:
        return NotFoundError(text, **common)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        user_message = None
        if retry_after is not None and retry_after >= 1:
            user_message = (
                f"ClickMeter is asking us to slow down. Try again in {retry_after:.0f} seconds."
            )
        return RateLimitedError(text, retry_after=retry_after, user_message=user_message, **common)
    if status >= 500:
        return ServerError(text, **common)
    return ClickMeterError(text, **common)


def error_from_exception(exc: httpx.TransportError, endpoint: str) -> ClickMeterError:
    """The exception for a request that got no answer (the httpx text is left out on purpose)."""
    kind = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return ClickMeterTimeout(f"ClickMeter GET {endpoint} timed out ({kind})", endpoint=endpoint)
    return NetworkError(f"ClickMeter GET {endpoint} failed: {kind}", endpoint=endpoint)


def not_json(response: httpx.Response, endpoint: str) -> BadResponseError:
    """The exception for a successful answer whose body is not JSON."""
    content_type = response.headers.get("Content-Type", "?")
    return BadResponseError(
        f"ClickMeter GET {endpoint} answered HTTP {response.status_code} with a body that "
        f"is not JSON (Content-Type {content_type})",
        status_code=response.status_code,
        endpoint=endpoint,
    )


def _is_retryable_exception(exc: httpx.TransportError) -> bool:
    # Protocol misuse (bad URL, unsupported scheme, proxy setup) will not heal by retrying.
    return isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


class HttpCore:
    """GETs JSON from ClickMeter with pacing and bounded, jittered retries."""

    def __init__(
        self,
        api_key: SecretStr,
        *,
        base_url: str,
        timeout: float,
        max_attempts: int,
        retry_deadline: float,
        requests_per_second: float | None,
        transport: httpx.AsyncBaseTransport | None,
        backoff_base: float,
        backoff_cap: float,
        observer: RequestObserver | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._secret = api_key.get_secret_value()
        self._max_attempts = max_attempts
        self._timeout = timeout
        self._retry_deadline = retry_deadline
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._observer = observer
        self._pacer: Pacer | None = (
            pacer_for(self._secret, requests_per_second) if requests_per_second else None
        )
        self._client = httpx.AsyncClient(
            base_url=base_url,
            auth=KeyAuth(api_key),
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _backoff(self, attempt: int) -> float:
        # Full jitter (AWS architecture blog): spreads retries of many callers apart.
        return random.uniform(0, min(self._backoff_cap, self._backoff_base * 2 ** (attempt - 1)))

    async def get_json(self, path: str, params: Query | None = None) -> Any:
        """The decoded JSON body of `GET path`, or the mapped ClickMeterError."""
        response = await self.get(path, params)
        try:
            return response.json()
        except ValueError:
            raise not_json(response, path) from None

    async def get(self, path: str, params: Query | None = None) -> httpx.Response:
        """The successful (2xx) answer to `GET path`, body not decoded; else the mapped
        ClickMeterError."""
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            if self._pacer is not None:
                await self._pacer.wait()
            retry_after: float | None = None
            error: ClickMeterError
            try:
                # httpx's timeout bounds each read; this bounds the attempt, so a body
                # dribbled a byte at a time cannot hold the caller for minutes.
                async with asyncio.timeout(self._timeout):
                    response = await self._client.get(path, params=params)
            except TimeoutError:
                self._observe(path, "Deadline")
                error = ClickMeterTimeout(
                    f"ClickMeter GET {path} took longer than {self._timeout:g}s to answer whole",
                    endpoint=path,
                )
                retryable, reason = True, "deadline"
            except httpx.TransportError as exc:
                self._observe(path, type(exc).__name__)
                error = error_from_exception(exc, path)
                retryable = _is_retryable_exception(exc)
                reason = type(exc).__name__
            else:
                self._observe(path, str(response.status_code))
                if response.is_success:
                    return response
                error = error_from_response(response, path, self._secret)
                retryable = response.status_code in RETRY_STATUSES
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                reason = f"HTTP {response.status_code}"
            if not retryable or attempt >= self._max_attempts:
                raise error
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            if time.monotonic() - started + delay > self._retry_deadline:
                raise error
            logger.warning(
                "ClickMeter GET %s failed (%s); retry %d of %d in %.2fs",
                path,
                reason,
                attempt,
                self._max_attempts - 1,
                delay,
            )
            await asyncio.sleep(delay)

    def _observe(self, path: str, outcome: str) -> None:
        if self._observer is not None:
            # Ids would make one series per datapoint: count by endpoint shape instead.
            self._observer(_ID_SEGMENT.sub("/{id}", path), outcome)
