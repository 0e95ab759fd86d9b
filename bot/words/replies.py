"""What the bot says to a question it does not run: a change, or words it did not understand.

Pure: each returns the `Message` to post in the question's thread. Changes are never made from
plain words (a mention is read by the whole channel, and a sentence is too loose to delete an
alert by): the reply is the slash command to type, where permissions are checked as always.
Nor are visitors' IP addresses posted in a channel's thread: the slash command answers them
privately.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.grammar.suggest import code
from bot.grammar.tokens import unescape
from messages import Message, context, make, section

#: What to ask, shown under every reply that is not an answer.
EXAMPLES = (
    "Ask me things like _how did spring-sale do yesterday?_, _top countries this month for the "
    "newsletter group_ or _what are my links_, or say _help_."
)


def slash(command: str) -> str:
    """`/clickmeter <command>` as inline code (`command` as Slack sends text: escaped)."""
    return code(f"/clickmeter {unescape(command)}", limit=None)


def use_slash_answer(command: str) -> Message:
    """A change asked for in words: the slash command that makes it."""
    body = (
        ":point_right: I only answer questions here; changes go through the slash command, "
        f"which checks who may make them. Try {slash(command)} (edit it to fit)."
    )
    return make(body, [section(body), context(EXAMPLES)], mrkdwn=True)


def not_understood_answer(unknown: Sequence[str], suggestion: str) -> Message:
    """Words not understood: which, and the closest command to what was."""
    words = code(" ".join(unknown))
    body = f":thinking_face: I didn't catch {words}. Did you mean {slash(suggestion)}?"
    return make(body, [section(body), context(EXAMPLES)], mrkdwn=True)


def ask_privately_answer(command: str) -> Message:
    """A question whose answer is personal data (visitors' IP addresses), asked in a channel."""
    body = (
        ":lock: Visitors' IP addresses are personal data, so I don't post them in a channel. "
        f"Ask with {slash(command)}: only you see its answer (or ask me in a direct message)."
    )
    return make(body, [section(body), context(EXAMPLES)], mrkdwn=True)
