"""Answers to `/clickmeter` commands: a parsed `Command` in, a Block Kit `Message` out.

One module per subcommand; this one dispatches. `answer` may raise `ClickMeterError` (and
`ResolveError` for names that are not exactly one link or group); `error_answer` turns those
and `CommandError` into a message saying what to type instead.
"""

from __future__ import annotations

from bot.answers.admins import admins_answer
from bot.answers.alert_add import add_answer
from bot.answers.alerts import (
    list_answer,
    mute_answer,
    remove_answer,
    sample_answer,
    unmute_answer,
)
from bot.answers.base import AnswerContext
from bot.answers.digests import digest_answer
from bot.answers.errors import error_answer
from bot.answers.groups import group_answer, groups_answer
from bot.answers.help import help_answer
from bot.answers.hits import hits_answer
from bot.answers.link import link_answer
from bot.answers.links import links_answer
from bot.answers.stats import stats_answer
from bot.answers.stored import Refusal, one_line
from bot.answers.top import top_answer
from bot.answers.tracking_links import link_status_answer, shorten_answer
from bot.answers.webhooks import webhook_add_answer, webhook_list_answer, webhook_remove_answer
from bot.grammar import (
    Admins,
    AlertAdd,
    AlertCommand,
    AlertList,
    AlertMute,
    AlertRemove,
    AlertTest,
    AlertUnmute,
    Command,
    DigestAdd,
    DigestList,
    DigestPreview,
    DigestRemove,
    Group,
    Groups,
    Help,
    Hits,
    Link,
    Links,
    LinkStatus,
    Shorten,
    Stats,
    Top,
    WebhookAdd,
    WebhookList,
    WebhookRemove,
)
from bot.permissions import NotAllowed
from messages import Message

__all__ = [
    "AnswerContext",
    "Message",
    "alert_answer",
    "answer",
    "error_answer",
]


async def answer(command: Command, ctx: AnswerContext) -> Message:
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
        case (
            AlertAdd()
            | AlertList()
            | AlertRemove()
            | AlertMute()
            | AlertUnmute()
            | AlertTest()
            | WebhookAdd()
            | WebhookList()
            | WebhookRemove()
        ):
            return await alert_answer(command, ctx)
        case DigestAdd() | DigestList() | DigestRemove() | DigestPreview():
            return await digest_answer(command, ctx)
        case Admins():
            try:
                return await admins_answer(command, ctx)
            except Refusal as refusal:
                return refusal.answer
            except NotAllowed as refused:
                return one_line(refused.line)
        case Shorten() | LinkStatus():
            try:
                if isinstance(command, Shorten):
                    return await shorten_answer(command, ctx)
                return await link_status_answer(command, ctx)
            except NotAllowed as refused:
                return one_line(refused.line)


async def alert_answer(command: AlertCommand, ctx: AnswerContext) -> Message:
    """The answer to an `alert ...` command: what was done, or why it could not be."""
    try:
        match command:
            case AlertAdd():
                return await add_answer(command, ctx)
            case AlertList():
                return await list_answer(command, ctx)
            case AlertRemove():
                return await remove_answer(command, ctx)
            case AlertMute():
                return await mute_answer(command, ctx)
            case AlertUnmute():
                return await unmute_answer(command, ctx)
            case AlertTest():
                return await sample_answer(command, ctx)
            case WebhookAdd():
                return await webhook_add_answer(command, ctx)
            case WebhookList():
                return await webhook_list_answer(command, ctx)
            case WebhookRemove():
                return await webhook_remove_answer(command, ctx)
    except Refusal as refusal:
        return refusal.answer
    except NotAllowed as refused:
        return one_line(refused.line)
