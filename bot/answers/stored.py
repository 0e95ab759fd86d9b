"""What answers that read or change stored things (alerts, webhooks, digests) share: the
refusal that replaces doing the command, the database plus who is asking, and the channel a new
alert or digest posts to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from bot.answers.base import AnswerContext
from bot.grammar import ChannelRef
from messages import Message, context, make, section
from storage import Database


class Refusal(Exception):
    """What to answer instead of doing the command (no database, an unknown id...)."""

    def __init__(self, answer: Message) -> None:
        super().__init__(answer.text)
        self.answer = answer


def refusal(body: str, hint: str) -> Message:
    """A short problem answer: `body` and `hint` are escaped mrkdwn."""
    return make(body, [section(body), context(hint)], mrkdwn=True)


def one_line(line: str) -> Message:
    """A refusal that is one line (who may do what was asked: `bot.permissions`)."""
    return make(line, [section(line)], mrkdwn=True)


def refuse(body: str, hint: str) -> NoReturn:
    raise Refusal(refusal(body, hint))


@dataclass(frozen=True)
class Where:
    """The database and who is asking, for a command that needs them."""

    db: Database
    team_id: str
    user_id: str


def where(ctx: AnswerContext, *, things: str = "alerts", emoji: str = ":no_bell:") -> Where:
    """The storage and the Slack context, or a Refusal saying what is missing; `things` names
    what the command is about ("alerts", "digests") in the refusal."""
    if ctx.db is None:
        refuse(
            f"{emoji} {things.capitalize()} aren't set up on this clickbot: it has no database.",
            "Whoever runs clickbot can turn them on by setting `DATABASE_URL` "
            "(SQLite by default) and restarting it.",
        )
    if not ctx.team_id or not ctx.user_id:
        refuse(
            ":thinking_face: I can't tell which Slack workspace this came from, "
            f"so I can't look up its {things}.",
            "Type the command again in Slack.",
        )
    return Where(ctx.db, ctx.team_id, ctx.user_id)


def target_channel(named: ChannelRef | None, ctx: AnswerContext, things: str, example: str) -> str:
    """The channel `named` by `to #channel`, else the one the command was typed in; a Refusal
    when that is a direct message or unknown. The refusal says `things` ("Alerts") go to a
    channel and shows `example`, a whole command ending in `to #marketing`."""
    if named is not None:
        return named.id
    channel = ctx.channel_id or ""
    if not channel or channel.startswith("D"):
        refuse(
            f":thinking_face: {things} go to a channel, and I can't post them in this "
            "conversation.",
            f"Add `to #channel`, e.g. `{example}`, or type the command in that channel.",
        )
    return channel
