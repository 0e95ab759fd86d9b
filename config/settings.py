"""clickbot's configuration, read from the environment and `.env`.

Settings come in groups (ClickMeter, Slack, storage, ...). Each command loads only the groups it
uses, so `clickbot migrate` never fails over a Slack setting it does not need, and the sandbox
needs none at all. `load_settings` is the one entry point: it is called once at start-up
and the result is passed down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, ValidationError

from config.base import (
    DEFAULT_SLACK_API_URL,
    HttpUrl,
    SettingsError,
    Stripped,
    _Group,
    _trailing_slash,
)
from config.database_url import DatabaseUrlError, async_database_url
from config.distribution import SecretKeySettings, SlackMode, SlackOAuthSettings

DEFAULT_CLICKMETER_URL = "https://apiv2.clickmeter.com"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///clickbot.sqlite3"
REDIS_SCHEMES = ("redis", "rediss", "unix")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _guid(value: SecretStr) -> SecretStr:
    if not _GUID.match(value.get_secret_value()):
        raise ValueError("not a GUID")
    return value


def _prefixed(prefix: str) -> Any:
    def check(value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"does not start with {prefix}")
        return value

    return AfterValidator(check)


class ClickMeterSettings(_Group):
    clickmeter_api_key: Annotated[SecretStr, Stripped, AfterValidator(_guid)]
    clickmeter_api_url: HttpUrl = DEFAULT_CLICKMETER_URL

    expected: ClassVar[dict[str, str]] = {
        "clickmeter_api_key": "your ClickMeter API key, a GUID like "
        "0f8fad5b-d9cb-469f-a165-70867728950e (ClickMeter > Account > API key)",
        "clickmeter_api_url": f"an http(s) URL such as {DEFAULT_CLICKMETER_URL}",
    }


class SlackSettings(_Group):
    slack_bot_token: Annotated[SecretStr, Stripped, _prefixed("xoxb-")]
    slack_signing_secret: Annotated[SecretStr, Stripped, Field(min_length=16)]
    slack_app_token: Annotated[SecretStr | None, Stripped, _prefixed("xapp-")] = None
    slack_api_url: Annotated[HttpUrl, AfterValidator(_trailing_slash)] = DEFAULT_SLACK_API_URL

    expected: ClassVar[dict[str, str]] = {
        "slack_bot_token": "the app's Bot User OAuth Token, starting with xoxb- "
        "(Slack app settings > OAuth & Permissions)",
        "slack_signing_secret": "the app's Signing Secret "
        "(Slack app settings > Basic Information > App Credentials)",
        "slack_app_token": "an app-level token starting with xapp- for Socket Mode, or unset",
        "slack_api_url": f"an http(s) URL such as {DEFAULT_SLACK_API_URL}",
    }


class SlackTokenSettings(_Group):
    """Only the bot token, optional: what the demo needs to test its local Slack."""

    slack_bot_token: Annotated[SecretStr | None, Stripped, _prefixed("xoxb-")] = None
    slack_api_url: Annotated[HttpUrl, AfterValidator(_trailing_slash)] = DEFAULT_SLACK_API_URL

    expected: ClassVar[dict[str, str]] = SlackSettings.expected


def _async_database_url(value: str) -> str:
    return async_database_url(value).render_as_string(hide_password=False)


def _redis_url(value: SecretStr | None) -> SecretStr | None:
    if value is None:
        return None
    parsed = urlsplit(value.get_secret_value())
    if parsed.scheme not in REDIS_SCHEMES or (parsed.scheme != "unix" and not parsed.hostname):
        raise ValueError("not a Redis URL")
    return value


class StorageSettings(_Group):
    #: Always the async form (`postgres://` as Heroku sets it becomes `postgresql+asyncpg://`).
    database_url: Annotated[
        str, Stripped, Field(pattern=r"^[a-z0-9+]+://"), AfterValidator(_async_database_url)
    ] = DEFAULT_DATABASE_URL
    #: Where every process shares ClickMeter's pacing; None: PostgreSQL does (or, on SQLite,
    #: the one process paces alone). A secret: it may carry a password.
    redis_url: Annotated[
        SecretStr | None, Stripped, BeforeValidator(lambda v: v or None), AfterValidator(_redis_url)
    ] = None

    expected: ClassVar[dict[str, str]] = {
        "database_url": "an SQLAlchemy URL such as sqlite:///clickbot.sqlite3 or "
        "postgres://user:password@host:5432/db",
        "redis_url": "a Redis URL such as redis://localhost:6379/0 or "
        "rediss://:password@host:6380, or unset",
    }


class ServerSettings(_Group):
    port: Annotated[int, Stripped, Field(ge=1, le=65535)] = 3000

    expected: ClassVar[dict[str, str]] = {"port": "a TCP port number from 1 to 65535"}


class AlertSettings(_Group):
    alert_poll_seconds: Annotated[int, Stripped, Field(ge=30, le=86400)] = 300
    #: Tests and demos against the sandbox only: the worker polls this often instead.
    worker_poll_seconds: Annotated[
        Annotated[float, Field(ge=1, le=86400)] | None,
        Stripped,
        BeforeValidator(lambda v: v or None),
    ] = None
    # --- delivery and retention (the worker's sender and its housekeeping) ---
    #: The longest wait between two tries of an alert Slack or a webhook failed (5xx, network).
    delivery_backoff_cap_seconds: Annotated[float, Stripped, Field(ge=1, le=3600)] = 20.0
    #: The longest one delivery attempt may take, however slowly the other side answers.
    delivery_deadline_seconds: Annotated[float, Stripped, Field(ge=1, le=600)] = 30.0
    #: Delivered outbox items are deleted this many days after delivery.
    outbox_retention_days: Annotated[int, Stripped, Field(ge=1, le=3650)] = 7
    #: Click counter snapshots of local days older than this many days are deleted.
    snapshot_retention_days: Annotated[int, Stripped, Field(ge=2, le=3650)] = 7

    expected: ClassVar[dict[str, str]] = {
        "alert_poll_seconds": "a whole number of seconds from 30 to 86400",
        "worker_poll_seconds": "a number of seconds from 1 to 86400, or unset for "
        "ALERT_POLL_SECONDS",
        "delivery_backoff_cap_seconds": "a number of seconds from 1 to 3600",
        "delivery_deadline_seconds": "a number of seconds from 1 to 600",
        "outbox_retention_days": "a whole number of days from 1 to 3650",
        "snapshot_retention_days": "a whole number of days from 2 to 3650",
    }


class WebhookSettings(_Group):
    """Where alert webhooks may go. Loopback (this machine) only for local development."""

    webhook_allow_loopback: Annotated[bool, Stripped] = False

    expected: ClassVar[dict[str, str]] = {
        "webhook_allow_loopback": "true to let webhooks go to this machine (127.0.0.1, "
        "localhost) for local development, or false (the default)",
    }


class WorkerSettings(_Group):
    """Where a process that runs the worker serves its own Prometheus metrics."""

    worker_metrics_port: Annotated[
        Annotated[int, Field(ge=1, le=65535)] | None, Stripped, BeforeValidator(lambda v: v or None)
    ] = None

    expected: ClassVar[dict[str, str]] = {
        "worker_metrics_port": "a TCP port number from 1 to 65535 for the worker's /metrics, "
        "or unset for none",
    }


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class LoggingSettings(_Group):
    log_level: Annotated[LogLevel, Stripped, BeforeValidator(lambda v: str(v).upper())] = "INFO"
    log_format: Annotated[
        Literal["text", "json"], Stripped, BeforeValidator(lambda v: str(v).lower())
    ] = "text"

    expected: ClassVar[dict[str, str]] = {
        "log_level": "one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
        "log_format": "text (one readable line per event) or json (one JSON object per line)",
    }


G = TypeVar("G", bound=_Group)


def load_group(group: type[G], **overrides: Any) -> G:
    """Build one group from the environment (and `.env`), or raise a SettingsError.

    Each problem becomes one line naming the variable and what it must hold; the offending value
    is never echoed, since it may be a secret.
    """
    try:
        return group(**overrides)
    except ValidationError as exc:
        problems: list[str] = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            why = error.get("ctx", {}).get("error")
            if isinstance(why, DatabaseUrlError):  # it says what is wrong and what to write
                problems.append(f"{field.upper()} is invalid: {why}.")
                continue
            what = group.expected.get(field, "a valid value")
            state = "is not set" if error["type"] == "missing" else "is invalid"
            problems.append(f"{field.upper()} {state}: expected {what}.")
        raise SettingsError(problems) from None


@dataclass(frozen=True)
class Settings:
    """The configuration of one process: the groups its command asked for, the rest None."""

    clickmeter: ClickMeterSettings | None = None
    slack: SlackSettings | None = None
    slack_oauth: SlackOAuthSettings | None = None
    slack_token: SlackTokenSettings | None = None
    storage: StorageSettings | None = None
    server: ServerSettings | None = None
    alerts: AlertSettings | None = None
    logging: LoggingSettings | None = None
    webhooks: WebhookSettings | None = None
    worker: WorkerSettings | None = None
    secret_key: SecretKeySettings | None = None

    def need(self, group: type[G]) -> G:
        """The loaded group; asking for one the command did not load is a programming error."""
        value = getattr(self, _FIELDS[group])
        if not isinstance(value, group):
            raise LookupError(f"{group.__name__} was not loaded for this command")
        return value

    @property
    def mode(self) -> SlackMode:
        """Distribution when the OAuth settings were loaded, else one workspace."""
        return "distribution" if self.slack_oauth is not None else "single"

    def secrets(self) -> list[str]:
        """Every secret value among the loaded settings, for the log scrubber."""
        found: list[str] = []
        for name in _FIELDS.values():
            group = getattr(self, name)
            if group is None:
                continue
            for value in vars(group).values():
                if isinstance(value, SecretStr):
                    found.append(value.get_secret_value())
        return found


_FIELDS = {
    ClickMeterSettings: "clickmeter",
    SlackSettings: "slack",
    SlackOAuthSettings: "slack_oauth",
    SlackTokenSettings: "slack_token",
    StorageSettings: "storage",
    ServerSettings: "server",
    AlertSettings: "alerts",
    LoggingSettings: "logging",
    WebhookSettings: "webhooks",
    WorkerSettings: "worker",
    SecretKeySettings: "secret_key",
}


def load_settings(*groups: type[_Group]) -> Settings:
    """Load the given groups; every problem across them is reported at once."""
    loaded: dict[str, _Group] = {}
    problems: list[str] = []
    for group in groups:
        try:
            loaded[_FIELDS[group]] = load_group(group)
        except SettingsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SettingsError(problems)
    return Settings(**loaded)  # type: ignore[arg-type]
