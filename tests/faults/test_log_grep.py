"""The grep every fault scenario ends with finds what it looks for (and masks secrets)."""

from __future__ import annotations

import pytest

from tests.faults.harness import find_leaks

SECRET = "xoxb-1234-abcd"


@pytest.mark.parametrize(
    "line",
    [
        f"INFO slack_sdk: token={SECRET}",
        "INFO bolt: body: token=legacy-verification-token&team_id=T0",
        'DEBUG bolt: {"type": "event_callback", "event": {}}',
        "INFO answer to http://127.0.0.1:4000/response/T0CLICKBOT/R1/000001",
        "INFO posting to https://hooks.slack.com/commands/T0/1/abc",
        "ERROR storage: (IntegrityError) [SQL: INSERT ...] [parameters: ('s3cr3t',)]",
        "Traceback (most recent call last):",
    ],
)
def test_each_kind_of_leak_is_found(line: str) -> None:
    found = find_leaks({"web-0.log": f"INFO fine\n{line}\nINFO fine too"}, {SECRET})
    assert len(found) == 1
    assert found[0].startswith("web-0.log: ")
    assert SECRET not in found[0]


def test_clean_logs_pass() -> None:
    logs = {"worker-0.log": "INFO clickbot.worker: poll: ok=True calls=1\nINFO stopped"}
    assert find_leaks(logs, {SECRET, ""}) == []
