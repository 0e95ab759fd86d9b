"""Answers to `/clickmeter` commands: a parsed `Command` in, a Block Kit `Answer` out.

One module per subcommand; this one dispatches. `answer` may raise `ClickMeterError` (and
`ResolveError` for names that are not exactly one link or group); `error_answer` turns those
and `CommandError` into a message saying what to type instead.
"""

from __future__ import annotations

from typing import Any

from bot.answers.base import Answer, AnswerContext
from bot.answers.errors import error_answer
from bot.answers.groups import group_answer, groups_answer
from bot.answers.help import help_answer
from bot.answers.hits import hits_answer
from bot.answers.link import link_answer
from bot.answers.links import links_answer
from bot.answers.stats import stats_answer
from bot.answers.top import top_answer
from bot.commands import Command, Group, Groups, Help, Hits, Link, Links, Stats, Top

__all__ = ["Answer", "AnswerContext", "answer", "answer_to_dicts", "error_answer"]


async def answer(command: Command, ctx: AnswerContext) -> Answer:
    """The answer to `command`, with ClickMeter's numbers for its timeframe."""
    match command:
        case Help():
            return help_answer(command)
        case Stats():
            return await stats_answer(command, ctx)
        case Top():
            return await top_answer(command, ctx)
        case Links():
            return await links_answer(command, ctx)
        case Link():
            return await link_answer(command, ctx)
        case Group():
            return await group_answer(command, ctx)
        case Groups():
            return await groups_answer(command, ctx)
        case Hits():
            return await hits_answer(command, ctx)


def answer_to_dicts(answer: Answer) -> list[dict[str, Any]]:
    """The answer's blocks as JSON-ready dicts, for `chat.postMessage` / `respond`."""
    return [block.to_dict() for block in answer.blocks]
