"""Block Kit builders that cannot break Slack's limits, whatever text they are given.

Every builder truncates instead of failing: a message cut with "…" beats one Slack refuses.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from messages.format import ELLIPSIS, truncate, truncate_mrkdwn

HEADER_LIMIT = 150
TEXT_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
CONTEXT_ELEMENTS = 10
#: Slack allows 50 blocks per message; callers may add two of their own (share button, byline).
MAX_BLOCKS = 48


def header(text: str) -> HeaderBlock:
    """A plain-text header (emoji shortcodes allowed), at most 150 characters."""
    clean = " ".join(text.split()) or ELLIPSIS
    return HeaderBlock(text=PlainTextObject(text=truncate(clean, HEADER_LIMIT), emoji=True))


def section(text: str) -> SectionBlock:
    """A mrkdwn section; `text` must already be escaped."""
    return SectionBlock(text=MarkdownTextObject(text=truncate_mrkdwn(text or ELLIPSIS, TEXT_LIMIT)))


def fields(pairs: Sequence[tuple[str, str]]) -> list[SectionBlock]:
    """Label/value pairs as section fields (`*label*` over the value), 10 per section.

    Both parts must already be escaped mrkdwn.
    """
    texts = [
        MarkdownTextObject(text=truncate_mrkdwn(f"*{label}*\n{value}", FIELD_LIMIT))
        for label, value in pairs
    ]
    return [
        SectionBlock(fields=texts[i : i + FIELDS_PER_SECTION])
        for i in range(0, len(texts), FIELDS_PER_SECTION)
    ]


def context(*texts: str) -> ContextBlock:
    """A small grey line of mrkdwn elements (empty ones skipped), at most 10 of them."""
    parts = [t for t in texts if t][:CONTEXT_ELEMENTS] or [ELLIPSIS]
    return ContextBlock(
        elements=[MarkdownTextObject(text=truncate_mrkdwn(t, TEXT_LIMIT)) for t in parts]
    )


def divider() -> DividerBlock:
    return DividerBlock()


def code_sections(chunks: Sequence[str]) -> list[SectionBlock]:
    """One section per code-block chunk (see `messages.table.table_chunks`)."""
    return [section(chunk) for chunk in chunks]


def fit(blocks: Sequence[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    """`blocks` cut to `limit`, keeping the last one (the context line) and saying so."""
    if len(blocks) <= limit:
        return list(blocks)
    kept = list(blocks[: limit - 2])
    hidden = len(blocks) - len(kept) - 1
    note = section(f"_{ELLIPSIS} {hidden:,} more part(s) left out to fit in one message._")
    return [*kept, note, blocks[-1]]
