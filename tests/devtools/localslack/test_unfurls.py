"""The local Slack's `chat.unfurl`: the message it is for, the unfurls JSON, each URL in the
message, Block Kit, the token, and 429 on demand; accepted unfurls are recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devtools.localslack import MockSlack, MockSlackServer

URL = "https://s87.eu/spring-sale-garden"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*spring-sale-garden*"}}]


def posted(slack: MockSlack) -> str:
    return slack.post_user_message("C0GENERAL", f"look <{URL}>", user="U0ALICE").ts


async def error_of(client: AsyncWebClient, **args: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        await client.chat_unfurl(**args)
    return str(info.value.response["error"])


async def test_an_unfurl_is_recorded_for_its_message(
    slack: MockSlack, client: AsyncWebClient
) -> None:
    ts = posted(slack)
    await client.chat_unfurl(channel="C0GENERAL", ts=ts, unfurls={URL: {"blocks": BLOCKS}})
    (unfurl,) = slack.unfurls
    assert (unfurl.channel, unfurl.ts) == ("C0GENERAL", ts)
    assert unfurl.unfurls == {URL: {"blocks": BLOCKS}}


async def test_a_drafts_unfurl_goes_by_its_unfurl_id(
    slack: MockSlack, client: AsyncWebClient
) -> None:
    await client.chat_unfurl(unfurl_id="U123", source="composer", unfurls={URL: {"blocks": BLOCKS}})
    assert (slack.unfurls[0].unfurl_id, slack.unfurls[0].source) == ("U123", "composer")


async def test_what_slack_refuses(slack: MockSlack, client: AsyncWebClient) -> None:
    ts = posted(slack)
    good = {URL: {"blocks": BLOCKS}}
    assert await error_of(client, channel="C0NOPE", ts=ts, unfurls=good) == "channel_not_found"
    assert await error_of(client, channel="C0GENERAL", ts="1.2", unfurls=good) == (
        "cannot_find_message"
    )
    other = {"https://s87.eu/not-in-the-message": {"blocks": BLOCKS}}
    assert await error_of(client, channel="C0GENERAL", ts=ts, unfurls=other) == (
        "cannot_unfurl_url"
    )
    assert await error_of(client, channel="C0GENERAL", ts=ts, unfurls={}) == (
        "invalid_unfurls_format"
    )
    bad_blocks = {URL: {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]}}
    assert await error_of(client, channel="C0GENERAL", ts=ts, unfurls=bad_blocks) == (
        "invalid_blocks"
    )
    too_many = {URL: {"blocks": BLOCKS * 51}}
    assert await error_of(client, channel="C0GENERAL", ts=ts, unfurls=too_many) == (
        "invalid_blocks"
    )
    assert slack.unfurls == []


async def test_the_token_is_checked_and_429_comes_on_demand(
    server: MockSlackServer, slack: MockSlack, client: AsyncWebClient
) -> None:
    ts = posted(slack)
    args: dict[str, Any] = {"channel": "C0GENERAL", "ts": ts}
    args["unfurls"] = json.dumps({URL: {"blocks": BLOCKS}})  # form-encoded, as JSON text
    stranger = AsyncWebClient(token="xoxb-not-ours", base_url=server.api_url, timeout=5)
    assert await error_of(stranger, **args) == "invalid_auth"
    slack.rate_limit(retry_after=2, method="chat.unfurl")
    with pytest.raises(SlackApiError) as info:
        await client.chat_unfurl(**args)
    assert info.value.response.status_code == 429
    assert info.value.response.headers["retry-after"] == "2"
    await client.chat_unfurl(**args)
    assert len(slack.unfurls) == 1
