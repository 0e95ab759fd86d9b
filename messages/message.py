"""`Message`: what clickbot posts to Slack, whoever posts it (an answer, an alert, a digest).

A message is its notification / fallback `text`, its Block Kit `blocks`, and optional Slack
`metadata` (an event type and a payload, read back to find a message clickbot posted).
`make` builds one within Slack's limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.metadata import Metadata

from messages.build import fit
from messages.format import escape, truncate_mrkdwn

#: Slack shows at most this much of a message's notification / fallback text.
TEXT_LIMIT = 3000


@dataclass(frozen=True)
class Message:
    """A message: `text` for notifications and fallbacks, `blocks` for the message itself."""

    text: str
    blocks: list[Block]
    metadata: Metadata | None = None

    def block_dicts(self) -> list[dict[str, Any]]:
        """The blocks as JSON-ready dicts, for `chat.postMessage`, `respond` and storage."""
        return [block.to_dict() for block in self.blocks]

    def metadata_dict(self) -> dict[str, Any] | None:
        """The metadata as `chat.postMessage` takes it, or None."""
        return None if self.metadata is None else self.metadata.to_dict()


def make(
    text: str, blocks: list[Block], *, mrkdwn: bool = False, metadata: Metadata | None = None
) -> Message:
    """A Message within Slack's limits (text length, block count).

    `text` is plain and gets escaped: Slack parses a message's `text` as mrkdwn, so a link
    named `<!channel>` would otherwise notify a whole channel. Pass `mrkdwn=True` for text
    that is escaped mrkdwn already.
    """
    body = (text if mrkdwn else escape(text)).strip() or "…"
    return Message(text=truncate_mrkdwn(body, TEXT_LIMIT), blocks=fit(blocks), metadata=metadata)
