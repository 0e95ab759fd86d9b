"""The HTTP layer: authentication, pacing, retries (tenacity), and mapping failures to our
exceptions.

The key only ever travels in the `X-Clickmeter-Authkey` header, added per request by an
`httpx.Auth` so it is not even part of the `httpx.AsyncClient`'s default headers. Log lines and
exceptions name the endpoint path only (never a URL with its query, never a header).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
from collections.abc import Callable, Generator, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import tenacity
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
from clickmeter._throttle import Pacer

logger = logging.getLogger("clickmeter")

AUTH_HEADER = "X-Clickmeter-Authkey"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
QueryValue = str | int | float | bool
Query = Mapping[str, QueryValue]


#: Told of every HTTP attempt: the endpoint ("/datapoints/{id}/aggregated") and its outcome,
#: the status code ("200", "429") or the transport error's name ("ConnectTimeout").
RequestObserver = Callable[[str, str], None]
#: Why a failed attempt is tried again: ClickMeter's rate limit, a server error, or no answer
#: (a connection error or a timeout).
RetryCause = Literal["429", "5xx", "network"]
#: Told of every retry: the endpoint shape and its cause.
RetryObserver = Callable[[str, RetryCause], None]
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
    # Ours, not tenacity's: it waits what `_wait` returns, and neither it nor httpx reads the
    # header (both forms are parsed here, the date with the standard library).
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


def error_from_response(
    response: httpx.Response, endpoint: str, secret: str, method: str = "GET"
) -> ClickMeterError:
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
    text = f"ClickMeter {method} {endpoint} answered HTTP {status}"
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


def error_from_exception(
    exc: httpx.TransportError, endpoint: str, method: str = "GET"
) -> ClickMeterError:
    """The exception for a request that got no answer (the httpx text is left out on purpose)."""
    kind = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return ClickMeterTimeout(
            f"ClickMeter {method} {endpoint} timed out ({kind})", endpoint=endpoint
        )
    return NetworkError(f"ClickMeter {method} {endpoint} failed: {kind}", endpoint=endpoint)


def not_json(response: httpx.Response, endpoint: str) -> BadResponseError:
    """The exception for a successful answer whose body is not JSON."""
    content_type = response.headers.get("Content-Type", "?")
    return BadResponseError(
        f"ClickMeter GET {endpoint} answered HTTP {response.status_code} with a body that "
        f"is not JSON (Content-Type {content_type})",
        status_code=response.status_code,
        endpoint=endpoint,
    )


def _is_retryable_exception(exc: httpx.TransportError, method: str = "GET") -> bool:
    # Protocol misuse (bad URL, unsupported scheme, proxy setup) will not heal by retrying.
    if method != "GET":
        # A write is only tried again when it surely never reached ClickMeter: after a read
        # timeout or a dropped answer the link may exist already, and a second POST would
        # make a second one (or answer "name taken" for our own first).
        return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    return isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


def _retry_cause(status: int, method: str) -> RetryCause | None:
    if status == 429:
        return "429"  # refused before any work was done: safe to repeat, even a write
    if status in RETRY_STATUSES and method == "GET":
        return "5xx"
    return None


class _FailedAttempt(Exception):
    """One attempt's failure, as the retry policy sees it: the error a caller would get, and
    why it may be retried (`cause`; None: it may not)."""

    def __init__(
        self,
        error: ClickMeterError,
        path: str,
        *,
        cause: RetryCause | None,
        reason: str,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.error = error
        self.path = path
        self.cause = cause
        self.reason = reason
        self.retry_after = retry_after


def _failure(retry_state: tenacity.RetryCallState) -> _FailedAttempt:
    outcome = retry_state.outcome
    failed = outcome.exception() if outcome is not None else None
    assert isinstance(failed, _FailedAttempt)  # only those are retried (`retry=` below)
    return failed


class HttpCore:
    """GETs JSON from ClickMeter with pacing and bounded, jittered retries.

    Retries are tenacity's: at most `max_attempts` tries, none that would start after
    `retry_deadline` seconds (`stop_before_delay`: a wait that would cross it fails at once),
    waits of Retry-After when the server gives one, else full-jitter exponential backoff.
    """

    def __init__(
        self,
        api_key: SecretStr,
        *,
        base_url: str,
        timeout: float,
        max_attempts: int,
        retry_deadline: float,
        pacer: Pacer | None,
        transport: httpx.AsyncBaseTransport | None,
        backoff_base: float,
        backoff_cap: float,
        observer: RequestObserver | None = None,
        retry_observer: RetryObserver | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._secret = api_key.get_secret_value()
        self._max_attempts = max_attempts
        self._timeout = timeout
        self._observer = observer
        self._retry_observer = retry_observer
        self._pacer = pacer
        # Full jitter (AWS architecture blog): spreads retries of many callers apart.
        self._backoff = tenacity.wait_random_exponential(multiplier=backoff_base, max=backoff_cap)
        # A template: each call runs on its own `copy()`, as tenacity's decorator does, since
        # a Retrying object keeps per-call state and calls here run concurrently.
        self._retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(max_attempts)
            | tenacity.stop_before_delay(retry_deadline),
            wait=self._wait,
            retry=tenacity.retry_if_exception(
                lambda exc: isinstance(exc, _FailedAttempt) and exc.cause is not None
            ),
            before_sleep=self._before_sleep,
            reraise=True,
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
        try:
            response: httpx.Response = await self._retrying.copy()(
                self._attempt, "GET", path, params, None
            )
        except _FailedAttempt as failed:
            raise failed.error from None
        return response

    async def post_json(self, path: str, body: Any) -> Any:
        """The decoded JSON answer to `POST path` with the JSON `body`, or the mapped
        ClickMeterError. Retried only when ClickMeter surely did nothing (a 429, or no
        connection made), never after a 5xx or a timeout: a write must not happen twice."""
        try:
            response: httpx.Response = await self._retrying.copy()(
                self._attempt, "POST", path, None, body
            )
        except _FailedAttempt as failed:
            raise failed.error from None
        try:
            return response.json()
        except ValueError:
            raise not_json(response, path) from None

    async def _attempt(
        self, method: str, path: str, params: Query | None, body: Any
    ) -> httpx.Response:
        if self._pacer is not None:
            await self._pacer.wait()
        try:
            # httpx's timeout bounds each read; this bounds the attempt, so a body
            # dribbled a byte at a time cannot hold the caller for minutes.
            async with asyncio.timeout(self._timeout):
                if method == "GET":
                    response = await self._client.get(path, params=params)
                else:
                    response = await self._client.request(method, path, json=body)
        except TimeoutError:
            self._observe(path, "Deadline")
            error: ClickMeterError = ClickMeterTimeout(
                f"ClickMeter {method} {path} took longer than {self._timeout:g}s to answer whole",
                endpoint=path,
            )
            cause: RetryCause | None = "network" if method == "GET" else None
            raise _FailedAttempt(error, path, cause=cause, reason="deadline") from None
        except httpx.TransportError as exc:
            self._observe(path, type(exc).__name__)
            cause = "network" if _is_retryable_exception(exc, method) else None
            error = error_from_exception(exc, path, method)
            raise _FailedAttempt(error, path, cause=cause, reason=type(exc).__name__) from None
        status = response.status_code
        self._observe(path, str(status))
        if response.is_success:
            return response
        raise _FailedAttempt(
            error_from_response(response, path, self._secret, method),
            path,
            cause=_retry_cause(status, method),
            reason=f"HTTP {status}",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _wait(self, retry_state: tenacity.RetryCallState) -> float:
        retry_after = _failure(retry_state).retry_after
        return retry_after if retry_after is not None else self._backoff(retry_state)

    def _before_sleep(self, retry_state: tenacity.RetryCallState) -> None:
        failed = _failure(retry_state)
        logger.warning(
            "ClickMeter GET %s failed (%s); retry %d of %d in %.2fs",
            failed.path,
            failed.reason,
            retry_state.attempt_number,
            self._max_attempts - 1,
            retry_state.upcoming_sleep,
        )
        if self._retry_observer is not None and failed.cause is not None:
            self._retry_observer(_shape(failed.path), failed.cause)

    def _observe(self, path: str, outcome: str) -> None:
        if self._observer is not None:
            self._observer(_shape(path), outcome)


def _shape(path: str) -> str:
    # Ids would make one series per datapoint: count by endpoint shape instead.
    return _ID_SEGMENT.sub("/{id}", path)
