"""Process-wide logging: text or one JSON object per line, secrets scrubbed from every record.

Secrets are already kept out of log calls (SecretStr, header-only keys, SQL parameters hidden by
the engine); the filter here makes a mistake elsewhere (a library logging a header, an
exception quoting a value) harmless. It also keeps out what is a credential without being a
setting: Slack's `response_url` (anyone holding one may post in that channel for 30 minutes),
and the request bodies Bolt writes into some of its records (an invalid or stale signature, at
INFO), which carry one. uvicorn's own loggers (`uvicorn`, `uvicorn.error`, `uvicorn.access`)
go through the same handler, format and filter: give `uvicorn.Config` `uvicorn_log_options()`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"
#: What replaces a request body Bolt (or slack_sdk's webhook client) put in a record.
BODY_NOT_LOGGED = "[request body not logged]"

# `response_url=...`, `"response_url": "..."`, `'response_url': '...'` (form, JSON, repr), also
# URL-encoded inside a form field (an interaction's `payload=%7B%22response_url%22%3A%22...`).
_QUOTE = r"(?:[\"']|%22|%27)"
_RESPONSE_URL = re.compile(
    rf"(response_url{_QUOTE}?\s*(?::|=|%3A)\s*{_QUOTE}?)(?:(?!%22|%27)[^\"'&\s,}}])+",
    re.IGNORECASE,
)
# Slack's webhook and response URLs wherever they appear, plain or URL-encoded.
_SLACK_HOOK = re.compile(r"""https?(?::|%3A)(?:/|%2F){2}hooks\.slack\.com[^\s"'&,}<>]*""", re.I)
# Where Slack's libraries quote a body (a request, a Socket Mode envelope, a response_url
# POST): from there to the end is the body.
_BODY_MARKERS = ("body: ", "for the request (", "Request body: ", "data: ", "Sending a message: ")
# The libraries that write bodies into their records: Bolt (the request Slack sent; its Socket
# Mode client logs under Bolt's logger) and slack_sdk, whose webhook client's every URL is a
# response_url or an incoming webhook.
_QUOTING_BODIES = ("slack_bolt", "slack_sdk")
_WEBHOOK_CLIENT_URL = re.compile(r"(url: )[^\s,]+")
#: Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

LogFormat = Literal["text", "json"]


class RedactSecrets(logging.Filter):
    """Replaces every occurrence of the given secret values, and of Slack response URLs, in a
    record's text and extras; cuts the request body out of Bolt's records."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Short values would redact ordinary words; real keys and tokens are long.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _RESPONSE_URL.sub(rf"\g<1>{REDACTED}", text)
        return _SLACK_HOOK.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._scrub(_without_body(record)), None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            # Formatters re-render exc_info when they see it; the scrubbed text must be all
            # that is left.
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, self._scrub(value))
        return True


def _without_body(record: logging.LogRecord) -> str:
    message = record.getMessage()
    if not record.name.startswith(_QUOTING_BODIES):
        return message
    if record.name.startswith("slack_sdk.webhook"):
        message = _WEBHOOK_CLIENT_URL.sub(rf"\g<1>{REDACTED}", message)
    for marker in _BODY_MARKERS:
        cut = message.find(marker)
        if cut >= 0:
            return f"{message[: cut + len(marker)]}{BODY_NOT_LOGGED}"
    return message


def formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_logging(
    level: str = "INFO", secrets: Iterable[str] = (), log_format: LogFormat = "text"
) -> None:
    """Log to stderr at `level` in `log_format`; every record is scrubbed of `secrets`."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; that is noise for users at the default level.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))


def uvicorn_log_options() -> dict[str, Any]:
    """`uvicorn.Config` options that leave logging to `configure_logging`: no logging config
    of its own (which would give its loggers handlers that skip the format and the scrubber,
    and stop them propagating to ours), no level of its own (LOG_LEVEL applies; access lines
    are at INFO)."""
    return {"log_config": None, "log_level": None}
