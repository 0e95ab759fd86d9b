"""Process-wide logging: text or one JSON object per line, secrets scrubbed from every record.

Secrets are already kept out of log calls (SecretStr, header-only keys); the filter here makes a
mistake elsewhere (a library logging a header, an exception quoting a value) harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"
#: Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

LogFormat = Literal["text", "json"]


class RedactSecrets(logging.Filter):
    """Replaces every occurrence of the given secret values in a record's text and extras."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Short values would redact ordinary words; real keys and tokens are long.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        record.msg, record.args = self._scrub(record.getMessage()), None
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
