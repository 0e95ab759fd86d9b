"""The read-only subcommands: help, stats, top, links, link, group, groups, hits.

Each is the `@subcommand` function that reads its command (a frozen dataclass of `commands`)
from its `Arguments`.
"""

from __future__ import annotations

from bot.grammar import grammar
from bot.grammar.arguments import Arguments, NameRef
from bot.grammar.commands import (
    DEFAULT_HITS,
    HELP_TOPICS,
    MAX_HITS,
    Group,
    Groups,
    Help,
    Hits,
    Link,
    Links,
    LinkStatus,
    Stats,
    Top,
)
from bot.grammar.grammar import subcommand
from bot.grammar.suggest import closest, code
from bot.grammar.tokens import Word
from bot.grammar.tracking_links import STATUS_WORDS, parse_link_status
from clickmeter import Timeframe

# ClickMeter's `/reports` refuses these (of the ones users can type); saying so here beats the
# client's generic refusal after the fact.
_NOT_FOR_TOP = frozenset({Timeframe.TODAY, Timeframe.CURRENT_YEAR})


# --- subcommands (help lists them in this order) ----------------------------------------------


@subcommand("help", usage="help [topic]", summary="what you can ask me", example="help top")
def _help(args: Arguments) -> Help:
    words = args.words()
    args.finish()
    if not words:
        return Help()
    topics = [*grammar.SUBCOMMANDS, *HELP_TOPICS]
    first = words[0].key or ""
    if len(words) == 1 and first in topics:
        return Help(first)
    guess = first if first in topics else closest(words[0].text, topics)
    raise args.error(
        f"There's no help on {code(' '.join(w.text for w in words))}; topics: {', '.join(topics)}.",
        (1, len(words), guess) if guess else None,  # only words are left: they are contiguous
    )


@subcommand(
    "stats",
    usage="stats [timeframe]",
    summary="account clicks vs the period before",
    example="stats {tf}",
)
def _stats(args: Arguments) -> Stats:
    timeframe = args.timeframe()
    args.finish()
    return Stats(timeframe)


@subcommand(
    "top",
    usage="top <report> [timeframe] [link <id|name> | group <id|name>]",
    summary="the top countries, referrers, browsers... of the account, a link or a group",
    example="top countries {tf}",
)
def _top(args: Arguments) -> Top:
    link = args.keyword("link", "a link id or name")
    group = args.keyword("group", "a group id or name")
    if link is not None and group is not None:
        raise args.error("`top` reads one link or one group, not both.")
    report = args.report()
    timeframe = args.timeframe()
    if timeframe.period.timeframe in _NOT_FOR_TOP:
        raise args.error(
            f"TOP reports can't cover {code(timeframe.typed or '')}: ClickMeter doesn't offer "
            f"them for it. Try `yesterday`, `7d`, `this-month` or a range of days."
        )
    args.finish()
    return Top(
        report,
        timeframe,
        link=NameRef(link.text, link.quoted) if link else None,
        group=NameRef(group.text, group.quoted) if group else None,
    )


@subcommand(
    "links",
    usage="links [timeframe] [search words] [tag <tag>]",
    summary="your busiest links, optionally matching words or a tag",
    example="links {tf} spring",
)
def _links(args: Arguments) -> Links:
    tag = args.keyword("tag", "a tag name")
    timeframe = args.timeframe()
    search = " ".join(w.text for w in args.words() if w.text)
    args.finish()
    return Links(timeframe, search, tag.text if tag else None)


@subcommand(
    "link",
    usage="link <id|name> [timeframe] | link pause|resume <id|name>",
    summary="one link's clicks; pause or resume it (workspace admins and the admin group)",
    example="link spring-sale {tf}",
)
def _link(args: Arguments) -> Link | LinkStatus:
    left = args.left()
    if left and isinstance(first := left[0][1], Word) and first.key in STATUS_WORDS:
        return parse_link_status(args, first, left[0][0])
    name = args.name("a link id or name")
    timeframe = args.timeframe()
    args.finish()
    return Link(name, timeframe)


@subcommand(
    "group",
    usage="group <id|name> [timeframe]",
    summary="one group's clicks",
    example="group newsletters {tf}",
)
def _group(args: Arguments) -> Group:
    name = args.name("a group id or name")
    timeframe = args.timeframe()
    args.finish()
    return Group(name, timeframe)


@subcommand("groups", usage="groups [timeframe]", summary="your groups", example="groups {tf}")
def _groups(args: Arguments) -> Groups:
    timeframe = args.timeframe()
    args.finish()
    return Groups(timeframe)


@subcommand(
    "hits",
    usage=f"hits <link> [1-{MAX_HITS}]",
    summary="a link's latest clicks",
    example="hits spring-sale 20",
)
def _hits(args: Arguments) -> Hits:
    name = args.name("a link id or name")
    count = args.count(1, MAX_HITS, DEFAULT_HITS)
    args.finish()
    return Hits(name, count)
