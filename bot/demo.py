"""`clickbot demo` (what `make demo` runs): clickbot end to end on embedded defaults.

Starts the local ClickMeter sandbox, runs `clickbot check` against it, then reads what the bot
reads and prints it, including a click spike injected on the busiest link.
"""

from __future__ import annotations

import asyncio

import httpx
from rich.console import Console
from rich.table import Table

from bot.check import run_checks
from clickmeter import ClickMeterClient, Timeframe, TopReport
from clickmeter.sandbox import SandboxConfig, SandboxServer
from config import ClickMeterSettings, SlackTokenSettings, load_group

DEMO_API_KEY = "00000000-0000-4000-8000-000000000000"


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    return table


async def _tour(url: str, console: Console) -> None:
    async with ClickMeterClient(DEMO_API_KEY, base_url=url) as client:
        week = await client.aggregated(Timeframe.LAST7)
        totals = _table("Account, last 7 days", "metric", "value")
        totals.add_row("clicks", f"{week.total_clicks:,}")
        totals.add_row("unique clicks", f"{week.unique_clicks:,}")
        totals.add_row("views", f"{week.total_views:,}")
        totals.add_row("converted clicks", f"{week.converted_clicks:,}")
        totals.add_row("conversion value", f"{week.conversions_value:,.2f}")
        console.print(totals)

        for report in (TopReport.COUNTRIES, TopReport.REFERRERS):
            top = await client.top(report, Timeframe.LAST7)
            table = _table(f"Top {report.value}, last 7 days", report.value, "clicks", "share")
            total = sum(item.total_clicks for item in top.data) or 1
            for item in sorted(top.data, key=lambda i: i.total_clicks, reverse=True)[:5]:
                table.add_row(item.id, f"{item.total_clicks:,}", f"{item.total_clicks / total:.1%}")
            console.print(table)

        today = [s async for s in client.iter_datapoints_summary(Timeframe.TODAY)]
        today.sort(key=lambda s: s.total_clicks, reverse=True)
        busiest = _table("Busiest links today", "link", "clicks", "unique")
        for summary in today[:5]:
            name = summary.datapoint.datapoint_name if summary.datapoint else summary.entity_id
            busiest.add_row(str(name), f"{summary.total_clicks:,}", f"{summary.unique_clicks:,}")
        console.print(busiest)

        if today and today[0].numeric_entity_id is not None:
            hot, hot_id = today[0], today[0].numeric_entity_id
            before = hot.total_clicks
            async with httpx.AsyncClient(base_url=url) as control:
                spike = {"datapoint_id": hot_id, "clicks_per_minute": 120, "minutes": 5}
                (await control.post("/_sandbox/spike", json=spike)).raise_for_status()
                advance = {"advance_seconds": 300}
                (await control.post("/_sandbox/clock", json=advance)).raise_for_status()
            after = await client.datapoint_aggregated(hot_id, Timeframe.TODAY)
            console.print(
                f"Spike: injected 120 clicks/min for 5 minutes on link {hot_id}; "
                f"today's clicks went from {before:,} to {after.total_clicks:,}.",
                highlight=False,
            )


def run_demo(console: Console | None = None) -> int:
    """Run the demo; returns a process exit code."""
    console = console or Console()
    config = SandboxConfig(api_key=DEMO_API_KEY, seed=1, rate_limit=10.0)
    with SandboxServer(config) as sandbox:
        console.print(f"ClickMeter sandbox running at {sandbox.url}", highlight=False)
        clickmeter = load_group(
            ClickMeterSettings, clickmeter_api_key=DEMO_API_KEY, clickmeter_api_url=sandbox.url
        )
        slack = load_group(SlackTokenSettings, slack_bot_token=None)
        console.rule("clickbot check")
        results = asyncio.run(run_checks(clickmeter, slack))
        for result in results:
            mark = {True: "✓", False: "✗", None: "–"}[result.ok]
            console.print(f"{mark} {result.name}: {result.detail}", highlight=False)
        if any(result.ok is False for result in results):
            return 1
        console.rule("What clickbot reads")
        asyncio.run(_tour(sandbox.url, console))
    return 0
