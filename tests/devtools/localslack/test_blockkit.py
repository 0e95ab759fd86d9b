"""Block Kit rules: each invalid shape is refused with `invalid_blocks` and a json-pointer."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devtools.localslack import MockSlack, validate_blocks, validate_view


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def button(action_id: str = "go", text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": plain(text), **extra}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


VALID: list[dict[str, Any]] = [
    {"type": "header", "text": plain("Weekly clicks")},
    section("*Top link*", accessory=button("more")),
    {"type": "section", "fields": [mrkdwn(f"*{n}*") for n in range(10)]},
    {"type": "divider"},
    {
        "type": "context",
        "elements": [
            mrkdwn("updated"),
            {"type": "image", "image_url": "https://x/y.png", "alt_text": "y"},
        ],
    },
    actions(button("a", value="1", style="primary"), button("b", url="https://example.com")),
    {
        "type": "image",
        "image_url": "https://x/chart.png",
        "alt_text": "chart",
        "title": plain("Chart"),
    },
    actions(
        {
            "type": "static_select",
            "action_id": "period",
            "placeholder": plain("Period"),
            "options": [{"text": plain("7 days"), "value": "7d"}],
        }
    ),
]

# (blocks, pointer the error must name)
INVALID: dict[str, tuple[list[Any], str]] = {
    "more than 50 blocks": ([{"type": "divider"}] * 51, "[json-pointer:/blocks]"),
    "section text > 3000": ([section("x" * 3001)], "/blocks/0/text/text"),
    "empty section text": ([section("")], "/blocks/0/text/text"),
    "section without text or fields": ([{"type": "section"}], "/blocks/0]"),
    "more than 10 fields": (
        [{"type": "section", "fields": [mrkdwn("f")] * 11}],
        "/blocks/0/fields]",
    ),
    "field > 2000": (
        [{"type": "section", "fields": [mrkdwn("f" * 2001)]}],
        "/blocks/0/fields/0/text",
    ),
    "header > 150": ([{"type": "header", "text": plain("h" * 151)}], "/blocks/0/text/text"),
    "mrkdwn header": ([{"type": "header", "text": mrkdwn("h")}], "/blocks/0/text/type"),
    "context > 10 elements": (
        [{"type": "context", "elements": [mrkdwn("c")] * 11}],
        "/blocks/0/elements]",
    ),
    "actions > 25 elements": (
        [actions(*[button(f"b{n}") for n in range(26)])],
        "/blocks/0/elements]",
    ),
    "button text > 75": ([actions(button(text="b" * 76))], "/blocks/0/elements/0/text/text"),
    "mrkdwn button text": (
        [actions({**button(), "text": mrkdwn("Go")})],
        "/blocks/0/elements/0/text/type",
    ),
    "button value > 2000": ([actions(button(value="v" * 2001))], "/blocks/0/elements/0/value"),
    "action_id > 255": ([actions(button("a" * 256))], "/blocks/0/elements/0/action_id"),
    "duplicate action_id": (
        [actions(button("same"), button("same"))],
        "/blocks/0/elements/1/action_id",
    ),
    "duplicate block_id": ([section(block_id="b"), section(block_id="b")], "/blocks/1/block_id"),
    "block_id > 255": ([section(block_id="b" * 256)], "/blocks/0/block_id"),
    "unknown block type": ([{"type": "carousel"}], "/blocks/0/type"),
    "unknown text type": (
        [{"type": "section", "text": {"type": "html", "text": "x"}}],
        "/blocks/0/text/type",
    ),
    "emoji on mrkdwn": (
        [{"type": "section", "text": {**mrkdwn("x"), "emoji": True}}],
        "/blocks/0/text/emoji",
    ),
    "text not an object": ([{"type": "section", "text": "plain string"}], "/blocks/0/text]"),
    "image without alt_text": ([{"type": "image", "image_url": "https://x/y.png"}], "/blocks/0]"),
    "image without image_url": ([{"type": "image", "alt_text": "y"}], "/blocks/0]"),
    "bad button style": ([actions(button(style="green"))], "/blocks/0/elements/0/style"),
    "block not an object": (["divider"], "/blocks/0]"),
}


async def test_valid_blocks_are_accepted(client: AsyncWebClient, slack: MockSlack) -> None:
    assert validate_blocks(VALID) == []
    await client.chat_postMessage(channel="C0GENERAL", text="ok", blocks=VALID)
    message = slack.last_message("C0GENERAL")
    assert message is not None
    assert message.blocks == VALID


@pytest.mark.parametrize("case", sorted(INVALID))
async def test_invalid_blocks_are_refused(
    client: AsyncWebClient, slack: MockSlack, case: str
) -> None:
    blocks, pointer = INVALID[case]
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C0GENERAL", text="x", blocks=blocks)
    assert info.value.response["error"] == "invalid_blocks"
    messages = info.value.response["response_metadata"]["messages"]
    assert any(m.startswith("[ERROR] ") and pointer in m for m in messages), messages
    assert slack.messages("C0GENERAL") == []


async def test_blocks_not_a_list(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.api_call(
            "chat.postMessage", json={"channel": "C0GENERAL", "blocks": {"type": "divider"}}
        )
    assert info.value.response["error"] == "invalid_blocks_format"


async def test_update_validates_blocks(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C0GENERAL", text="x")
    with pytest.raises(SlackApiError) as info:
        await client.chat_update(
            channel="C0GENERAL", ts=posted["ts"], text="x", blocks=[section("x" * 3001)]
        )
    assert info.value.response["error"] == "invalid_blocks"


def test_view_rules() -> None:
    modal = {"type": "modal", "title": plain("Links"), "blocks": [section()] * 100}
    assert validate_view(modal) == []
    assert validate_view({**modal, "blocks": [{"type": "divider"}] * 101}) == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]
    assert validate_view({"type": "modal", "blocks": []}) == [
        "[ERROR] missing required field: title [json-pointer:/view]"
    ]
    assert validate_view({**modal, "private_metadata": "m" * 3001}) != []
    assert validate_view({"type": "popup", "blocks": []}) != []
