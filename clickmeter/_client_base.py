"""The client's core: construction, lifetime, the account (`/me`) and its time zone."""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import Any, Self, TypeVar, cast
from zoneinfo import ZoneInfo

import httpx
import pydantic
from pydantic import SecretStr

from clickmeter._cache import ResponseCache, request_key
from clickmeter._exceptions import BadResponseError, UnsupportedTimeframeError
from clickmeter._http import HttpCore, Query, RequestObserver, RetryObserver, not_json
from clickmeter._models import ClickMeterModel, Plan, User
from clickmeter._throttle import Pacer, pacer_for
from clickmeter._timeframes import Period, Timeframe
from clickmeter._timezones import UnknownTimezoneError, zone_from_windows

logger = logging.getLogger("clickmeter")

M = TypeVar("M", bound=ClickMeterModel)
L = TypeVar("L", bound=pydantic.BaseModel)
PeriodLike = Period | Timeframe | str
UTC_ZONE = ZoneInfo("UTC")


def query(**values: Any) -> dict[str, str | int | float | bool]:
    """Query parameters without the unset (None) ones, which httpx would send as empty."""
    return {name: value for name, value in values.items() if value is not None}


def to_period(
    value: PeriodLike, *, refused: frozenset[Timeframe] = frozenset(), where: str = ""
) -> Period:
    """A Period from what callers pass, refusing (before any request) what `where` refuses."""
    try:
        period = Period.of(value)
    except ValueError:
        choices = ", ".join(t.value for t in Timeframe)
        raise UnsupportedTimeframeError(
            f"Unknown timeframe {value!r}",
            user_message=f"'{value}' is not a ClickMeter time range. Use one of: {choices}.",
        ) from None
    if period.timeframe in refused:
        allowed = ", ".join(t.value for t in Timeframe if t not in refused)
        raise UnsupportedTimeframeError(
            f"{where} does not accept timeframe {period.timeframe.value!r}",
            user_message=(
                f"ClickMeter's {where} do not cover '{period.timeframe.value}'. "
                f"Use one of: {allowed}."
            ),
        )
    return period


def _bad_shape(exc: pydantic.ValidationError, model: type[Any], path: str) -> BadResponseError:
    first = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return BadResponseError(
        f"ClickMeter GET {path} answered an unexpected shape for {model.__name__}: "
        f"{where}: {first['msg']} ({exc.error_count()} problem(s))",
        endpoint=path,
    )


class ClientBase:
    """Holds the HTTP core and the account's zone; the endpoint mixins build on `_fetch`."""

    def __init__(
        self,
        api_key: SecretStr | str,
        *,
        base_url: str = "https://apiv2.clickmeter.com",
        timeout: float = 10.0,
        max_attempts: int = 4,
        retry_deadline: float = 30.0,
        requests_per_second: float | None = 9.0,
        zone: ZoneInfo | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        cache_ttl: float | None = None,
        observer: RequestObserver | None = None,
        retry_observer: RetryObserver | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        secret = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        if not secret.get_secret_value().strip():
            raise ValueError("an API key is required")
        self.base_url = base_url
        self._zone = zone
        # So a burst of first calls asks /me once, not once per caller.
        self._zone_lock = asyncio.Lock()
        # Models are frozen, so a kept answer can be handed to every caller as it is (and
        # validated once, not once per caller).
        self._cache: ResponseCache[ClickMeterModel] | None = (
            ResponseCache(cache_ttl) if cache_ttl is not None else None
        )
        if pacer is None and requests_per_second:
            # A given pacer (one shared by several processes, say) replaces the process's own.
            pacer = pacer_for(secret.get_secret_value(), requests_per_second)
        self._http = HttpCore(
            secret,
            base_url=base_url,
            timeout=timeout,
            max_attempts=max_attempts,
            retry_deadline=retry_deadline,
            pacer=pacer,
            transport=transport,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            observer=observer,
            retry_observer=retry_observer,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key=SecretStr('**********'))"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client is unusable afterwards."""
        if self._cache is not None:
            await self._cache.aclose()
        await self._http.aclose()

    def _validate(self, model: type[M], data: Any, path: str, zone: ZoneInfo | None) -> M:
        try:
            return model.model_validate(data, context={"zone": zone})
        except pydantic.ValidationError as exc:
            raise _bad_shape(exc, model, path) from None

    async def _fetch_lean(self, model: type[L], path: str, params: Query) -> L:
        """`GET path` validated straight from the body's bytes, never cached: for hot paths
        whose models name only the few fields they read (see `_models_stats.ClickCount`)."""
        response = await self._http.get(path, params)
        try:
            return model.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            if exc.errors()[0]["type"] == "json_invalid":
                raise not_json(response, path) from None
            raise _bad_shape(exc, model, path) from None

    async def _fetch(self, model: type[M], path: str, params: Query | None = None) -> M:
        if self._cache is None:
            return await self._fetch_now(model, path, params)
        key = (model, *request_key(path, params))
        return cast(M, await self._cache.get(key, lambda: self._fetch_now(model, path, params)))

    async def _fetch_now(self, model: type[M], path: str, params: Query | None) -> M:
        data = await self._http.get_json(path, params)
        return self._validate(model, data, path, await self.account_zone())

    async def me(self) -> User:
        """`GET /me`: the account. Also learns the account's zone if not given to the client."""
        if self._cache is None:
            return await self._me_now()
        return cast(User, await self._cache.get((User, *request_key("/me", None)), self._me_now))

    async def _me_now(self) -> User:
        data = await self._http.get_json("/me")
        if self._zone is None and isinstance(data, dict):
            self._zone = self._zone_from_me(data)
        return self._validate(User, data, "/me", self._zone)

    async def plan(self) -> Plan:
        """`GET /me/plan`: the subscription and its usage this billing period."""
        return await self._fetch(Plan, "/me/plan")

    async def account_zone(self) -> ZoneInfo:
        """The account's time zone (from the constructor, else `/me` once, then cached).

        Every date and time in the models is in this zone, as ClickMeter computes its days in it.
        """
        if self._zone is None:
            async with self._zone_lock:
                if self._zone is None:
                    await self.me()
        return self._zone or UTC_ZONE

    @staticmethod
    def _zone_from_me(data: dict[str, Any]) -> ZoneInfo:
        name = data.get("timezonename")
        if isinstance(name, str) and name.strip():
            try:
                return zone_from_windows(name)
            except UnknownTimezoneError:
                logger.warning("ClickMeter account zone %r is unknown; using UTC", name)
                return UTC_ZONE
        # A default value is omitted from ClickMeter bodies, so a missing name is not an error.
        logger.warning("ClickMeter /me has no timezonename; using UTC for account times")
        return UTC_ZONE
