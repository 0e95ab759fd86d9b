"""Aligned text tables for mrkdwn code blocks, cut to fit Slack's 3,000 characters per text.

Slack has no table layout in messages we can rely on, but a code block is monospaced: padding
cells to a column's width gives a table that reads well on desktop and phone alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from messages.format import ELLIPSIS, escape, plural

#: Under Slack's 3,000 characters per text, with room for the fences and a "more" line.
TEXT_LIMIT = 2900
FENCE = "```"


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its title, which side it aligns to, and how wide a cell may get."""

    title: str
    align: Literal["left", "right"] = "left"
    max_width: int = 32


def width(text: str) -> int:
    """Columns `text` takes in a monospaced font: wide (CJK, most emoji) count 2, combining 0."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def fit_width(text: str, limit: int) -> str:
    """`text` cut to at most `limit` columns, ending with "…" when cut."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        w = width(char)
        if used + w > limit - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + ELLIPSIS


def _clean(cell: str, max_width: int) -> str:
    # One line per row; a backtick could close the code block early.
    flat = " ".join(cell.replace("`", "'").split())
    return fit_width(flat, max_width)


def _pad(cell: str, size: int, align: str) -> str:
    gap = " " * max(size - width(cell), 0)
    return gap + cell if align == "right" else cell + gap


def _lines(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[str]:
    cells = [[_clean(c.title, c.max_width) for c in columns]]
    cells += [
        [_clean(str(v), c.max_width) for c, v in zip(columns, row, strict=True)] for row in rows
    ]
    sizes = [max(width(line[i]) for line in cells) for i in range(len(columns))]
    return [
        escape(
            "  ".join(
                _pad(v, s, c.align) for v, s, c in zip(line, sizes, columns, strict=True)
            ).rstrip()
        )
        for line in cells
    ]


def _more_line(more: int) -> str:
    return f"{ELLIPSIS} and {plural(more, 'more', 'more')}"


def table_chunks(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    more: int = 0,
    limit: int = TEXT_LIMIT,
    max_chunks: int = 1,
) -> list[str]:
    """`rows` as code blocks of at most `limit` characters each, the header repeated in each.

    Rows that do not fit in `max_chunks` blocks are dropped and counted, with `more` (rows the
    caller left out already), in a final "… and N more" line. Never returns an empty list.
    """
    lines = _lines(columns, rows)
    header, body = lines[0], lines[1:]
    chunks: list[list[str]] = [[header]]
    size = len(header)
    shown = 0
    # Room for the fences and newlines, and for the "more" line a cut may need.
    budget = limit - 2 * len(FENCE) - 2 - len(_more_line(len(rows) + more)) - 1
    for line in body:
        if size + 1 + len(line) > budget:
            if len(chunks) >= max_chunks:
                break
            chunks.append([header])
            size = len(header)
        chunks[-1].append(line)
        size += 1 + len(line)
        shown += 1
    hidden = len(rows) - shown + more
    if hidden > 0:
        chunks[-1].append(_more_line(hidden))
    return [f"{FENCE}\n" + "\n".join(chunk) + f"\n{FENCE}" for chunk in chunks]


def render_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    more: int = 0,
    limit: int = TEXT_LIMIT,
) -> str:
    """One code block of at most `limit` characters (see `table_chunks`)."""
    return table_chunks(columns, rows, more=more, limit=limit, max_chunks=1)[0]
