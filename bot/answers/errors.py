"""What went wrong, as an answer: the problem and what to type instead, never a traceback."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.grammar import CommandError
from bot.resolve import ResolveError
from clickmeter import (
    AuthenticationError,
    ClickMeterError,
    NotFoundError,
    RateLimitedError,
    UnsupportedTimeframeError,
    ValidationError,
)
from messages import Message, context, escape, make, section

HELP_HINT = "Type `/clickmeter help` for every command."


def _clickmeter_hint(error: ClickMeterError) -> str:
    if isinstance(error, UnsupportedTimeframeError):
        return "See `/clickmeter help timeframes` for the ones you can type."
    if isinstance(error, NotFoundError):
        return "Find ids with `/clickmeter links` or `/clickmeter groups`."
    if isinstance(error, RateLimitedError) and error.retry_after:
        return f"ClickMeter asked to wait {max(round(error.retry_after), 1):,} s."
    if isinstance(error, ValidationError) and error.errors:
        # ClickMeter's own words on what it refused (already scrubbed of the key by the client).
        first = error.errors[0]
        what = " ".join(p for p in (first.property, first.error_message) if p)
        return escape(f"ClickMeter said: {what[:200]}") if what else HELP_HINT
    if isinstance(error, AuthenticationError):
        return "Nothing you typed caused this."
    return HELP_HINT


def error_answer(error: CommandError | ClickMeterError | ResolveError) -> Message:
    """A short, friendly message for `error`: what went wrong and what to type instead."""
    if isinstance(error, CommandError):
        # The parser's message is mrkdwn already, with the user's text escaped.
        body, hint = f":thinking_face: {error.message}", HELP_HINT
        if error.suggestion and f"/clickmeter {error.suggestion}" not in error.message:
            hint = f"Try `/clickmeter {error.suggestion}` · {HELP_HINT}"
    elif isinstance(error, ResolveError):
        body, hint = f":mag: {error.message}", HELP_HINT
    else:
        body = f":warning: {escape(error.user_message)}"
        hint = _clickmeter_hint(error)
    blocks: list[Block] = [section(body), context(hint)]
    return make(body, blocks, mrkdwn=True)
