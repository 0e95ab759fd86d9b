"""The response_url sink, driven by slack_sdk's AsyncWebhookClient (what Bolt's respond uses)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from devtools.localslack import MockSlack, MockSlackServer

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*42* clicks"}}


async def test_ephemeral_response(server: MockSlackServer, slack: MockSlack) -> None:
    url = server.response_url(channel="C0GENERAL", user="U0BOB")
    response = await AsyncWebhookClient(url).send(text="only you", blocks=[SECTION])
    assert (response.status_code, response.body) == (200, "ok")
    [post] = slack.responses_to(url)
    assert post.body["text"] == "only you"
    assert post.error is None
    [ephemeral] = slack.ephemerals
    assert (ephemeral.user, ephemeral.blocks) == ("U0BOB", [SECTION])
    assert slack.messages("C0GENERAL") == []


async def test_in_channel_response(server: MockSlackServer, slack: MockSlack) -> None:
    url = server.response_url()
    await AsyncWebhookClient(url).send(text="for all", response_type="in_channel")
    message = slack.last_message("C0GENERAL")
    assert message is not None
    assert message.text == "for all"


async def test_replace_and_delete_original(
    server: MockSlackServer, slack: MockSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C0GENERAL", text="before")
    url = server.response_url(message_ts=posted["ts"])
    await AsyncWebhookClient(url).send(text="after", blocks=[SECTION], replace_original=True)
    [message] = slack.messages("C0GENERAL")
    assert (message.ts, message.text, message.blocks) == (posted["ts"], "after", [SECTION])
    await AsyncWebhookClient(url).send(delete_original=True)
    assert slack.messages("C0GENERAL") == []
    bodies = [post.body for post in slack.responses_to(url)]
    assert bodies[1] == {"delete_original": True}


async def test_response_checks(server: MockSlackServer, slack: MockSlack) -> None:
    url = server.response_url()
    hook = AsyncWebhookClient(url)
    bad = await hook.send(
        text="x", blocks=[{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}]
    )
    assert (bad.status_code, bad.body) == (400, "invalid_blocks")
    empty = await hook.send(response_type="ephemeral")
    assert (empty.status_code, empty.body) == (400, "no_text")
    assert [post.error for post in slack.responses_to(url)] == ["invalid_blocks", "no_text"]
    for n in range(5):
        assert (await hook.send(text=f"use {n}")).status_code == 200
    used = await hook.send(text="sixth")
    assert (used.status_code, used.body) == (404, "used_url")
    unknown = await AsyncWebhookClient(server.base_url + "/response/T0/1/nope").send(text="x")
    assert (unknown.status_code, unknown.body) == (404, "no_active_hooks")
