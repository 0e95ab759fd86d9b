"""The `response_url` sink: what Bolt's `respond()` POSTs, checked and applied like Slack.

A minted URL remembers where it came from (channel, user, original message), so
`in_channel` answers become channel messages, `ephemeral` ones ephemerals, and
`replace_original` / `delete_original` change the original message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from devtools.localslack import blockkit
from devtools.localslack.args import MAX_TEXT, as_bool
from devtools.localslack.models import Ephemeral, Message, ResponsePost
from devtools.localslack.workspace import Workspace

MAX_USES = 5


@dataclass
class ResponseHook:
    id: str
    channel: str | None
    user: str | None
    message_ts: str | None
    uses: int = 0


def apply_response(
    ws: Workspace, hook: ResponseHook | None, raw: bytes, at: float
) -> tuple[int, str, ResponsePost | None]:
    """Handle one POST to a response URL: (HTTP status, body text, the recorded post)."""
    if hook is None:
        return 404, "no_active_hooks", None
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return 400, "invalid_payload", ResponsePost(hook.id, {}, at, "invalid_payload")
    error = _check(body, hook)
    post = ResponsePost(hook.id, body, at, error)
    if error is not None:
        return (404 if error == "used_url" else 400), error, post
    hook.uses += 1
    _apply(ws, hook, body)
    return 200, "ok", post


def _check(body: dict[str, Any], hook: ResponseHook) -> str | None:
    if hook.uses >= MAX_USES:
        return "used_url"
    if as_bool(body.get("delete_original")):
        return None
    text = body.get("text")
    blocks = body.get("blocks")
    if not text and not blocks and not body.get("attachments"):
        return "no_text"
    if isinstance(text, str) and len(text) > MAX_TEXT:
        return "msg_too_long"
    if blocks is not None and (not isinstance(blocks, list) or blockkit.validate_blocks(blocks)):
        return "invalid_blocks"
    return None


def _apply(ws: Workspace, hook: ResponseHook, body: dict[str, Any]) -> None:
    if hook.channel is None:
        return
    with ws.lock:
        stored = ws._messages.get(hook.channel, [])
        original = next((m for m in stored if m.ts == hook.message_ts), None)
        if as_bool(body.get("delete_original")):
            if original is not None:
                stored.remove(original)
            return
        text = str(body.get("text") or "")
        blocks = body.get("blocks")
        if as_bool(body.get("replace_original")) and original is not None:
            original.text, original.blocks = text, blocks
            original.edited_ts = f"{ws.clock():.6f}"
        elif body.get("response_type") == "in_channel":
            parent = original if body.get("thread_ts") and original else None
            message = Message(hook.channel, ws._next_ts(), text=text, blocks=blocks)
            ws._add(message, parent)
        else:
            user = hook.user or ""
            thread_ts = body.get("thread_ts")
            ws.ephemerals.append(
                Ephemeral(hook.channel, user, ws._next_ts(), text, blocks, thread_ts)
            )
