"""clickbot's settings: `load_settings(ClickMeterSettings, ...)` once at start-up."""

from config.base import SettingsError
from config.distribution import (
    DEFAULT_BOT_SCOPES,
    SecretKeySettings,
    SlackMode,
    SlackOAuthSettings,
    slack_mode,
)
from config.settings import (
    AlertSettings,
    ClickMeterSettings,
    LoggingSettings,
    ServerSettings,
    Settings,
    SlackSettings,
    SlackTokenSettings,
    StorageSettings,
    WebhookSettings,
    WorkerSettings,
    load_group,
    load_settings,
)

__all__ = [
    "DEFAULT_BOT_SCOPES",
    "AlertSettings",
    "ClickMeterSettings",
    "LoggingSettings",
    "SecretKeySettings",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "SlackMode",
    "SlackOAuthSettings",
    "SlackSettings",
    "SlackTokenSettings",
    "StorageSettings",
    "WebhookSettings",
    "WorkerSettings",
    "load_group",
    "load_settings",
    "slack_mode",
]
