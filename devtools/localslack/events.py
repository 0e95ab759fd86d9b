"""Events API bodies for questions asked of the bot (`app_mention`, `message.im`) and for links
shared (`link_shared`).

    body = mention_body(message, team_id=TEAM_ID)       # a Message the mock Slack holds
    headers = signed_headers(SIGNING_SECRET, body, content_type="application/json")

Each body carries what Slack's does: the event (with the message's `ts`, and `thread_ts` when
it is a reply), a fresh `event_id`, and `authorizations` naming the bot, which Bolt reads to
know which installation the event is for.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from devtools.localslack.models import BOT_USER_ID, Message
from devtools.localslack.signed import API_APP_ID, TEAM_ID


def event_callback(event: dict[str, Any], *, team_id: str = TEAM_ID) -> str:
    """The JSON body Slack POSTs for `event` (an Events API `event_callback`)."""
    now = time.time()
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": API_APP_ID,
            "event": {"event_ts": f"{now:.6f}", **event},
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )


def _message_fields(message: Message, team_id: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "user": message.user,
        "text": message.text,
        "ts": message.ts,
        "channel": message.channel,
        "team": team_id,
        "blocks": [],
    }
    if message.is_reply:
        fields["thread_ts"] = message.thread_ts
    return fields


def mention_body(message: Message, *, team_id: str = TEAM_ID) -> str:
    """`app_mention`: `message` (in a channel) mentions the bot."""
    return event_callback(
        {"type": "app_mention", **_message_fields(message, team_id)}, team_id=team_id
    )


def direct_message_body(message: Message, *, team_id: str = TEAM_ID, **extra: Any) -> str:
    """`message.im`: `message` was sent in the DM with the bot (`extra`: e.g. `subtype`,
    `bot_id`, for the messages the bot must ignore)."""
    event = {"type": "message", "channel_type": "im", **_message_fields(message, team_id), **extra}
    return event_callback(event, team_id=team_id)


def link_shared_body(
    message: Message,
    urls: list[str],
    *,
    team_id: str = TEAM_ID,
    source: str = "conversations_history",
) -> str:
    """`link_shared`: `message` holds `urls` on the app's unfurl domains (as Slack sends it for
    a posted message: channel, message_ts, and an unfurl_id too)."""
    links = [{"domain": _host(url), "url": url} for url in urls]
    event = {
        "type": "link_shared",
        "channel": message.channel,
        "is_bot_user_member": True,
        "user": message.user,
        "message_ts": message.ts,
        "unfurl_id": f"U{secrets.token_hex(8).upper()}",
        "source": source,
        "links": links,
    }
    return event_callback(event, team_id=team_id)


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0].lower()
