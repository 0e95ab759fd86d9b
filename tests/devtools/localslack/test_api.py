"""The mock's Web API methods, driven over HTTP by slack_sdk's AsyncWebClient."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devtools.localslack import BOT_USER_ID, MockSlack, MockSlackServer

GENERAL = "C0GENERAL"
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Clicks* up 12%"}}


async def api_error(call: Awaitable[Any]) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        await call
    return info.value


async def test_auth_test(client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["user_id"] == BOT_USER_ID
    assert response["team_id"] == "T0CLICKBOT"


async def test_apps_connections_open_takes_only_the_app_token(
    server: MockSlackServer, client: AsyncWebClient
) -> None:
    """As on Slack: a Socket Mode URL for the app-level token; the bot token is the wrong
    kind, an unknown token is not valid, and the app token cannot call the bot's methods."""
    opened = await client.apps_connections_open(app_token=server.app_token)
    assert opened["url"].startswith("wss://")
    again = await client.apps_connections_open(app_token=server.app_token)
    assert again["url"] != opened["url"]  # a fresh ticket each time
    refused = await api_error(client.apps_connections_open(app_token=server.token))
    assert refused.response["error"] == "not_allowed_token_type"
    unknown = await api_error(client.apps_connections_open(app_token="xapp-1-A0-1-nope"))
    assert unknown.response["error"] == "invalid_auth"
    as_bot = AsyncWebClient(token=server.app_token, base_url=server.api_url, timeout=5)
    wrong_kind = await api_error(as_bot.chat_postMessage(channel=GENERAL, text="hi"))
    assert wrong_kind.response["error"] == "not_allowed_token_type"
    server.slack.revoke_token()
    assert (await client.apps_connections_open(app_token=server.app_token))["ok"]


async def test_post_message_is_stored_and_recorded(
    client: AsyncWebClient, slack: MockSlack
) -> None:
    first = await client.chat_postMessage(channel=GENERAL, text="one")
    second = await client.chat_postMessage(channel="#general", text="two", blocks=[SECTION])
    assert second["channel"] == GENERAL
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["blocks"] == [SECTION]
    assert [m.text for m in slack.messages(GENERAL)] == ["one", "two"]
    last = slack.last_message("general")
    assert last is not None
    assert last.ts == second["ts"]
    assert last.bot_id is not None
    [call] = slack.calls_to("chat.postMessage")[1:]
    assert call.args["blocks"] == [SECTION]
    assert call.token == slack.bot_token


async def test_metadata_round_trips_through_history(client: AsyncWebClient) -> None:
    metadata = {"event_type": "clickbot_report", "event_payload": {"link_id": 42, "days": 7}}
    posted = await client.chat_postMessage(channel=GENERAL, text="report", metadata=metadata)
    with_meta = await client.conversations_history(channel=GENERAL, include_all_metadata=True)
    assert with_meta["messages"][0]["ts"] == posted["ts"]
    assert with_meta["messages"][0]["metadata"] == metadata
    without = await client.conversations_history(channel=GENERAL)
    assert "metadata" not in without["messages"][0]


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ("not json", "invalid_metadata_format"),
        ({"event_type": "x"}, "invalid_metadata_schema"),
        ({"event_type": "", "event_payload": {}}, "invalid_metadata_schema"),
    ],
)
async def test_bad_metadata(client: AsyncWebClient, metadata: Any, error: str) -> None:
    failure = await api_error(client.chat_postMessage(channel=GENERAL, text="x", metadata=metadata))
    assert failure.response["error"] == error


async def test_form_encoded_blocks_and_token_argument(
    server: MockSlackServer, slack: MockSlack
) -> None:
    form = {
        "token": slack.bot_token,
        "channel": GENERAL,
        "text": "form",
        "blocks": json.dumps([SECTION]),
        "metadata": json.dumps({"event_type": "e", "event_payload": {"a": 1}}),
    }
    async with httpx.AsyncClient() as http:
        response = await http.post(server.api_url + "chat.postMessage", data=form)
    assert response.json()["ok"] is True
    message = slack.last_message(GENERAL)
    assert message is not None
    assert message.blocks == [SECTION]
    assert message.metadata == {"event_type": "e", "event_payload": {"a": 1}}


