"""Plain-words questions -> the `/clickmeter` command answering them: table-driven and pure."""

from __future__ import annotations

import pytest

from bot.grammar import CommandError, Help, parse
from bot.listeners.commands.connect import is_connect_command
from bot.words import Answer, NameBook, NotUnderstood, UseSlash, understand
from bot.words.reader import READ_ONLY, name_arg

#: Names like the seeded sandbox account's.
LINKS = (
    "spring-sale-garden",
    "spring-sale-mobile",
    "spring-sale-outdoor",
    "digest-audio",
    "blog-post-pro",
    "webinar-analytics",
    "show-notes-q1",
    "how-to-outdoor",
    "newsletter-q1",
    "xmas-team",
    "reseller-outdoor",
    "reseller-outdoor-27",
)
GROUPS = ("Spring Sale", "Weekly Newsletter", "Blog", "Black Friday", "Podcast", "Holiday Gifts")
BOOK = NameBook(LINKS, GROUPS)

ANSWERS = [
    # the task's own examples
    ("how did spring-sale do yesterday?", 'group "Spring Sale" yesterday'),
    (
        "top countries this month for the newsletter group",
        'top countries this-month group "Weekly Newsletter"',
    ),
    ("clicks last week", "stats 7d"),
    ("what are my links", "links"),
    ("show hits for spring-sale-garden", "hits spring-sale-garden"),
    ("alerts", "alert list"),
    ("help", "help"),
    # help
    ("Help!", "help"),
    ("help me please", "help"),
    ("what can you do?", "help"),
    ("how do I use you", "help"),
    ("help top", "help top"),
    ("help with top please", "help top"),
    ("", "help"),
    ("<@U0CLICKBOT>", "help"),
    # account totals, any timeframe wording
    ("visits today", "stats today"),
    ("clicks yesterday", "stats yesterday"),
    ("how many clicks this month?", "stats this-month"),
    ("Clicks, LAST WEEK?!", "stats 7d"),
    ("traffic over the past week", "stats 7d"),
    ("stats for the last 7 days", "stats 7d"),
    ("how many visits in the past 30 days", "stats 30d"),
    ("numbers for the last 3 months", "stats 90d"),
    ("clicks last quarter", "stats 90d"),
    ("clicks last month", "stats last-month"),
    ("clicks in the previous month", "stats last-month"),
    ("clicks this year", "stats this-year"),
    ("total clicks of all time", "stats all"),
    ("how are we doing", "stats"),
    ("how are we doing today?", "stats today"),
    ("yesterday?", "stats yesterday"),
    ("this week", "stats 7d"),
    ("clicks from 2026-11-01 to 2026-11-15", "stats 2026-11-01..2026-11-15"),
    ("clicks 2026-11-01..2026-11-15", "stats 2026-11-01..2026-11-15"),
    ("clicks on 2026-11-03", "stats 2026-11-03"),
    ("visits so far this month", "stats this-month"),
    ("clickz yesterday", "stats yesterday"),
    ("clicks yesterdy", "stats yesterday"),
    # one link or group
    ("<@U0CLICKBOT> how did spring-sale-garden do yesterday?", "link spring-sale-garden yesterday"),
    ("how is webinar-analytics performing", "link webinar-analytics"),
    ("how did webinar-analytics do last month", "link webinar-analytics last-month"),
    ("clicks for blog-post-pro this week", "link blog-post-pro 7d"),
    ("spring sale garden yesterday", "link spring-sale-garden yesterday"),
    ("how did Spring Sale Garden do", "link spring-sale-garden"),
    ("how did sprng-sale-garden do", "link spring-sale-garden"),
    ("blog-post-pro's clicks", "link blog-post-pro"),
    ("show notes q1 yesterday", "link show-notes-q1 yesterday"),
    ("how to outdoor last week", "link how-to-outdoor 7d"),
    ("reseller-outdoor-27 today", "link reseller-outdoor-27 today"),
    ("stats for the podcast group", "group Podcast"),
    ("group podcast all time", "group Podcast all"),
    ("how is the black friday campaign doing", 'group "Black Friday"'),
    ('"Weekly Newsletter" this month', 'group "Weekly Newsletter" this-month'),
    ("the holiday group this week", 'group "Holiday Gifts" 7d'),
    ("link digest-audio", "link digest-audio"),
    ("how did the newsletter group do yesterday", 'group "Weekly Newsletter" yesterday'),
    ("link newsletter yesterday", "link newsletter yesterday"),  # as typed: a prefix
    # TOP reports
    ("top countries", "top countries"),
    ("contries last week", "top countries 7d"),
    ("top referrers for blog-post-pro past week", "top referrers 7d link blog-post-pro"),
    ("browsers for the black friday campaign", 'top browsers group "Black Friday"'),
    ("where did our clicks come from last month", "top countries last-month"),
    ("top devices", "top devices"),
    ("which devices did people use yesterday", "top platforms yesterday"),
    ("top traffic sources this month", "top referrers this-month"),
    ("referrals for spring-sale-garden", "top referrers link spring-sale-garden"),
    ("best cities in the last 30 days", "top cities 30d"),
    ("operating systems for xmas-team", "top oss link xmas-team"),
    ("languages of the podcast group last week", "top languages 7d group Podcast"),
    ("top", "top countries"),
    ("breakdown by country for the blog group", "top countries group Blog"),
    ("how did sprung-sail-gardn do", "link spring-sale-garden"),
    ("top countries 30d", "top countries 30d"),
    # listings
    ("links", "links"),
    ("my links", "links"),
    ("list all my links", "links"),
    ("how many links do I have", "links"),
    ("top links this month", "links this-month"),
    ("busiest links last week", "links 7d"),
    ("links tagged promo", "links tag promo"),
    ("links with tag email this month", "links this-month tag email"),
    ("links about summer", "links summer"),
    ("links spring", "links spring"),
    ("what are my groups", "groups"),
    ("groups last month", "groups last-month"),
    ("my campaigns this year", "groups this-year"),
    ("my digests", "digest list"),
    ("show me the alerts", "alert list"),
    ("what alert rules do we have?", "alert list"),
    ("alert list", "alert list"),
    # a link's latest clicks
    ("last 20 clicks on spring sale garden", "hits spring-sale-garden 20"),
    ("latest 5 hits for spring-sale-garden", "hits spring-sale-garden 5"),
    ("recent clicks for blog-post-pro", "hits blog-post-pro"),
    ("who clicked xmas-team", "hits xmas-team"),
    ("hits blog-post-pro 30", "hits blog-post-pro 30"),
    ("show hits for spring-sale", "hits spring-sale"),  # several links: the resolver lists them
    # the slash grammar itself, typed to the bot
    ("stats 7d", "stats 7d"),
    ("link spring-sale-garden 30d", "link spring-sale-garden 30d"),
    ("top referrers 30d group Blog", "top referrers 30d group Blog"),
    ("/clickmeter stats yesterday", "stats yesterday"),
    ("stats all", "stats all"),
    ("link spring-sale-garden?", "link spring-sale-garden"),
    ("top 5 countries last week", "top countries 7d"),
    ("how many clicks did spring-sale-garden get", "link spring-sale-garden"),
    ("spring-sale-garden", "link spring-sale-garden"),
    ("how many people clicked blog-post-pro last week", "link blog-post-pro 7d"),
    ("what's the best link", "links"),
    ("best group this month", "groups this-month"),
    ("how many hits did we get today", "stats today"),
    ("what happened yesterday", "stats yesterday"),
    ("referrers for the Weekly Newsletter group?", 'top referrers group "Weekly Newsletter"'),
    ("what's up with spring-sale-garden", "link spring-sale-garden"),
    ("give me the numbers for yesterday", "stats yesterday"),
    ("any alerts?", "alert list"),
]

