"""What can go wrong when talking to ClickMeter, as a small tree of exceptions.

Every error carries `user_message`, a sentence fit for a Slack user (what happened and what to
do), next to the technical `str(exc)` meant for logs. Neither ever contains the API key: the
only server text we copy in is scrubbed of it by the client before raising.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of a validation failure's `errors[]` list."""

    property: str | None
    error_message: str | None
    code: str | None


class ClickMeterError(Exception):
    """Any failure reading ClickMeter (also raised as-is for unexpected HTTP statuses)."""

    default_user_message: ClassVar[str] = (
        "ClickMeter answered with an unexpected error. Try again later; if it persists, "
        "tell the bot's admin."
    )

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: int | str | None = None,
        http_error_code: int | None = None,
        api_message: str | None = None,
        endpoint: str | None = None,
        user_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_code = error_code
        self.http_error_code = http_error_code
        self.api_message = api_message
        self.endpoint = endpoint
        self.user_message = user_message or self.default_user_message


class AuthenticationError(ClickMeterError):
    """HTTP 401: the API key is missing, wrong or revoked."""

    default_user_message: ClassVar[str] = (
        "ClickMeter rejected the API key: it may have been revoked. "
        "Ask an admin to set a new CLICKMETER_API_KEY."
    )


class ForbiddenError(ClickMeterError):
    """HTTP 403 without validation details: the key may not see or change that object."""

    default_user_message: ClassVar[str] = (
        "ClickMeter refused access to that item: the API key's account cannot see it. "
        "Check the id, or ask an admin whether the key belongs to the right account."
    )


class ValidationError(ClickMeterError):
    """HTTP 403 with an `errors[]` list: ClickMeter refused the request's values."""

    default_user_message: ClassVar[str] = (
        "ClickMeter refused the request's values. Check the input and try again."
    )

    def __init__(self, message: str, *, errors: list[FieldError], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors


class NotFoundError(ClickMeterError):
    """HTTP 404: no such datapoint, group, tag or conversion (or no such endpoint)."""

    default_user_message: ClassVar[str] = (
        "ClickMeter has no such item. Check the id or name and try again."
    )


class RateLimitedError(ClickMeterError):
    """HTTP 429 that outlasted our retries (or whose Retry-After exceeds our deadline)."""

    default_user_message: ClassVar[str] = (
        "ClickMeter is asking us to slow down. Try again in a minute."
    )

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        #: Seconds the server asked us to wait, when it said so.
        self.retry_after = retry_after


class ServerError(ClickMeterError):
    """HTTP 5xx that outlasted our retries (501 is never retried)."""

    default_user_message: ClassVar[str] = (
        "ClickMeter is having trouble right now. Try again in a few minutes."
    )


class ClickMeterTimeout(ClickMeterError):
    """ClickMeter did not answer in time, on every attempt."""

    default_user_message: ClassVar[str] = (
        "ClickMeter is answering too slowly right now. Try again in a few minutes."
    )


class NetworkError(ClickMeterError):
    """We could not reach ClickMeter at all (DNS, refused or dropped connection)."""

    default_user_message: ClassVar[str] = (
        "The bot cannot reach ClickMeter right now. Try again in a few minutes."
    )


class BadResponseError(ClickMeterError):
    """ClickMeter answered with something that is not JSON or not the documented shape."""

    default_user_message: ClassVar[str] = (
        "ClickMeter sent an answer the bot does not understand. Tell the bot's admin."
    )


class UnsupportedTimeframeError(ClickMeterError, ValueError):
    """Raised before any request: that endpoint refuses the asked timeframe."""

    default_user_message: ClassVar[str] = "ClickMeter does not offer that time range here."


class LinkRefusedError(ClickMeterError):
    """ClickMeter would not create or change a tracking link: one of the reasons below."""

    default_user_message: ClassVar[str] = (
        "ClickMeter would not create that tracking link. Check the URL, name and group."
    )


class NameTakenError(LinkRefusedError, ValidationError):
    """A new link's name is already used on its tracking domain (code 0013)."""

    default_user_message: ClassVar[str] = (
        "That name is already used by another tracking link. Pick another name."
    )


class InvalidUrlError(LinkRefusedError, ValidationError):
    """ClickMeter refused a link's destination URL."""

    default_user_message: ClassVar[str] = (
        "ClickMeter refused the destination URL. Use a full http:// or https:// address."
    )


class UnknownGroupError(LinkRefusedError, ValidationError):
    """The group a new link was to go in does not exist (or is deleted)."""

    default_user_message: ClassVar[str] = (
        "ClickMeter has no such group. See the groups there are and pick one of them."
    )


class QuotaExceededError(LinkRefusedError, ForbiddenError):
    """The plan's datapoints are all used: ClickMeter refuses new ones."""

    default_user_message: ClassVar[str] = (
        "The ClickMeter plan has no tracking links left. Delete unused ones or upgrade the plan."
    )

    def __init__(
        self, message: str, *, used: int | None = None, maximum: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        #: The plan's datapoints in use and allowed, when `/me/plan` said.
        self.used = used
        self.maximum = maximum