async def test_threads(client: AsyncWebClient, slack: MockSlack) -> None:
    parent = await client.chat_postMessage(channel=GENERAL, text="parent")
    reply = await client.chat_postMessage(channel=GENERAL, text="reply", thread_ts=parent["ts"])
    nested = await client.chat_postMessage(channel=GENERAL, text="again", thread_ts=reply["ts"])
    assert nested["message"]["thread_ts"] == parent["ts"]
    history = await client.conversations_history(channel=GENERAL)
    assert [m["text"] for m in history["messages"]] == ["parent"]
    assert history["messages"][0]["reply_count"] == 2
    replies = await client.conversations_replies(channel=GENERAL, ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["parent", "reply", "again"]
    failure = await api_error(client.chat_postMessage(channel=GENERAL, text="x", thread_ts="1.2"))
    assert failure.response["error"] == "thread_not_found"
    assert len(slack.messages(GENERAL, include_replies=False)) == 1


async def test_history_pages_newest_first(client: AsyncWebClient) -> None:
    for n in range(5):
        await client.chat_postMessage(channel=GENERAL, text=f"m{n}")
    first = await client.conversations_history(channel=GENERAL, limit=2)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    second = await client.conversations_history(channel=GENERAL, limit=2, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["m2", "m1"]
    oldest = first["messages"][1]["ts"]
    newer = await client.conversations_history(channel=GENERAL, oldest=oldest)
    assert [m["text"] for m in newer["messages"]] == ["m4"]


async def test_update_edits_in_place(client: AsyncWebClient, slack: MockSlack) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="old", blocks=[SECTION])
    updated = await client.chat_update(channel=GENERAL, ts=posted["ts"], text="new")
    assert updated["ts"] == posted["ts"]
    [message] = slack.messages(GENERAL)
    assert message.text == "new"
    assert message.blocks == [SECTION]  # not sent, so kept (as Slack does)
    assert message.edited_ts is not None
    missing = await api_error(client.chat_update(channel=GENERAL, ts="1.000001", text="x"))
    assert missing.response["error"] == "message_not_found"
    human = slack.post_user_message(GENERAL, "from alice")
    foreign = await api_error(client.chat_update(channel=GENERAL, ts=human.ts, text="x"))
    assert foreign.response["error"] == "cant_update_message"


async def test_delete(client: AsyncWebClient, slack: MockSlack) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="bye")
    await client.chat_delete(channel=GENERAL, ts=posted["ts"])
    assert slack.messages(GENERAL) == []
    again = await api_error(client.chat_delete(channel=GENERAL, ts=posted["ts"]))
    assert again.response["error"] == "message_not_found"


async def test_permalink(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="link me")
    link = await client.chat_getPermalink(channel=GENERAL, message_ts=posted["ts"])
    digits = posted["ts"].replace(".", "")
    assert link["permalink"] == f"https://acme-growth.slack.com/archives/{GENERAL}/p{digits}"
    failure = await api_error(client.chat_getPermalink(channel=GENERAL, message_ts="1.5"))
    assert failure.response["error"] == "message_not_found"


async def test_post_ephemeral(client: AsyncWebClient, slack: MockSlack) -> None:
    response = await client.chat_postEphemeral(channel=GENERAL, user="U0ALICE", text="psst")
    [ephemeral] = slack.ephemerals
    assert (ephemeral.user, ephemeral.text, ephemeral.ts) == (
        "U0ALICE",
        "psst",
        response["message_ts"],
    )
    assert slack.messages(GENERAL) == []
    failure = await api_error(client.chat_postEphemeral(channel=GENERAL, user="U0NOBODY", text="x"))
    assert failure.response["error"] == "user_not_found"


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C0NOWHERE", "channel_not_found"),
        ("", "channel_not_found"),
        ("C0RANDOM", "not_in_channel"),
        ("C0OLDNEWS", "is_archived"),
    ],
)
async def test_channel_errors(client: AsyncWebClient, channel: str, error: str) -> None:
    failure = await api_error(client.chat_postMessage(channel=channel, text="hi"))
    assert failure.response["error"] == error


async def test_channels_are_configurable(client: AsyncWebClient, slack: MockSlack) -> None:
    slack.add_channel("C0NEW", "launch", is_member=False)
    info = await client.conversations_info(channel="C0NEW")
    assert info["channel"]["name"] == "launch"
    assert info["channel"]["is_member"] is False
    slack.channels["C0NEW"].is_member = True
    await client.chat_postMessage(channel="C0NEW", text="joined")
    unknown = await api_error(client.conversations_info(channel="C0NOPE"))
    assert unknown.response["error"] == "channel_not_found"
    history = await api_error(client.conversations_history(channel="C0RANDOM"))
    assert history.response["error"] == "not_in_channel"


async def test_no_text_and_msg_too_long(client: AsyncWebClient) -> None:
    with pytest.warns(UserWarning, match="`text` argument is missing"):
        empty = await api_error(client.chat_postMessage(channel=GENERAL))
    assert empty.response["error"] == "no_text"
    long = await api_error(client.chat_postMessage(channel=GENERAL, text="x" * 40_001))
    assert long.response["error"] == "msg_too_long"
    await client.chat_postMessage(channel=GENERAL, text="x" * 40_000)


async def test_users_info(client: AsyncWebClient) -> None:
    alice = await client.users_info(user="U0ALICE")
    assert alice["user"]["real_name"] == "Alice Rossi"
    assert alice["user"]["tz"] == "Europe/Rome"
    failure = await api_error(client.users_info(user="U0NOBODY"))
    assert failure.response["error"] == "user_not_found"