CHANGES = [
    ("alert me when spring-sale-garden spikes", "alert add link spring-sale-garden spike"),
    ("notify me about spikes on the podcast group", "alert add group Podcast spike"),
    ("create an alert", "alert add account spike"),
    ("set up an alert for blog-post-pro", "alert add link blog-post-pro spike"),
    ("mute alert 3", "alert mute 3 2h"),
    ("snooze alert 12 please", "alert mute 12 2h"),
    ("unmute alert 4", "alert unmute 4"),
    ("delete alert 7", "alert remove 7"),
    ("remove my alert", "alert remove 1"),
    ("webhooks", "alert webhook list"),
    ("add a webhook", "help alert"),
    ("set up a webhook please", "help alert"),
    ("connect", "connect"),
    ("connect my clickmeter account", "connect"),
    ("disconnect", "disconnect"),
    ("who are the admins", "admins"),
    ("send me a digest", "digest add daily at 09:00"),
    ("digest add daily at 09:00", "digest add daily at 09:00"),
    ("alert add link spring-sale-garden spike", "alert add link spring-sale-garden spike"),
    ("alert mute 3 1h", "alert mute 3 1h"),
]

NOT_UNDERSTOOD = [
    ("foo bar", ("foo", "bar"), "help"),
    ("thanks mate", ("thanks", "mate"), "help"),
    ("clicks for foo yesterday", ("foo",), "stats yesterday"),
    ("how did sprang-sail-grdn do", ("sprang-sail-grdn",), "link spring-sale-garden"),
    ("how did gardn-spring do", ("gardn-spring",), "stats"),
    ("hits", ("hits",), "hits spring-sale-garden"),
    ("recent clicks for", ("recent", "clicks", "for"), "hits spring-sale-garden"),
    ("what's the weather", ("weather",), "help"),
    ("top countries for zzzqqq", ("zzzqqq",), "top countries"),
    ("stats for the last 12 days", ("last", "12", "days"), "stats"),
    ("clicks in november", ("november",), "stats"),
]


