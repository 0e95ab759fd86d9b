"""From the text a user typed to the message they get back, whatever happens on the way.

Every outcome is an `Message`: a result, a "you typed something wrong" with what to type
instead, a "ClickMeter is unhappy" with what to do, or, for our own bugs, an apology with a
reference that matches the log line. Nothing raises to Bolt.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from sqlalchemy.exc import SQLAlchemyError

from bot.answers import AnswerContext, answer, error_answer
from bot.answers.connect import not_connected_answer
from bot.grammar import SUBCOMMANDS, CommandError, Help, ReadingCommand, parse
from bot.metrics import COMMANDS
from bot.permissions import Gate, NotAllowed
from bot.resolve import ResolveError
from bot.services import Services
from bot.shares import SharedAnswer
from clickmeter import ClickMeterError
from messages import Message

log = logging.getLogger(__name__)

SHARE_ACTION = "share_answer"


@dataclass(frozen=True)
class Origin:
    """Where a command came from in Slack: alert commands are scoped by workspace (`team_id`),
    remember who made a rule (`user_id`) and send alerts to the channel typed in by default."""

    team_id: str | None = None
    user_id: str | None = None
    channel_id: str | None = None
    #: Who may change what for this user (None: nothing can be checked, changes are refused).
    gate: Gate | None = None


async def compute_answer(
    text: str, services: Services, origin: Origin | None = None
) -> tuple[Message, bool]:
    """The answer to `text`, and whether it is a result worth sharing (not an error).

    Only answers to reading commands are shareable: the others (`alert ...`) change rules (a
    Share click re-runs the command when its answer is no longer kept) or show a webhook's
    secret. They get the database, which reading commands never need."""
    origin = origin or Origin()
    result, outcome, reading = await _answer(text, services, origin)
    COMMANDS.labels(_subcommand(text), outcome).inc()
    return result, outcome == "answered" and reading


def _subcommand(text: str) -> str:
    """The subcommand typed, as a metrics label (a bounded set: never the user's own words)."""
    first = (text.split() or ["help"])[0].lower()
    return first if first in SUBCOMMANDS else "unknown"


async def _answer(text: str, services: Services, origin: Origin) -> tuple[Message, str, bool]:
    """The answer, its outcome (answered, user_error, api_error or bug), and whether the
    command only reads."""
    try:
        command = parse(text)
        reading = isinstance(command, ReadingCommand)
        client = await services.clickmeter_for(origin.team_id)
        if client is None and not isinstance(command, Help):
            return not_connected_answer(), "user_error", False
        ctx = AnswerContext(
            client=client or services.clickmeter,
            now=services.pinned_now(),
            team_id=origin.team_id,
            user_id=origin.user_id,
            channel_id=origin.channel_id,
            db=None if reading else await services.storage(),
            poll_seconds=services.poll_seconds,
            webhook_policy=services.webhook_policy,
            gate=origin.gate,
        )
        return await answer(command, ctx), "answered", reading
    except NotAllowed as refused:
        return refusal_answer(refused), "user_error", False
    except (CommandError, ResolveError) as exc:
        return error_answer(exc), "user_error", False
    except ClickMeterError as exc:
        return error_answer(exc), "api_error", False
    except SQLAlchemyError:
        reference = secrets.token_hex(4)
        log.exception("the alert database failed answering a command (ref %s)", reference)
        return storage_error_answer(reference), "bug", False
    except Exception:
        reference = secrets.token_hex(4)
        log.exception("unexpected failure answering a command (ref %s)", reference)
        return internal_error_answer(reference), "bug", False


def refusal_answer(refused: NotAllowed) -> Message:
    """The one line saying who may do what was asked (or that Slack could not say)."""
    return Message(text=refused.line, blocks=[SectionBlock(text=refused.line)])


def storage_error_answer(reference: str) -> Message:
    text = (
        ":warning: I can't reach the alert database right now, so nothing was changed. "
        f"Please try again in a minute (reference `{reference}`)."
    )
    return Message(text=text, blocks=[SectionBlock(text=text)])


def internal_error_answer(reference: str) -> Message:
    text = (
        ":warning: Something went wrong on clickbot's side while answering. It has been logged "
        f"(reference `{reference}`); please try again in a minute."
    )
    return Message(text=text, blocks=[SectionBlock(text=text)])


def share_button_value(key: str, command_text: str) -> str:
    """The button carries the stored answer's key and, for after a restart, the command."""
    return json.dumps({"k": key, "t": command_text[:1500]}, ensure_ascii=False)


def read_share_button_value(value: str) -> tuple[str, str]:
    try:
        data = json.loads(value)
        return str(data.get("k", "")), str(data.get("t", ""))
    except (ValueError, AttributeError):
        return "", ""


async def build_reply(text: str, services: Services, origin: Origin | None = None) -> Message:
    """The reply to `text`, with the Share in channel button when it is a result."""
    result, shareable = await compute_answer(text, services, origin)
    if not shareable:
        return result
    team_id = origin.team_id if origin is not None else None
    key = await services.shares.put(SharedAnswer(text, result.text, result.block_dicts()), team_id)
    button = ButtonElement(
        text="Share in channel",
        action_id=SHARE_ACTION,
        value=share_button_value(key, text),
    )
    return Message(result.text, [*result.blocks, ActionsBlock(block_id="share", elements=[button])])
