"""`shorten` and `link pause|resume`: what each phrasing parses to, and the one sentence each
bad URL, name or clause gets (with the corrected command when one is guessable)."""

from __future__ import annotations

import html

import pytest

from bot.grammar import (
    SUBCOMMANDS,
    CommandError,
    Link,
    LinkStatus,
    NameRef,
    Shorten,
    parse,
)
from bot.grammar.tracking_links import BadInput, check_destination, check_link_name


def error(text: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        parse(text)
    return caught.value


def plain(message: str) -> str:
    return html.unescape(message)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("shorten https://example.com/a", Shorten("https://example.com/a")),
        ("SHORTEN http://example.com", Shorten("http://example.com")),
        # Slack sends typed URLs as links: the target when a scheme was typed...
        (
            "shorten <https://example.com/a?x=1&amp;y=2>",
            Shorten("https://example.com/a?x=1&y=2"),
        ),
        # ...and https:// in front of what was typed when none was (Slack puts http://).
        ("shorten <http://example.com/sale|example.com/sale>", Shorten("https://example.com/sale")),
        ("shorten example.com/sale", Shorten("https://example.com/sale")),
        ("shorten example.com:8080/x", Shorten("https://example.com:8080/x")),
        (
            "shorten https://example.com name spring-slack",
            Shorten("https://example.com", "spring-slack"),
        ),
        (
            "shorten name spring-slack https://example.com",
            Shorten("https://example.com", "spring-slack"),
        ),
        (
            'shorten https://example.com group "Spring sale"',
            Shorten("https://example.com", group=NameRef("Spring sale", quoted=True)),
        ),
        (
            "shorten https://example.com group 189611",
            Shorten("https://example.com", group=NameRef("189611")),
        ),
        (
            "shorten https://example.com tag email tag spring TAG Email",
            Shorten("https://example.com", tags=("email", "spring")),
        ),
        (
            "shorten tag a https://example.com name n.1_x~y group g tag b",
            Shorten("https://example.com", "n.1_x~y", NameRef("g"), ("a", "b")),
        ),
        ("link pause spring-sale", LinkStatus(NameRef("spring-sale"), pause=True)),
        ("link PAUSE 2027401", LinkStatus(NameRef("2027401"), pause=True)),
        ("link resume spring-sale", LinkStatus(NameRef("spring-sale"), pause=False)),
        ("link unpause spring-sale", LinkStatus(NameRef("spring-sale"), pause=False)),
        ('link pause "Spring sale"', LinkStatus(NameRef("Spring sale", quoted=True), True)),
        # A link named like the action stays readable, quoted.
        ('link "pause"', Link(NameRef("pause", quoted=True))),
    ],
)
def test_parses(text: str, command: object) -> None:
    assert parse(text) == command


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("shorten", "`shorten` needs the URL the tracking link should lead to."),
        ("shorten ftp://example.com/f", "isn't a web address"),
        ("shorten mailto:a@example.com", "isn't a web address"),
        ("shorten javascript:alert(1)", "isn't a web address"),
        ("shorten https://", "has no host to send clicks to"),
        ("shorten https://intranet/x", "`intranet` isn't a public web address"),
        ("shorten localhost", "`localhost` isn't a public web address"),
        ("shorten https://a.com https://b.com", "I don't know what to do with `https://b.com`"),
        ("shorten https://a.com tag", "`tag` needs a tag name after it"),
        ("shorten https://a.com tag tag", "`tag` needs a tag name after it"),
        ("shorten https://a.com name", "`name` needs the new link's name after it"),
        ("shorten https://a.com name a name b", "`shorten` takes `name` once."),
        ("shorten https://a.com group", "`group` needs a group id or name after it"),
        ('shorten https://a.com name "spring sale"', "Try `name spring-sale`."),
        ("shorten https://a.com name " + "n" * 101, "Link names have up to 100 characters"),
        (
            "shorten https://a.com " + " ".join(f"tag t{i}" for i in range(11)),
            "A new link takes up to 10 tags; you gave 11.",
        ),
        ("shorten https://example.com/" + "a" * 1000, "a URL this long can't be shortened"),
        ("link pause", "`link pause` needs a link id or name"),
        ("link resume 7d", "`link resume` needs a link id or name"),
        ("link pause a b", "I don't know what to do with `b` in `link pause`"),
    ],
)
def test_errors_say_what_is_wrong(text: str, says: str) -> None:
    message = plain(error(text).message)
    assert says in message
    assert "/clickmeter" in message or "Try" in message or "Drop" in message


def test_a_url_with_a_space_is_offered_encoded() -> None:
    caught = error('shorten "https://example.com/a b"')
    assert "can't have spaces" in caught.message
    assert caught.suggestion == "shorten https://example.com/a%20b"
    assert parse(caught.suggestion) == Shorten("https://example.com/a%20b")


@pytest.mark.parametrize(
    ("typed", "guess"),
    [
        ("shortn https://x.com", "shorten https://x.com"),
        ("short https://x.com", "shorten https://x.com"),
        ("shorturl https://x.com", "shorten https://x.com"),
        ("pause spring-sale", "link pause spring-sale"),
        ("resume spring-sale", "link resume spring-sale"),
    ],
)
def test_near_misses_suggest_the_command(typed: str, guess: str) -> None:
    caught = error(typed)
    assert caught.suggestion == guess
    parse(guess)


def test_check_destination_limits() -> None:
    assert check_destination("https://example.com/" + "a" * 1980).startswith("https://")
    with pytest.raises(BadInput, match="2,001 characters"):
        check_destination("https://example.com/" + "a" * 1981)
    with pytest.raises(BadInput, match="has no host"):
        check_destination("http:///path")


@pytest.mark.parametrize(
    ("name", "fixed"),
    [("spring sale", "spring-sale"), ("a/b", "a-b"), ("sale!!", "sale"), ("ü!", None)],
)
def test_check_link_name_offers_a_fix(name: str, fixed: str | None) -> None:
    with pytest.raises(BadInput) as caught:
        check_link_name(name)
    assert caught.value.replacement == fixed


def test_help_order_keeps_alert_last_and_lists_shorten() -> None:
    names = list(SUBCOMMANDS)
    assert "shorten" in names
    assert names[-1] == "alert"
    parse(SUBCOMMANDS["shorten"].example())
