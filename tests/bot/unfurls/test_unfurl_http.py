"""Unfurls over signed HTTP: a `link_shared` event answered with one `chat.unfurl` on the local
Slack, numbers checked against the sandbox's own API answers, against its frozen clock."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.unfurls import MORE_ACTION
from devtools.localslack import MockSlackServer
from devtools.localslack.events import link_shared_body
from tests.bot.answers.helpers import texts as all_texts
from tests.bot.answers.test_top import report
from tests.bot.harness import BotUnderTest, running_bot
from tests.conftest import SANDBOX_START, Sandbox

GARDEN = 2028577  # spring-sale-garden, the busiest link of the seeded account
GARDEN_URL = "https://s87.eu/spring-sale-garden"


@pytest.fixture
def bot(sandbox: Sandbox, mock_slack: MockSlackServer) -> Iterator[BotUnderTest]:
    with running_bot(sandbox.url, sandbox.api_key, mock_slack) as running:
        assert running.services is not None
        running.services.now = lambda: SANDBOX_START  # the sandbox's frozen clock
        yield running


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The mrkdwn texts of the blocks (not the buttons' labels)."""
    return [text for text in all_texts(blocks) if isinstance(text, str)]


def field(blocks: list[dict[str, Any]], label: str) -> str:
    for text in texts(blocks):
        if text.startswith(f"*{label}*\n"):
            return text.split("\n", 1)[1]
    raise AssertionError(f"no field {label!r}")


def clicks(sandbox: Sandbox, **period: str) -> int:
    answer = sandbox.api.get(f"/datapoints/{GARDEN}/aggregated", params=period)
    answer.raise_for_status()
    total: int = answer.json().get("totalClicks", 0)
    return total


def today(sandbox: Sandbox) -> date:
    return SANDBOX_START.astimezone(ZoneInfo(sandbox.state()["iana_timezone"])).date()


def more_value(blocks: list[dict[str, Any]]) -> str:
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element["action_id"] == MORE_ACTION:
                value: str = element["value"]
                return value
    raise AssertionError("no More button")


def test_a_tracking_link_is_unfurled_with_the_sandboxs_numbers(
    bot: BotUnderTest, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    hits_before = sandbox.state()["total_hits"]
    # The bot runs in this process: any request for the tracking URL would look its host up.
    looked_up: list[object] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording(host: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    ack, message = bot.share_links([GARDEN_URL])
    assert ack.status_code == 200
    assert ack.text == ""  # acked at once, unfurled lazily
    unfurls = bot.wait_unfurl(message)
    assert list(unfurls) == [GARDEN_URL]
    blocks = unfurls[GARDEN_URL]["blocks"]
    shown = "\n".join(texts(blocks))
    assert "spring-sale-garden" in shown
    assert "🟢 Active" in shown  # status
    assert "→ " in shown  # destination
    day = today(sandbox)
    before = {
        "fromDay": f"{day - timedelta(days=13):%Y%m%d}",
        "toDay": f"{day - timedelta(days=7):%Y%m%d}",
    }
    last7 = clicks(sandbox, timeFrame="last7")
    previous = clicks(sandbox, timeFrame="custom", **before)
    assert last7 > 0
    assert previous > 0
    assert field(blocks, "Clicks today") == f"*{clicks(sandbox, timeFrame='today'):,}*"
    assert field(blocks, "Last 7 days").startswith(f"*{last7:,}* · ")
    assert field(blocks, "Last 7 days").endswith(f"(was {previous:,})")
    path = f"/datapoints/{GARDEN}/reports"
    for label, kind in (("Top countries", "countries"), ("Top referrers", "referrers")):
        items = report(sandbox, path, type=kind, timeframe="last7")
        lines = field(blocks, label).splitlines()
        assert len(lines) == min(3, len(items)) > 0
        for item, line in zip(items, lines, strict=False):
            assert f"· {item['totalClicks']:,} (" in line
    assert "clicks per day" in shown  # the sparkline
    # The preview asked the API only: no visit of the tracking URL counted as a click.
    assert sandbox.state()["total_hits"] == hits_before
    assert looked_up  # the recorder works: it saw this process's connections to 127.0.0.1
    assert not any("s87.eu" in str(host).lower() for host in looked_up)


def test_links_that_are_not_the_accounts_are_left_alone(bot: BotUnderTest) -> None:
    _, message = bot.share_links(["https://s87.eu/no-such-link", "https://example.com/spring"])
    bot.wait_idle()
    assert bot.slack.slack.calls_to("chat.unfurl") == []
    assert bot.unfurls_of(message) == []


def test_several_links_are_answered_in_one_call_the_unknown_left_out(bot: BotUnderTest) -> None:
    other = "http://S87.eu/spring-sale-mobile/"
    _, message = bot.share_links([GARDEN_URL, "https://s87.eu/no-such-link", other])
    unfurls = bot.wait_unfurl(message)
    bot.wait_idle()
    assert set(unfurls) == {GARDEN_URL, other}
    assert "spring-sale-mobile" in texts(unfurls[other]["blocks"])[0]
    assert len(bot.slack.slack.calls_to("chat.unfurl")) == 1


def test_a_429_from_chat_unfurl_is_retried_once(bot: BotUnderTest) -> None:
    bot.slack.slack.rate_limit(retry_after=1, method="chat.unfurl")
    _, message = bot.share_links([GARDEN_URL])
    assert list(bot.wait_unfurl(message)) == [GARDEN_URL]
    calls = bot.slack.slack.calls_to("chat.unfurl")
    assert [call.status for call in calls] == [429, 200]


def test_the_more_button_opens_the_link_answer_privately(bot: BotUnderTest) -> None:
    _, message = bot.share_links([GARDEN_URL])
    value = more_value(bot.wait_unfurl(message)[GARDEN_URL]["blocks"])
    clicked = bot.click(MORE_ACTION, value)
    assert clicked.status_code == 200
    answer = bot.wait_answer(clicked.extensions["response_url"])
    assert answer["response_type"] == "ephemeral"
    assert answer.get("replace_original") is False
    expected = bot.ask(f"link {GARDEN} 7d")
    assert answer["blocks"] == [b for b in expected["blocks"] if b.get("block_id") != "share"]
    broken = bot.click(MORE_ACTION, "not json")
    assert "doesn't say which link" in bot.wait_answer(broken.extensions["response_url"])["text"]


def test_a_link_in_a_draft_is_unfurled_by_its_unfurl_id(bot: BotUnderTest) -> None:
    message = bot.slack.slack.post_user_message("C0GENERAL", f"draft <{GARDEN_URL}>")
    body = json.loads(link_shared_body(message, [GARDEN_URL], source="composer"))
    body["event"] |= {"channel": "COMPOSER", "message_ts": "Uxxxx-draft"}
    assert bot.send_event(json.dumps(body)).status_code == 200
    found = bot.slack.slack.wait_for(lambda: bot.slack.slack.unfurls)
    assert (found[0].unfurl_id, found[0].source) == (body["event"]["unfurl_id"], "composer")
    assert list(found[0].unfurls) == [GARDEN_URL]
