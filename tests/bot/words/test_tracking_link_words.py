"""Plain words that ask to make, pause or resume a tracking link: never done from words, but
answered with the slash command to type (one the grammar reads)."""

from __future__ import annotations

import pytest

from bot.grammar import Help, LinkStatus, Shorten, parse
from bot.words import UseSlash, understand
from tests.bot.words.test_reader import BOOK

CASES = [
    ("shorten https://example.com/a", "shorten https://example.com/a"),
    (
        "<@U0BOT> shorten https://example.com/a name spring-x",
        "shorten https://example.com/a name spring-x",
    ),
    ("can you shorten <https://example.com/a|example.com/a>?", "shorten example.com/a"),
    ("please shorten example.com/spring for me", "shorten example.com/spring"),
    ("shorten this for me", "help shorten"),
    ("pause spring-sale-mobile", "link pause spring-sale-mobile"),
    ("please pause the spring-sale-mobile link", "link pause spring-sale-mobile"),
    ("resume blog-post-pro", "link resume blog-post-pro"),
    ("unpause blog-post-pro please", "link resume blog-post-pro"),
    ("pause a link", "help link"),
    # Alerts are muted, not paused: the alert's own command.
    ("pause alert 3", "alert mute 3 2h"),
    ("resume alert 3", "alert unmute 3"),
]


@pytest.mark.parametrize(("text", "command"), CASES)
def test_link_changes_get_the_slash_command(text: str, command: str) -> None:
    assert understand(text, BOOK) == UseSlash(command)
    assert isinstance(parse(command), Shorten | LinkStatus | Help) or command.startswith("alert")
