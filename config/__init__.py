"""clickbot's settings: `load_settings(ClickMeterSettings, ...)` once at start-up."""

from config.settings import (
    AlertSettings,
    ClickMeterSettings,
    LoggingSettings,
    ServerSettings,
    Settings,
    SettingsError,
    SlackSettings,
    SlackTokenSettings,
    StorageSettings,
    WebhookSettings,
    WorkerSettings,
    load_group,
    load_settings,
)

__all__ = [
    "AlertSettings",
    "ClickMeterSettings",
    "LoggingSettings",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "SlackSettings",
    "SlackTokenSettings",
    "StorageSettings",
    "WebhookSettings",
    "WorkerSettings",
    "load_group",
    "load_settings",
]