async def test_unknown_method(client: AsyncWebClient) -> None:
    failure = await api_error(client.api_call("chat.fly"))
    assert failure.response["error"] == "unknown_method"


async def test_views_publish(client: AsyncWebClient, slack: MockSlack) -> None:
    view = {"type": "home", "blocks": [SECTION]}
    response = await client.views_publish(user_id="U0ALICE", view=view)
    assert response["view"]["id"].startswith("V")
    assert slack.home_views["U0ALICE"]["blocks"] == [SECTION]
    too_many = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    failure = await api_error(client.views_publish(user_id="U0ALICE", view=too_many))
    assert failure.response["error"] == "invalid_arguments"
    assert "no more than 100 items allowed" in failure.response["response_metadata"]["messages"][0]
    await client.views_publish(
        user_id="U0ALICE", view={"type": "home", "blocks": too_many["blocks"][:100]}
    )


async def test_views_open_and_triggers(client: AsyncWebClient, slack: MockSlack) -> None:
    now = [1_732_600_000.0]
    slack.clock = lambda: now[0]
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "New link"},
        "submit": {"type": "plain_text", "text": "Create"},
        "blocks": [SECTION],
    }
    trigger = slack.mint_trigger_id()
    opened = await client.views_open(trigger_id=trigger, view=modal)
    assert opened["view"]["title"]["text"] == "New link"
    assert slack.opened_views[0]["id"] == opened["view"]["id"]
    reused = await api_error(client.views_open(trigger_id=trigger, view=modal))
    assert reused.response["error"] == "exchanged_trigger_id"
    late = slack.mint_trigger_id()
    now[0] += 3.5
    expired = await api_error(client.views_open(trigger_id=late, view=modal))
    assert expired.response["error"] == "expired_trigger_id"
    slack.accept_unknown_triggers = False
    unknown = await api_error(client.views_open(trigger_id="123.456.abc", view=modal))
    assert unknown.response["error"] == "invalid_trigger_id"
    long_title = {**modal, "title": {"type": "plain_text", "text": "x" * 25}}
    bad = await api_error(client.views_open(trigger_id=slack.mint_trigger_id(), view=long_title))
    assert bad.response["error"] == "invalid_arguments"


async def test_views_update_replaces_an_open_modal(
    client: AsyncWebClient, slack: MockSlack
) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "New link"},
        "blocks": [SECTION],
    }
    opened = (await client.views_open(trigger_id=slack.mint_trigger_id(), view=modal))["view"]
    changed = {**modal, "title": {"type": "plain_text", "text": "Done"}}
    updated = await client.views_update(view_id=opened["id"], hash=opened["hash"], view=changed)
    assert updated["view"]["id"] == opened["id"]
    assert slack.opened_views == [updated["view"]]
    assert slack.opened_views[0]["title"]["text"] == "Done"
    stale = await api_error(client.views_update(view_id=opened["id"], hash="1.V0", view=modal))
    assert stale.response["error"] == "hash_conflict"
    missing = await api_error(client.views_update(view_id="V0NOPE", view=modal))
    assert missing.response["error"] == "not_found"
    nothing = await api_error(client.api_call("views.update", json={"view": modal}))
    assert nothing.response["error"] == "invalid_arguments"


async def test_files_upload_v2(client: AsyncWebClient, slack: MockSlack) -> None:
    csv = "link,clicks\nspring-sale,120\n"
    response = await client.files_upload_v2(
        channel=GENERAL,
        content=csv,
        filename="clicks.csv",
        title="Clicks",
        initial_comment="Weekly export",
    )
    assert response["file"]["name"] == "clicks.csv"
    stored = slack.files[response["file"]["id"]]
    assert stored.content == csv.encode()
    assert stored.title == "Clicks"
    message = slack.last_message(GENERAL)
    assert message is not None
    assert message.text == "Weekly export"
    assert message.files is not None
    assert message.files[0]["id"] == stored.id
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    archived = await api_error(
        client.files_upload_v2(channel="C0OLDNEWS", content="x", filename="x.txt")
    )
    assert archived.response["error"] == "is_archived"


async def test_complete_upload_needs_the_bytes(client: AsyncWebClient) -> None:
    url = await client.files_getUploadURLExternal(filename="a.txt", length=3)
    failure = await api_error(
        client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id=GENERAL)
    )
    assert failure.response["error"] == "file_not_found"


async def test_posting_to_a_user_opens_a_dm(client: AsyncWebClient, slack: MockSlack) -> None:
    response = await client.chat_postMessage(channel="U0BOB", text="your weekly digest")
    assert response["channel"] == "D0BOB"
    info = await client.conversations_info(channel="D0BOB")
    assert info["channel"]["is_im"] is True
    assert [m.text for m in slack.messages("D0BOB")] == ["your weekly digest"]
