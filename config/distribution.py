"""Distribution mode's settings (any workspace installs the app through OAuth), and which mode
the given Slack credentials select."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr
from pydantic_settings import NoDecode

from config.base import (
    DEFAULT_SLACK_API_URL,
    HttpUrl,
    SettingsError,
    Stripped,
    _Group,
    _trailing_slash,
)

#: The bot scopes a distributed install asks for: manifest.yml's `oauth_config.scopes.bot`
#: (tests/oauth/test_settings.py keeps the two equal).
DEFAULT_BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "im:write",
    "files:write",
    "channels:read",
    "groups:read",
    "users:read",
    "usergroups:read",
    "app_mentions:read",
    "im:history",
    "links:read",
    "links:write",
)


def _fernet_keys(value: SecretStr) -> SecretStr:
    # Several keys, comma-separated, the first the current one (MultiFernet, for rotation);
    # each is what `Fernet.generate_key()` prints: 32 bytes, URL-safe base64.
    for key in value.get_secret_value().split(","):
        try:
            raw = base64.urlsafe_b64decode(key.strip().encode())
        except (binascii.Error, ValueError):
            raise ValueError("not a Fernet key") from None
        if len(raw) != 32:
            raise ValueError("not a Fernet key")
    return value


def _scopes(value: Any) -> Any:
    # Comma-separated; empty (as .env.example has it) means the default.
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(",") if s.strip()) or DEFAULT_BOT_SCOPES
    return value


class SlackOAuthSettings(_Group):
    """Distribution mode: any workspace installs the app (OAuth), over HTTP only."""

    slack_client_id: Annotated[str, Stripped, Field(pattern=r"^[0-9]+\.[0-9]+$")]
    slack_client_secret: Annotated[SecretStr, Stripped, Field(min_length=16)]
    slack_signing_secret: Annotated[SecretStr, Stripped, Field(min_length=16)]
    clickbot_secret_key: Annotated[SecretStr, Stripped, AfterValidator(_fernet_keys)]
    slack_scopes: Annotated[
        tuple[str, ...], NoDecode, BeforeValidator(_scopes), Field(min_length=1)
    ] = DEFAULT_BOT_SCOPES
    #: Where Slack sends installers back; unset: the Redirect URL of the app's settings.
    slack_redirect_uri: Annotated[HttpUrl | None, BeforeValidator(lambda v: v or None)] = None
    slack_api_url: Annotated[HttpUrl, AfterValidator(_trailing_slash)] = DEFAULT_SLACK_API_URL
    #: Bolt refreshes a rotating bot token when it expires within this many minutes.
    token_rotation_expiration_minutes: Annotated[int, Stripped, Field(ge=1, le=720)] = 120
    #: An uninstalled workspace's rules, digests and webhooks are kept this long for a
    #: re-install, then purged by the worker's retention job.
    uninstalled_retention_days: Annotated[int, Stripped, Field(ge=0, le=3650)] = 30

    # Signing in through OAuth needs no bot token: these keep SlackSettings' shape for callers
    # that read them (there is no Socket Mode in distribution mode).
    slack_app_token: ClassVar[None] = None

    expected: ClassVar[dict[str, str]] = {
        "slack_client_id": "the app's Client ID, like 1234567890.0987654321 "
        "(Slack app settings > Basic Information > App Credentials)",
        "slack_client_secret": "the app's Client Secret "
        "(Slack app settings > Basic Information > App Credentials)",
        "slack_signing_secret": "the app's Signing Secret "
        "(Slack app settings > Basic Information > App Credentials)",
        "clickbot_secret_key": "one or more Fernet keys, comma-separated, the current one "
        "first (32 random bytes in URL-safe base64, as Fernet.generate_key() makes)",
        "slack_scopes": "bot scopes, comma-separated, such as commands,chat:write",
        "slack_redirect_uri": "https://YOUR-HOST/slack/oauth_redirect, or unset",
        "slack_api_url": f"an http(s) URL such as {DEFAULT_SLACK_API_URL}",
        "token_rotation_expiration_minutes": "a whole number of minutes from 1 to 720",
        "uninstalled_retention_days": "a whole number of days from 0 to 3650",
    }


class SecretKeySettings(_Group):
    """CLICKBOT_SECRET_KEY alone: what `clickbot rotate-keys` needs besides the database."""

    clickbot_secret_key: Annotated[SecretStr, Stripped, AfterValidator(_fernet_keys)]

    expected: ClassVar[dict[str, str]] = {
        "clickbot_secret_key": SlackOAuthSettings.expected["clickbot_secret_key"],
    }


SlackMode = Literal["single", "distribution"]


class _SlackCredentials(_Group):
    """Only which Slack credentials are given: what decides the mode."""

    slack_bot_token: Annotated[str | None, Stripped] = None
    slack_client_id: Annotated[str | None, Stripped] = None
    slack_client_secret: Annotated[str | None, Stripped] = None


def slack_mode(**overrides: Any) -> SlackMode:
    """One workspace (a bot token) or distribution (a client id and secret); a SettingsError
    with one line when both or neither are given."""
    given = _SlackCredentials(**overrides)
    token = bool(given.slack_bot_token)
    oauth = bool(given.slack_client_id) and bool(given.slack_client_secret)
    half = bool(given.slack_client_id) != bool(given.slack_client_secret)
    if half:
        missing = "SLACK_CLIENT_SECRET" if given.slack_client_id else "SLACK_CLIENT_ID"
        raise SettingsError([f"{missing} is not set: distribution mode needs both."])
    if token and oauth:
        raise SettingsError(
            [
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: keep the "
                "token for one workspace, or the client id and secret to let any workspace "
                "install the app, not both."
            ]
        )
    if not token and not oauth:
        raise SettingsError(
            [
                "SLACK_BOT_TOKEN is not set: expected the app's Bot User OAuth Token (one "
                "workspace), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (any workspace installs)."
            ]
        )
    return "distribution" if oauth else "single"
