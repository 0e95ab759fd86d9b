"""`admins`, `admins @group` and `admins none`: who, besides workspace admins, may change
alerts, digests and webhooks."""

from __future__ import annotations

from bot.grammar.arguments import Arguments
from bot.grammar.commands import Admins
from bot.grammar.grammar import subcommand

_NONE = frozenset({"none", "nobody", "clear", "off"})


@subcommand(
    "admins",
    usage="admins [@user-group | none]",
    summary="the user group that may change alerts, digests and webhooks, besides admins",
    example="admins @growth-leads",
)
def _admins(args: Arguments) -> Admins:
    words = args.words()
    args.finish()
    if not words:
        return Admins()
    if len(words) > 1:
        raise args.error("`admins` takes one user group, like `@growth-leads`, or `none`.")
    (word,) = words
    if word.key in _NONE:
        return Admins(clear=True)
    target = word.target or ""
    group_id = target.removeprefix("!subteam^") if target.startswith("!subteam^") else None
    handle = word.text.removeprefix("@").strip()
    if not handle:
        raise args.error("`admins` takes a user group, like `@growth-leads`, or `none`.")
    return Admins(handle=handle, group_id=group_id)
