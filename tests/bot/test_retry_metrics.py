"""The ClickMeter client's retries, by cause, on the web app's `GET /metrics`: the app asks a
sandbox that answers 429 or 500, and the page counts what the client tried again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import observe_clickmeter, observe_clickmeter_retry
from bot.services import Services
from bot.web import create_web_app
from clickmeter import ClickMeterClient
from config import SlackSettings, load_group
from devtools.localslack import MockSlackServer
from devtools.localslack.driver import SIGNING_SECRET, BotDriver
from devtools.localslack.signed import slash_command_body
from devtools.sandbox.serving import ThreadedServer
from tests.conftest import Sandbox

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@contextmanager
def web_app(sandbox: Sandbox, slack: MockSlackServer) -> Iterator[BotDriver]:
    """The web app as `build_services` wires it (observed client), on a fast-retrying client."""
    settings = load_group(
        SlackSettings,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        slack_app_token=None,
    )
    client = ClickMeterClient(
        sandbox.api_key,
        base_url=sandbox.url,
        requests_per_second=None,
        max_attempts=3,
        backoff_base=0.01,
        observer=observe_clickmeter,
        retry_observer=observe_clickmeter_retry,
    )
    services = Services(clickmeter=client, db=None, poll_seconds=300.0)
    with (
        ThreadedServer(create_web_app(settings, services)) as server,
        httpx.Client(timeout=15) as http,
    ):
        yield BotDriver(server.url, slack, http, SIGNING_SECRET)


@pytest.mark.parametrize(
    ("faults", "cause", "outcome"),
    [({"throttle_rate": 1, "retry_after_s": 0}, "429", "429"), ({"error_rate": 1}, "5xx", "500")],
)
def test_retries_are_counted_by_cause(
    make_sandbox: Callable[..., Sandbox],
    mock_slack: MockSlackServer,
    faults: dict[str, float],
    cause: str,
    outcome: str,
) -> None:
    sandbox = make_sandbox(datapoints=5)
    sandbox.control("faults", faults)
    with web_app(sandbox, mock_slack) as bot:
        before = samples(bot.http.get(f"{bot.url}/metrics").text)
        response_url = mock_slack.response_url()
        assert bot.post(slash_command_body("stats", response_url=response_url)).status_code == 200
        answer = bot.wait_answer(response_url, 15.0)
        assert "ClickMeter" in str(answer)  # the failure is told, after the retries
        after = samples(bot.http.get(f"{bot.url}/metrics").text)

    def grew(name: str, label: str) -> float:
        found = {k: v for k, v in after.items() if k[0] == name and (label in dict(k[1]).values())}
        return sum(v - before.get(k, 0.0) for k, v in found.items())

    retries = grew("clickbot_clickmeter_retries_total", cause)
    assert retries >= 2
    # Three attempts a request: two retries, and each attempt was answered `outcome`.
    assert grew("clickbot_clickmeter_requests_total", outcome) == retries * 3 / 2
    other = {"429", "5xx", "network"} - {cause}
    assert all(grew("clickbot_clickmeter_retries_total", c) == 0 for c in other)
