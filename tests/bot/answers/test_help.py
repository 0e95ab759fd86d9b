"""`help`: every subcommand's usage and example; each topic on its own."""

from __future__ import annotations

import pytest

from bot.answers import AnswerContext, answer
from bot.grammar import HELP_TOPICS, REPORT_WORDS, SUBCOMMANDS, parse
from messages import escape
from tests.bot.answers.helpers import assert_valid, everything


async def test_overview_lists_every_subcommand(ctx: AnswerContext) -> None:
    result = await answer(parse(""), ctx)
    assert_valid(result)
    text = everything(result)
    for sub in SUBCOMMANDS.values():
        assert f"`/clickmeter {escape(sub.usage)}`" in text
        assert escape(sub.summary) in text
    assert "📖" in text


@pytest.mark.parametrize("topic", [*SUBCOMMANDS, *HELP_TOPICS])
async def test_every_topic(ctx: AnswerContext, topic: str) -> None:
    result = await answer(parse(f"help {topic}"), ctx)
    assert_valid(result)
    text = everything(result)
    assert f"Help · {topic}" in text
    if topic in SUBCOMMANDS:
        sub = SUBCOMMANDS[topic]
        assert f"`/clickmeter {escape(sub.usage)}`" in text
        assert f"`/clickmeter {escape(sub.example('7d'))}`" in text


async def test_reports_topic_lists_every_report_word(ctx: AnswerContext) -> None:
    text = everything(await answer(parse("help reports"), ctx))
    for word in REPORT_WORDS:
        assert f"`{word}`" in text


async def test_help_needs_no_clickmeter(ctx: AnswerContext) -> None:
    # A help answer is built without a request: it works while ClickMeter is down.
    result = await answer(parse("help timeframes"), AnswerContext(client=ctx.client))
    assert "`2026-11-01..2026-11-15`" in everything(result)


async def test_help_lists_connect_and_disconnect(ctx: AnswerContext) -> None:
    text = everything(await answer(parse("help"), ctx))
    assert "`/clickmeter connect`" in text
    assert "`/clickmeter disconnect`" in text
