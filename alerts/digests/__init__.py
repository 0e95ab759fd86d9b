"""Digests: a morning summary of a ClickMeter account's clicks, for a Slack channel.

`gather_digest` reads the numbers into a `DigestContent` (JSON-serialisable, for the outbox);
`render_digest` builds the Block Kit message from it; `render_digest_chart` draws its 14 days
of clicks as a PNG (matplotlib, headless) to upload with it.
"""

from alerts.digests.chart import (
    chart_filename,
    chart_title,
    render_clicks_chart,
    render_digest_chart,
)
from alerts.digests.content import (
    Comparison,
    DayClicks,
    DigestContent,
    DigestKind,
    GroupFilter,
    LinkChange,
    LinksFilter,
    ReportRow,
    ReportTable,
    TagFilter,
    Totals,
    digest_days,
    links_filter_of,
)
from alerts.digests.gather import gather_digest
from alerts.digests.message import render_digest

__all__ = [
    "Comparison",
    "DayClicks",
    "DigestContent",
    "DigestKind",
    "GroupFilter",
    "LinkChange",
    "LinksFilter",
    "ReportRow",
    "ReportTable",
    "TagFilter",
    "Totals",
    "chart_filename",
    "chart_title",
    "digest_days",
    "gather_digest",
    "links_filter_of",
    "render_clicks_chart",
    "render_digest",
    "render_digest_chart",
]
