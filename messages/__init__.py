"""Block Kit building blocks for every message clickbot sends (answers, alerts, digests).

`format`: numbers, changes, shares, sparklines, dates and mrkdwn escaping. `table`: aligned
tables in code blocks that fit Slack's limits. `build`: blocks that truncate instead of failing.
`message`: the `Message` every sender posts, and `make`, which keeps one within Slack's limits.
"""

from messages.build import (
    MAX_BLOCKS,
    code_sections,
    context,
    divider,
    fields,
    fit,
    header,
    section,
)
from messages.format import (
    MINUS,
    NONE,
    as_of,
    clock_time,
    days_label,
    delta,
    downsample,
    escape,
    money,
    number,
    percent,
    plural,
    range_label,
    safe_name,
    share,
    short_datetime,
    sparkline,
    truncate,
    truncate_mrkdwn,
)
from messages.message import TEXT_LIMIT, Message, make
from messages.table import Column, fit_width, render_table, table_chunks, width

__all__ = [
    "MAX_BLOCKS",
    "MINUS",
    "NONE",
    "TEXT_LIMIT",
    "Column",
    "Message",
    "as_of",
    "clock_time",
    "code_sections",
    "context",
    "days_label",
    "delta",
    "divider",
    "downsample",
    "escape",
    "fields",
    "fit",
    "fit_width",
    "header",
    "make",
    "money",
    "number",
    "percent",
    "plural",
    "range_label",
    "render_table",
    "safe_name",
    "section",
    "share",
    "short_datetime",
    "sparkline",
    "table_chunks",
    "truncate",
    "truncate_mrkdwn",
    "width",
]
