"""`chat.unfurl` on the local Slack: checked like Slack's (the message or draft it is for, the
`unfurls` JSON, each URL in the message, Block Kit within an attachment's limits), recorded
in `Workspace.unfurls` for tests. 429s come from the app's faults (`rate_limit(method=...)`).
Token checks are the app's, as for every other method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devtools.localslack import blockkit
from devtools.localslack.args import json_arg
from devtools.localslack.models import ApiError
from devtools.localslack.workspace import Workspace, api

#: Blocks an unfurl's attachment may hold (as a message's).
UNFURL_BLOCK_LIMIT = 50


@dataclass(frozen=True)
class Unfurl:
    """One accepted `chat.unfurl`: where (channel + ts, or a draft's unfurl_id + source), and
    url -> what it was unfurled with (`{"blocks": [...]}` or an attachment)."""

    channel: str | None
    ts: str | None
    unfurl_id: str | None
    source: str | None
    unfurls: dict[str, dict[str, Any]]


def _text_of(ws: Workspace, args: dict[str, Any]) -> str | None:
    """The text of the message unfurled (None for a draft, whose text Slack alone has)."""
    if args.get("unfurl_id") and args.get("source"):
        return None
    ref = args.get("channel")
    channel = ws._find_channel(ref) if isinstance(ref, str) and ref else None
    if channel is None:
        raise ApiError("channel_not_found")
    if not args.get("ts"):
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: ts"])
    try:
        return ws._message(channel, args.get("ts")).text
    except ApiError:
        raise ApiError("cannot_find_message") from None


def _check(url: object, unfurl: object, text: str | None) -> list[str]:
    if not isinstance(url, str) or not url:
        return ["[ERROR] each unfurl needs its URL as the key"]
    if text is not None and url not in text:
        raise ApiError("cannot_unfurl_url")
    if not isinstance(unfurl, dict):
        raise ApiError("invalid_unfurls_format")
    blocks = unfurl.get("blocks")
    if blocks is None:
        return [] if unfurl.get("text") or unfurl.get("title") else ["[ERROR] an empty unfurl"]
    return blockkit.validate_blocks(blocks, limit=UNFURL_BLOCK_LIMIT, at=f"/unfurls/{url}/blocks")


@api("chat.unfurl")
def chat_unfurl(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    text = _text_of(ws, args)
    unfurls = json_arg(args, "unfurls", "invalid_unfurls_format")
    if not isinstance(unfurls, dict) or not unfurls:
        raise ApiError("invalid_unfurls_format")
    problems = [p for url, unfurl in unfurls.items() for p in _check(url, unfurl, text)]
    if problems:
        raise ApiError("invalid_blocks", problems)
    ws.unfurls.append(
        Unfurl(
            args.get("channel") if text is not None else None,
            args.get("ts") if text is not None else None,
            args.get("unfurl_id") if text is None else None,
            args.get("source") if text is None else None,
            unfurls,
        )
    )
    return {}
