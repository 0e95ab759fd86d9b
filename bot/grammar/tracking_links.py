"""Making and pausing tracking links: `shorten <url> [name <n>] [group <g>] [tag <t> ...]` and
`link pause|resume <link>` (read by `link`'s parser in `reading`, which hands them here).

`check_destination` says, before ClickMeter is asked, what is wrong with a destination URL in
one sentence (not http or https, no host, too long, spaces), with a corrected URL when one is
guessable; `check_link_name` does the same for a link's name (the path of its tracking URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.grammar.arguments import Arguments, NameRef
from bot.grammar.commands import LinkStatus, Shorten
from bot.grammar.grammar import subcommand
from bot.grammar.suggest import code
from bot.grammar.tokens import Word
from clickmeter import MAX_DESTINATION_URL, MAX_LINK_NAME

#: The words after `link` that change a link instead of showing it.
STATUS_WORDS = {"pause": True, "resume": False, "unpause": False, "activate": False}
#: Tags one new link may get (ClickMeter has no limit; a command line should not need more).
MAX_TAGS = 10
# What ClickMeter takes in a name: it is the path of the tracking URL.
_NAME = re.compile(r"[A-Za-z0-9._~-]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


class BadInput(ValueError):
    """What is wrong (escaped mrkdwn), and the corrected text when one is guessable."""

    def __init__(self, problem: str, replacement: str | None = None) -> None:
        super().__init__(problem)
        self.problem, self.replacement = problem, replacement


def check_destination(url: str) -> str:
    """`url` as a tracking link's destination (a scheme-less `example.com/a` gets https://),
    or BadInput saying why ClickMeter could not send clicks there."""
    url = url.strip()
    if any(c.isspace() for c in url):
        raise BadInput("A URL can't have spaces; encode them as `%20`.", url.replace(" ", "%20"))
    scheme = _SCHEME.match(url)
    if scheme is None:
        if ":" in url.split("/", 1)[0] and not url.split("/", 1)[0].rsplit(":", 1)[1].isdigit():
            raise BadInput(
                f"{code(url)} isn't a web address: tracking links go to `http://` or "
                "`https://` URLs."
            )
        return check_destination(f"https://{url}")
    if scheme.group(1).lower() not in ("http", "https"):
        raise BadInput(
            f"{code(url)} isn't a web address: tracking links go to `http://` or `https://` "
            "URLs, not `" + scheme.group(1).lower() + "://`."
        )
    if len(url) > MAX_DESTINATION_URL:
        raise BadInput(
            f"That URL is {len(url):,} characters; ClickMeter takes destinations of up to "
            f"{MAX_DESTINATION_URL:,}. Shorten its query string first."
        )
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        raise BadInput(
            f"{code(url)} has no host to send clicks to; give a whole address like "
            "`https://example.com/spring`."
        )
    if "." not in host.strip("."):
        raise BadInput(
            f"{code(host)} isn't a public web address, so the people clicking could not reach "
            "it; give a whole address like `https://example.com/spring`."
        )
    return url


def check_link_name(name: str) -> str:
    """`name` as a new link's name, or BadInput with a corrected one when guessable."""
    if len(name) > MAX_LINK_NAME:
        raise BadInput(
            f"Link names have up to {MAX_LINK_NAME} characters; that one has {len(name)}."
        )
    if not _NAME.fullmatch(name):
        fixed = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._~-]", "-", name)).strip("-")
        raise BadInput(
            f"{code(name)} can't be a link name: it becomes the tracking URL's path, so it "
            "takes letters, digits, `-`, `_`, `.` and `~`.",
            fixed or None,
        )
    return name


def _tags(args: Arguments) -> tuple[str, ...]:
    # `tag` may come several times (`tag email tag spring`), which `Arguments.keyword` refuses.
    args.expect(["tag"])
    left = args.left()
    tags: list[str] = []
    taken: set[int] = set()
    for pos, (index, token) in enumerate(left):
        if not (isinstance(token, Word) and token.key == "tag") or index in taken:
            continue
        after = left[pos + 1] if pos + 1 < len(left) else None
        if after is None or not isinstance(after[1], Word) or after[1].key == "tag":
            raise args.error("`tag` needs a tag name after it, like `tag email`.")
        text = after[1].text.strip()
        if not text:
            raise args.error('`tag` needs a tag name, and `""` is empty.')
        if text.casefold() not in {t.casefold() for t in tags}:
            tags.append(text)
        taken |= {index, after[0]}
    if len(tags) > MAX_TAGS:
        raise args.error(f"A new link takes up to {MAX_TAGS} tags; you gave {len(tags)}.")
    args.take(taken)
    return tuple(tags)


@subcommand(
    "shorten",
    usage="shorten <url> [name <name>] [group <id|name>] [tag <tag> ...]",
    summary="make a tracking link to a URL (workspace admins and the admin group)",
    example="shorten https://example.com/spring name spring-slack group newsletters",
)
def _shorten(args: Arguments) -> Shorten:
    name = args.keyword("name", "the new link's name")
    group = args.keyword("group", "a group id or name")
    tags = _tags(args)
    left = [(i, t) for i, t in args.left() if isinstance(t, Word)]
    if not left:
        raise args.error("`shorten` needs the URL the tracking link should lead to.")
    index, token = left[0]
    # Slack sends a typed URL as a link whose target is the URL; when no scheme was typed it
    # adds `http://`, where the page most likely is `https://`: then the typed words decide.
    typed = token.target if token.target and "://" in token.text else token.text
    try:
        url = check_destination(typed)
    except BadInput as bad:
        fix = (index, 1, bad.replacement) if bad.replacement else None
        raise args.error(bad.problem, fix) from None
    try:
        checked_name = check_link_name(name.text) if name is not None else None
    except BadInput as bad:
        tip = f" Try `name {bad.replacement}`." if bad.replacement else ""
        raise args.error(bad.problem + tip) from None
    args.take({index})
    args.finish()
    return Shorten(
        url,
        checked_name,
        NameRef(group.text, group.quoted) if group is not None else None,
        tags,
    )


@dataclass(frozen=True, slots=True)
class _Action:
    """What errors of `link pause` / `link resume` show: their own usage and example."""

    name: str
    usage: str
    template: str

    def example(self, timeframe: str = "last30") -> str:
        return self.template


def parse_link_status(args: Arguments, word: Word, index: int) -> LinkStatus:
    """`link pause <link>` / `link resume <link>`, `word` being the action at token `index`."""
    args.take({index})
    pause = STATUS_WORDS[word.key or ""]
    action = "pause" if pause else "resume"
    args.narrow(_Action(f"link {action}", f"link {action} <id|name>", f"link {action} spring-sale"))
    if not [t for _, t in args.left() if isinstance(t, Word)]:
        raise args.error(
            f"`link {action}` needs a link id or name, like `link {action} spring-sale`. "
            f'If the link is called {code(word.text)}, quote it: `link "{word.text}"`.'
        )
    link = args.name("a link id or name")
    args.finish()
    return LinkStatus(link, pause)