@pytest.mark.parametrize(("text", "command"), ANSWERS)
def test_questions_become_read_only_commands(text: str, command: str) -> None:
    assert understand(text, BOOK) == Answer(command)
    assert isinstance(parse(command), READ_ONLY)


@pytest.mark.parametrize(("text", "command"), CHANGES)
def test_changes_get_the_slash_command_to_type(text: str, command: str) -> None:
    assert understand(text, BOOK) == UseSlash(command)
    if is_connect_command(command):
        return  # answered by the connect listener, not the grammar
    parsed = parse(command)  # a command that works as typed
    assert not isinstance(parsed, READ_ONLY) or parsed == Help("alert")


@pytest.mark.parametrize(("text", "unknown", "suggestion"), NOT_UNDERSTOOD)
def test_what_is_not_understood_gets_the_closest_command(
    text: str, unknown: tuple[str, ...], suggestion: str
) -> None:
    assert understand(text, BOOK) == NotUnderstood(unknown, suggestion)
    assert isinstance(parse(suggestion), READ_ONLY)


def test_there_are_many_phrasings() -> None:
    assert len(ANSWERS) + len(CHANGES) + len(NOT_UNDERSTOOD) >= 80


def test_with_a_partial_book_unknown_words_are_left_to_the_resolver() -> None:
    partial = NameBook(LINKS, GROUPS, complete=False)
    assert understand("clicks for summer-promo yesterday", partial) == Answer(
        "link summer-promo yesterday"
    )
    assert understand("clicks for summer-promo yesterday", BOOK) == NotUnderstood(
        ("summer-promo",), "stats yesterday"
    )


def test_a_named_noun_keeps_unknown_words_as_the_name() -> None:
    # Not in the book: the resolver answers "no group named …" with the closest ones.
    assert understand("how did the summer group do", BOOK) == Answer("group summer")
    assert understand("top countries for link summer promo", BOOK) == Answer(
        'top countries link "summer promo"'
    )


def test_an_empty_account_still_answers_account_questions() -> None:
    empty = NameBook()
    assert understand("clicks last week", empty) == Answer("stats 7d")
    assert understand("hits", empty) == NotUnderstood(("hits",), "help")


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("spring-sale-garden", "spring-sale-garden"),
        ("Weekly Newsletter", '"Weekly Newsletter"'),
        ("2026", '"2026"'),
        ("today", '"today"'),
        ("countries", '"countries"'),
        ("Q&A <live>", '"Q&amp;A &lt;live&gt;"'),
        ('say "hi"', '"say hi"'),
    ],
)
def test_names_are_written_so_the_grammar_reads_them_back(name: str, argument: str) -> None:
    assert name_arg(name) == argument
    command = parse(f"link {argument}")
    assert command.link.text == name.replace('"', "")  # type: ignore[union-attr]


def test_every_answer_is_deterministic() -> None:
    for text, _ in ANSWERS:
        assert understand(text, BOOK) == understand(text, NameBook(LINKS, GROUPS))


def test_long_messages_are_read_without_error() -> None:
    text = "clicks " * 400 + "yesterday"
    result = understand(text, BOOK)
    assert isinstance(result, Answer | NotUnderstood)
    with pytest.raises(CommandError):
        parse("x" * 2000)
