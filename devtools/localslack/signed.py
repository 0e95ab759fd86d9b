"""Build signed, Slack-style HTTP requests (slash commands, block actions) for an app under test.

    body = slash_command_body("stats last 7 days", response_url=server.response_url())
    headers = signed_headers(SIGNING_SECRET, body)
    await client.post("/slack/events", content=body, headers=headers)

Signatures come from slack_sdk's `SignatureVerifier`, the same code Bolt verifies with.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0CLICKBOT"
TEAM_DOMAIN = "acme-growth"
USER_ID = "U0ALICE"
USER_NAME = "alice"
CHANNEL_ID = "C0GENERAL"
CHANNEL_NAME = "general"
API_APP_ID = "A0CLICKBOT"
TRIGGER_ID = "1111111111.2222222222.0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
#: Slack (and Bolt) refuse requests whose timestamp is more than 5 minutes off.
STALE_AFTER_S = 60 * 5


def slash_command_body(
    text: str = "",
    *,
    command: str = "/clickmeter",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    response_url: str = "https://hooks.slack.com/commands/T0CLICKBOT/1/none",
    trigger_id: str = TRIGGER_ID,
    api_app_id: str = API_APP_ID,
    **extra: str,
) -> str:
    """The form-encoded body Slack POSTs for a slash command."""
    fields = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
        **extra,
    }
    return urlencode(fields)


def block_actions_payload(
    action_id: str,
    *,
    value: str | None = None,
    block_id: str = "actions",
    action_type: str = "button",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    team_id: str = TEAM_ID,
    message: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    response_url: str | None = "https://hooks.slack.com/actions/T0CLICKBOT/1/none",
    trigger_id: str = TRIGGER_ID,
    view: dict[str, Any] | None = None,
    action: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `block_actions` payload for one click (a message button unless `view` is given).

    `action` replaces the default action object entirely (e.g. for a select's
    `selected_option`); `message` is the message the button sat on (e.g. a mock message's
    `to_api()`), which also sets the container's `message_ts`.
    """
    act: dict[str, Any] = action or {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
    }
    if value is not None and action is None:
        act["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "trigger_id": trigger_id,
        "actions": [act],
    }
    if view is not None:
        payload["container"] = container or {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
    else:
        message_ts = str((message or {}).get("ts", "1732600000.000100"))
        payload["container"] = container or {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": channel_name}
        if message is not None:
            payload["message"] = message
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def interaction_body(payload: dict[str, Any]) -> str:
    """Form-encode an interactivity payload the way Slack sends it (`payload=<json>`)."""
    return urlencode({"payload": json.dumps(payload)})


def block_actions_body(action_id: str, **options: Any) -> str:
    """`interaction_body(block_actions_payload(action_id, **options))`."""
    return interaction_body(block_actions_payload(action_id, **options))


def sign(signing_secret: str, body: str | bytes, timestamp: int | str) -> str:
    """The `X-Slack-Signature` value: `v0=` + HMAC-SHA256 of `v0:{ts}:{body}`."""
    signature = SignatureVerifier(signing_secret).generate_signature(
        timestamp=str(timestamp), body=body
    )
    if signature is None:  # only when timestamp or body is None
        raise ValueError("cannot sign without a timestamp and a body")
    return signature


def signed_headers(
    signing_secret: str,
    body: str | bytes,
    *,
    timestamp: int | None = None,
    stale: bool = False,
    wrong_signature: bool = False,
    content_type: str = FORM_CONTENT_TYPE,
) -> dict[str, str]:
    """Headers for a request from Slack: content type, timestamp and signature.

    `stale` dates the request 10 minutes back (rejected as a replay); `wrong_signature`
    signs with another secret (rejected as forged).
    """
    ts = int(time.time()) if timestamp is None else timestamp
    if stale:
        ts -= 2 * STALE_AFTER_S
    secret = signing_secret + "-wrong" if wrong_signature else signing_secret
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(secret, body, ts),
    }


def verify(signing_secret: str, body: str | bytes, headers: dict[str, str]) -> bool:
    """What Bolt checks: `SignatureVerifier.is_valid_request`."""
    return SignatureVerifier(signing_secret).is_valid_request(body, headers)


def bolt_request(
    signing_secret: str,
    body: str,
    *,
    stale: bool = False,
    wrong_signature: bool = False,
) -> AsyncBoltRequest:
    """A signed request for `AsyncApp.async_dispatch` (no HTTP server needed)."""
    headers = signed_headers(signing_secret, body, stale=stale, wrong_signature=wrong_signature)
    return AsyncBoltRequest(body=body, headers={k: [v] for k, v in headers.items()})


def view_submission_payload(
    view: dict[str, Any],
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    trigger_id: str = TRIGGER_ID,
) -> dict[str, Any]:
    """The `view_submission` payload for submitting `view` (as views.open answered it) with
    `values` as its state: {block_id: {action_id: {"type": ..., "value": ...}}}."""
    submitted = {**view, "state": {"values": values}}
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": trigger_id,
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
