"""Reading answers back: their texts, their tables, and the Slack limits every one must meet."""

from __future__ import annotations

import re
from typing import Any

from devtools.localslack import validate_blocks
from messages import Message

MAX_BLOCKS = 48


def assert_valid(answer: Message) -> list[dict[str, Any]]:
    """The answer's blocks as dicts, after checking them against Slack's Block Kit rules."""
    blocks = answer.block_dicts()
    assert validate_blocks(blocks) == []
    assert 0 < len(blocks) <= MAX_BLOCKS
    assert 0 < len(answer.text) <= 3000
    for text in texts(blocks):
        assert "Traceback" not in text
    return blocks


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every text in the blocks, in order (section text, fields, context elements, header)."""
    out: list[str] = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out.extend(field["text"] for field in block.get("fields", []))
        out.extend(e["text"] for e in block.get("elements", []) if "text" in e)
    return out


def everything(answer: Message) -> str:
    return "\n".join(texts(answer.block_dicts()))


def field(answer: Message, label: str) -> str:
    """The value under `*label*` in a section field."""
    for text in texts(answer.block_dicts()):
        if text.startswith(f"*{label}*\n"):
            return text.split("\n", 1)[1]
    raise AssertionError(f"no field {label!r}")


def table_rows(answer: Message) -> list[list[str]]:
    """Rows of the code-block tables (split on 2+ spaces, unescaped), without headers and
    "more" lines."""
    rows: list[list[str]] = []
    for text in texts(answer.block_dicts()):
        if not text.startswith("```"):
            continue
        lines = text.strip("`\n").split("\n")
        for line in lines[1:]:
            if line.startswith("…"):
                continue
            rows.append([unescape(cell) for cell in re.split(r"\s{2,}", line.strip())])
    return rows


def unescape(text: str) -> str:
    """mrkdwn as the reader sees it."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def more_count(answer: Message) -> int:
    """N of a table's "… and N more" line, 0 when there is none."""
    match = re.search(r"… and ([\d,]+) more", everything(answer))
    return int(match.group(1).replace(",", "")) if match else 0


def count(value: int) -> str:
    return f"{value:,}"
