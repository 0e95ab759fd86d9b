"""Secrets are scrubbed from every log record, message and traceback alike."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import REDACTED, RedactSecrets, configure_logging

SECRET = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_message_arguments_and_traceback_are_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG", [SECRET, "xoxb-1-2-abcdefgh"])
    log = logging.getLogger("clickbot.test")
    log.info("key is %s and token %s", SECRET, "xoxb-1-2-abcdefgh")
    try:
        raise ValueError(f"bad key {SECRET}")
    except ValueError:
        log.exception("failed")
    err = capsys.readouterr().err
    assert SECRET not in err
    assert "xoxb-1-2-abcdefgh" not in err
    assert err.count(REDACTED) == 3
    assert "ValueError" in err


def test_short_values_are_not_treated_as_secrets() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "port %s", ("3000",), None)
    RedactSecrets(["3000"]).filter(record)
    assert record.getMessage() == "port 3000"


def test_json_lines_are_scrubbed_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", [SECRET], log_format="json")
    log = logging.getLogger("clickbot.test")
    log.warning("calling with %s", SECRET, extra={"team": "T1", "header": f"key={SECRET}"})
    try:
        raise RuntimeError(SECRET)
    except RuntimeError:
        log.exception("failed")
    lines = capsys.readouterr().err.strip().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "WARNING"
    assert first["logger"] == "clickbot.test"
    assert first["team"] == "T1"
    assert first["message"] == f"calling with {REDACTED}"
    assert first["header"] == f"key={REDACTED}"
    assert "RuntimeError" in second["exc_info"]
    assert SECRET not in "\n".join(lines)
