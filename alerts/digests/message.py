"""The digest as a Slack message: Block Kit built from a `DigestContent`, no ClickMeter call.

Within Slack's limits whatever the account's size: every table shows a fixed number of rows
with cut names (`messages.table`), every text is cut to 3,000 characters, at most 5 fields,
and the blocks are fitted to 48 (`messages.fit`) in case of many TOP reports.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block

from alerts.digests.content import (
    MOVERS,
    TOP_LINKS,
    TOP_ROWS,
    Comparison,
    DigestContent,
    LinkChange,
    ReportTable,
    Totals,
)
from messages import (
    MINUS,
    TEXT_LIMIT,
    Column,
    Message,
    as_of,
    context,
    days_label,
    delta,
    fields,
    header,
    make,
    money,
    number,
    plural,
    render_table,
    safe_name,
    section,
    share,
    sparkline,
    truncate,
)
from messages.reports import REPORT_NAMES

#: Room for a section's title line above its table, under Slack's 3,000 characters.
TABLE_LIMIT = 2800
#: Cells are cut to this before the table cuts them to its columns' widths: rendering then
#: costs the same whatever ClickMeter's names (a URL can be thousands of characters).
CELL_LIMIT = 120

#: (label, Totals field, how to write it, shown even when zero).
METRICS = (
    ("Clicks", "clicks", number, True),
    ("Unique clicks", "unique_clicks", number, True),
    ("Views", "views", number, False),
    ("Conversions", "conversions", number, False),
    ("Conversion value", "conversions_value", money, False),
)


def signed(value: int) -> str:
    """`+23`, `-23` (with a real minus sign), `±0`."""
    if value == 0:
        return "±0"
    return f"+{value:,}" if value > 0 else f"{MINUS}{-value:,}"


def day_name(content: DigestContent) -> str:
    """`Tue Nov 25` (daily) or `Nov 17 - Nov 23, 2026` (weekly, en dash)."""
    if content.kind == "daily":
        return f"{content.last:%a %b} {content.last.day}"
    return days_label(content.first, content.last)


def title(content: DigestContent) -> str:
    """`Daily digest · Tue Nov 25`, with the scope when it is not the whole account."""
    name = f"{content.kind.capitalize()} digest · {day_name(content)}"
    return name if content.scope == "the account" else f"{name} · {content.scope}"


def _metric(totals: Totals, name: str) -> float:
    value: float = getattr(totals, name)
    return value


def total_fields(content: DigestContent) -> list[tuple[str, str]]:
    """(label, `*1,574*` then one `+5.6% vs Mon (1,491)` line per comparison)."""
    out = []
    for label, name, write, always in METRICS:
        now = _metric(content.totals, name)
        before = [(c.label, _metric(c.totals, name)) for c in content.comparisons]
        if not always and now == 0 and not any(value for _, value in before):
            continue
        lines = [f"*{write(now)}*"]
        lines += [f"{delta(now, value)} vs {what} ({write(value)})" for what, value in before]
        out.append((label, "\n".join(lines)))
    return out


def _titled_table(heading: str, columns: list[Column], rows: list[list[str]], more: int) -> str:
    return f"{heading}\n" + render_table(columns, rows, more=more, limit=TABLE_LIMIT)


def links_section(content: DigestContent) -> str:
    """The top links: clicks, share of all link clicks, change against the period before."""
    links = content.top_links[:TOP_LINKS]
    before = content.comparisons[0].label if content.comparisons else "before"
    heading = (
        f"*Top links* · {plural(content.links_with_clicks, 'link')} with clicks · "
        f"change vs {before}"
    )
    if not links:
        return f"{heading}\nNo link had a click on these days."
    columns = [
        Column("#", "right"),
        Column("Link", max_width=34),
        Column("Clicks", "right"),
        Column("Share", "right"),
        Column("Change", "right"),
    ]
    rows = [
        [
            str(rank),
            truncate(link.name, CELL_LIMIT),
            number(link.clicks),
            share(link.clicks, content.link_clicks),
            delta(link.clicks, link.previous_clicks),
        ]
        for rank, link in enumerate(links, start=1)
    ]
    return _titled_table(heading, columns, rows, max(content.links_with_clicks - len(links), 0))


def _value(text: str) -> str:
    # URLs without their scheme, which only eats the width.
    for scheme in ("https://", "http://"):
        text = text.removeprefix(scheme)
    return text


def report_section(table: ReportTable) -> str:
    """One TOP report's first rows, each with its share of the report's clicks."""
    plural_name, singular = REPORT_NAMES.get(
        table.report, (table.report.value.capitalize(), table.report.value)
    )
    heading = f"*Top {plural_name.lower()}*"
    shown = table.rows[:TOP_ROWS]
    if not shown:
        return f"{heading}\nNo clicks with a {singular.lower()} on these days."
    columns = [
        Column("#", "right"),
        Column(singular, max_width=40),
        Column("Clicks", "right"),
        Column("Share", "right"),
    ]
    rows = [
        [
            str(rank),
            truncate(_value(row.value), CELL_LIMIT),
            number(row.clicks),
            share(row.clicks, table.total_clicks),
        ]
        for rank, row in enumerate(shown, start=1)
    ]
    return _titled_table(heading, columns, rows, max(table.items - len(shown), 0))


def _mover(arrow: str, link: LinkChange) -> str:
    return (
        f"{arrow} *{safe_name(link.name, 60)}* {signed(link.change)} "
        f"({number(link.previous_clicks)} → {number(link.clicks)})"
    )


def movers_section(content: DigestContent) -> str:
    """The links whose clicks rose or fell most (absolute clicks), above the volume floor."""
    before = content.comparisons[0].label if content.comparisons else "before"
    heading = f"*Movers* · vs {before}, among links with {number(content.mover_min_clicks)}+ clicks"
    lines = [_mover("↑", link) for link in content.risers[:MOVERS]]
    lines += [_mover("↓", link) for link in content.fallers[:MOVERS]]
    if not lines:
        lines = ["No link rose or fell by much."]
    return "\n".join([heading, *lines])


def sparkline_section(content: DigestContent) -> str:
    """The 14 days as a text sparkline over weekday initials, with the peak and the low."""
    series = content.series
    if not series:
        return "*Clicks per day*\nNo days to show."
    values = [d.clicks for d in series]
    peak = max(series, key=lambda d: (d.clicks, d.day))
    low = min(series, key=lambda d: (d.clicks, d.day))
    initials = "".join(f"{d.day:%a}"[0] for d in series)
    return (
        f"*Clicks per day* · {days_label(series[0].day, series[-1].day)}\n"
        f"```\n{sparkline(values, width=len(values))}\n{initials}\n```\n"
        f"Peak {number(peak.clicks)} on {peak.day:%a %b} {peak.day.day} · "
        f"low {number(low.clicks)} on {low.day:%a %b} {low.day.day}"
    )


def footer(content: DigestContent) -> str:
    """`the account · Mar 17, 2026 vs Mar 16 and Mar 10 · data as of 09:00 CET`."""
    compared = " and ".join(_days(c) for c in content.comparisons)
    shown = days_label(content.first, content.last) + (f" vs {compared}" if compared else "")
    moment = as_of(content.data_time, ZoneInfo(content.zone))
    return " · ".join([safe_name(content.scope, 200), shown, moment])


def _days(comparison: Comparison) -> str:
    label = days_label(comparison.first, comparison.last)
    # The year is said once, on the digest's own days.
    return label.rsplit(", ", 1)[0]


def summary_text(content: DigestContent) -> str:
    """The plain notification text: totals with their changes, and the top link."""
    clicks = content.totals.clicks
    changes = ", ".join(
        f"{delta(clicks, c.totals.clicks)} vs {c.label}" for c in content.comparisons
    )
    text = f"{title(content)}: {number(clicks)} clicks" + (f" ({changes})" if changes else "")
    if content.top_links:
        best = content.top_links[0]
        text += f". Top link: {truncate(best.name, 80)} ({number(best.clicks)})"
    return text


def render_digest(content: DigestContent, *, chart_uploaded: bool) -> Message:
    """The digest message; when the chart could not be uploaded, a text sparkline stands in."""
    emoji = "☀️" if content.kind == "daily" else "🗓️"
    blocks: list[Block] = [header(f"{emoji} {title(content)}"), *fields(total_fields(content))]
    blocks.append(section(links_section(content)))
    blocks += [section(report_section(table)) for table in content.reports]
    blocks.append(section(movers_section(content)))
    if not chart_uploaded:
        blocks.append(section(sparkline_section(content)))
    if content.notes:
        blocks.append(context(*(safe_name(note, 300) for note in content.notes[:5])))
    blocks.append(context(footer(content)))
    return make(truncate(summary_text(content), TEXT_LIMIT), blocks)
