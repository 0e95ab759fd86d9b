"""The digest message: what it says, and Slack's limits whatever the content's size."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from alerts.digests import (
    Comparison,
    DayClicks,
    DigestContent,
    LinkChange,
    ReportRow,
    ReportTable,
    Totals,
    chart_filename,
    chart_title,
    gather_digest,
    render_digest,
    render_digest_chart,
)
from clickmeter import ClickMeterClient, TopReport
from devtools.localslack import validate_blocks
from messages import Message
from tests.bot.answers.helpers import everything, field, texts, unescape

TUESDAY = date(2025, 11, 25)


def check_limits(answer: Message) -> list[dict[str, Any]]:
    blocks = answer.block_dicts()
    assert validate_blocks(blocks) == []
    assert 0 < len(blocks) <= 50
    assert 0 < len(answer.text) <= 3000
    for block in blocks:
        assert len(block.get("fields", [])) <= 10
        assert len(block.get("elements", [])) <= 10
    for text in texts(blocks):
        assert len(text) <= 3000
        assert text.count("```") % 2 == 0
    return blocks


def table_rows(answer: Message) -> list[list[str]]:
    """Rows of the code-block tables under the section titles (no header, no "more" line)."""
    rows: list[list[str]] = []
    for text in texts(answer.block_dicts()):
        for table in re.findall(r"```\n(.*?)\n```", text, flags=re.S):
            for line in table.split("\n")[1:]:
                if not line.startswith("…"):
                    rows.append([unescape(c) for c in re.split(r"\s{2,}", line.strip())])
    return rows


def content(
    *,
    links: int = 5,
    name: str = "spring-sale",
    rows: int = 5,
    reports: tuple[TopReport, ...] = (TopReport.COUNTRIES,),
    value: str = "US",
    clicks: int = 1_574,
    kind: str = "daily",
    scope: str = "the account",
    notes: tuple[str, ...] = (),
) -> DigestContent:
    """A digest of Tue Nov 25, 2025 with as many and as long things as asked."""
    first = TUESDAY - timedelta(days=6) if kind == "weekly" else TUESDAY
    totals = Totals(clicks=clicks, unique_clicks=clicks // 2, views=0, conversions=3)
    link = [
        LinkChange(
            id=i,
            name=f"{name}-{i}",
            clicks=clicks - i,
            unique_clicks=clicks // 2,
            previous_clicks=clicks // 3,
        )
        for i in range(links)
    ]
    return DigestContent.model_validate(
        {
            "kind": kind,
            "scope": scope,
            "first": first,
            "last": TUESDAY,
            "zone": "Europe/Rome",
            "data_time": datetime(2025, 11, 26, 8, 0, tzinfo=UTC),
            "totals": totals,
            "comparisons": (
                Comparison(
                    label="Mon",
                    first=TUESDAY - timedelta(days=1),
                    last=TUESDAY - timedelta(days=1),
                    totals=Totals(clicks=1_491, unique_clicks=700, conversions=0),
                ),
                Comparison(
                    label="last Tue",
                    first=TUESDAY - timedelta(days=7),
                    last=TUESDAY - timedelta(days=7),
                    totals=Totals(clicks=0, unique_clicks=0),
                ),
            ),
            "links_with_clicks": links * 40,
            "link_clicks": clicks * links,
            "top_links": link,
            "reports": tuple(
                ReportTable(
                    report=report,
                    total_clicks=clicks * rows,
                    items=rows * 3,
                    rows=tuple(
                        ReportRow(value=f"{value}{i}", clicks=clicks, unique_clicks=clicks // 2)
                        for i in range(rows)
                    ),
                )
                for report in reports
            ),
            "risers": link[:3],
            "fallers": tuple(
                LinkChange(
                    id=99 + i,
                    name=f"{name}-down",
                    clicks=1,
                    unique_clicks=1,
                    previous_clicks=clicks,
                )
                for i in range(links)
            ),
            "mover_min_clicks": 20,
            "series": tuple(
                DayClicks(day=TUESDAY - timedelta(days=13 - i), clicks=i * clicks)
                for i in range(14)
            ),
            "notes": notes,
        }
    )


def test_daily_digest_says_what_happened() -> None:
    answer = render_digest(content(), chart_uploaded=True)
    blocks = check_limits(answer)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "☀️ Daily digest · Tue Nov 25", "emoji": True},
    }
    assert field(answer, "Clicks") == (
        "*1,574*\n+5.6% vs Mon (1,491)\nnew vs last Tue (0)"
    )  # fmt: skip
    assert field(answer, "Conversions").startswith("*3*\nnew vs Mon (0)")
    text = everything(answer)
    assert "*Views*" not in text  # zero now and before: not worth a field
    assert "*Top links* · 200 links with clicks · change vs Mon" in text
    assert ["1", "spring-sale-0", "1,574", "20.0%", "+200.4%"] in table_rows(answer)
    assert "*Top countries*" in text
    assert ["1", "US0", "1,574", "20.0%"] in table_rows(answer)
    assert "↑ *spring-sale-0* +1,050 (524 → 1,574)" in text
    assert "↓ *spring-sale-down* −1,573 (1,574 → 1)" in text
    assert "Nov 25, 2025 vs Nov 24 and Nov 18 · data as of 09:00 CET" in text
    assert "Clicks per day" not in text  # the chart is uploaded with the message
    assert answer.text.startswith("Daily digest · Tue Nov 25: 1,574 clicks (+5.6% vs Mon")
    assert "Top link: spring-sale-0 (1,574)" in answer.text


def test_text_sparkline_stands_in_for_the_chart() -> None:
    answer = render_digest(content(clicks=10), chart_uploaded=False)
    check_limits(answer)
    text = everything(answer)
    assert "*Clicks per day* · Nov 12 – Nov 25, 2025" in text
    assert "```\n▁▂▂▃▃▄▄▅▅▆▆▇▇█\nWTFSSMTWTFSSMT\n```" in text
    assert "Peak 130 on Tue Nov 25 · low 0 on Wed Nov 12" in text


def test_weekly_digest_and_scope() -> None:
    digest = content(kind="weekly", scope="links tagged email")
    answer = render_digest(digest, chart_uploaded=True)
    check_limits(answer)
    assert answer.block_dicts()[0]["text"]["text"] == (
        "🗓️ Weekly digest · Nov 19 – Nov 25, 2025 · links tagged email"
    )
    assert chart_title(digest) == "Clicks per day · Nov 12 – Nov 25, 2025 · links tagged email"
    assert chart_filename(digest) == "clicks-2025-11-25.png"


def test_nothing_to_show_still_reads_well() -> None:
    digest = content(links=0, rows=0, clicks=0, notes=("TOP reports are left out.",))
    answer = render_digest(digest, chart_uploaded=False)
    check_limits(answer)
    text = everything(answer)
    assert "No link had a click on these days." in text
    assert "No clicks with a country on these days." in text
    assert "No link rose or fell by much." in text
    assert "TOP reports are left out." in text


@pytest.mark.parametrize("chart_uploaded", [True, False])
def test_limits_hold_for_huge_content(chart_uploaded: bool) -> None:
    digest = content(
        links=500,
        name="<!channel> `x` & 数据🚀" * 200,
        rows=300,
        reports=tuple(TopReport),
        value="https://example.com/" + "very-long-path/" * 300,
        clicks=10**12,
        scope="group " + "<!here> " * 500,
        notes=tuple("n" * 5000 for _ in range(20)),
    )
    answer = render_digest(digest, chart_uploaded=chart_uploaded)
    blocks = check_limits(answer)
    text = everything(answer)
    # Only the header is plain text, where Slack parses no mention.
    mrkdwn = "\n".join(texts(blocks[1:])) + answer.text
    assert "<!channel>" not in mrkdwn
    assert "<!here>" not in mrkdwn
    assert "1,000,000,000,000" in text
    assert sum(1 for t in texts(blocks) if t.startswith("*Top ")) == 15


async def test_rendered_from_the_sandbox(
    client: ClickMeterClient, today: date, now: datetime
) -> None:
    digest = await gather_digest(
        client, day=today, now=now, reports=(TopReport.COUNTRIES, TopReport.BROWSERS)
    )
    answer = render_digest(digest, chart_uploaded=False)
    check_limits(answer)
    assert answer.block_dicts()[0]["text"]["text"] == "☀️ Daily digest · Tue Mar 17"
    assert field(answer, "Clicks").startswith(f"*{digest.totals.clicks:,}*\n")
    text = everything(answer)
    assert "Mar 17, 2026 vs Mar 16 and Mar 10 · data as of 14:30 CET" in text
    assert "*Top browsers*" in text
    png = render_digest_chart(digest)
    assert Image.open(io.BytesIO(png)).size == (800, 360)
    # A digest read back from its outbox payload renders the same.
    again = DigestContent.model_validate_json(digest.model_dump_json())
    assert render_digest(again, chart_uploaded=False).block_dicts() == answer.block_dicts()
