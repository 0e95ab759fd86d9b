"""`parse`: every subcommand, alias and clause, and what users see when they get it wrong."""

from __future__ import annotations

import html
from datetime import date

import pytest

from bot.grammar import (
    HELP_TOPICS,
    MAX_TEXT,
    REPORT_WORDS,
    SUBCOMMANDS,
    Arguments,
    ChannelRef,
    Command,
    CommandError,
    Group,
    Groups,
    Help,
    Hits,
    Link,
    Links,
    NameRef,
    Stats,
    Top,
    UserRef,
    UserTimeframe,
    Word,
    parse,
    subcommand,
    tokenize,
)
from clickmeter import Period, Timeframe, TopReport


def at(timeframe: Timeframe) -> UserTimeframe:
    """A timeframe to compare with: equality looks only at the period."""
    return UserTimeframe(Period(timeframe), "")


def period_of(command: Command) -> Period:
    timeframe = getattr(command, "timeframe", None)
    assert timeframe is not None
    period = timeframe.period
    assert isinstance(period, Period)
    return period


# --- valid commands -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("   \n\t ", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("help top", Help("top")),
        ("help Timeframes", Help("timeframes")),
        ("stats", Stats()),
        ("stats last30", Stats(at(Timeframe.LAST30))),
        ("Stats  TODAY", Stats(at(Timeframe.TODAY))),
        ("top countries", Top(TopReport.COUNTRIES)),
        ("TOP Countries", Top(TopReport.COUNTRIES)),
        ("top countries 30d", Top(TopReport.COUNTRIES, at(Timeframe.LAST30))),
        ("top 30d countries", Top(TopReport.COUNTRIES, at(Timeframe.LAST30))),
        ("top referrers link spring-sale", Top(TopReport.REFERRERS, link=NameRef("spring-sale"))),
        (
            "top referrers LINK 123 last90",
            Top(TopReport.REFERRERS, at(Timeframe.LAST90), link=NameRef("123")),
        ),
        (
            'top browsers group "Campaign #1"',
            Top(TopReport.BROWSERS, group=NameRef("Campaign #1", quoted=True)),
        ),
        ("top link spring-sale countries", Top(TopReport.COUNTRIES, link=NameRef("spring-sale"))),
        ("links", Links()),
        ("links 30d", Links(at(Timeframe.LAST30))),
        ("links spring sale", Links(search="spring sale")),
        ("links spring tag email", Links(search="spring", tag="email")),
        (
            'links tag "paid social" today',
            Links(at(Timeframe.TODAY), tag="paid social"),
        ),
        ('links "last7"', Links(search="last7")),
        ("links black &amp; white", Links(search="black & white")),
        ("link spring-sale", Link(NameRef("spring-sale"))),
        (
            "link 2027499 yesterday",
            Link(NameRef("2027499"), at(Timeframe.YESTERDAY)),
        ),
        (
            "link last-month spring-sale",
            Link(NameRef("spring-sale"), at(Timeframe.PREVIOUS_MONTH)),
        ),
        ('link "today"', Link(NameRef("today", quoted=True))),
        (
            "link “spring sale” this-month",
            Link(
                NameRef("spring sale", quoted=True),
                at(Timeframe.CURRENT_MONTH),
            ),
        ),
        ("link ‘spring sale’", Link(NameRef("spring sale", quoted=True))),
        ("link 'spring sale'", Link(NameRef("spring sale", quoted=True))),
        ("link ”spring sale”", Link(NameRef("spring sale", quoted=True))),
        ("link ‘mom’s sale’", Link(NameRef("mom’s sale", quoted=True))),
        ("link mom's", Link(NameRef("mom's"))),
        ('link "spring\n  sale"', Link(NameRef("spring sale", quoted=True))),
        ("link Spring-Sale", Link(NameRef("Spring-Sale"))),
        ("link 2026-11-01-newsletter", Link(NameRef("2026-11-01-newsletter"))),
        ("group newsletters", Group(NameRef("newsletters"))),
        (
            "group 189630 all",
            Group(NameRef("189630"), at(Timeframe.BEGINNING)),
        ),
        ("groups", Groups()),
        ("groups this-year", Groups(at(Timeframe.CURRENT_YEAR))),
        ("hits spring-sale", Hits(NameRef("spring-sale"))),
        ("hits spring-sale 1", Hits(NameRef("spring-sale"), 1)),
        ("hits 123 50", Hits(NameRef("123"), 50)),
        ('hits "spring sale" 25', Hits(NameRef("spring sale", quoted=True), 25)),
        ("hits 42", Hits(NameRef("42"))),
        ("/clickmeter stats", Stats()),
        ("/CLICKMETER", Help()),
    ],
)
def test_valid_commands(text: str, expected: Command) -> None:
    assert parse(text) == expected


def test_defaults_are_last_7_days() -> None:
    for text in ("stats", "top countries", "links", "link x", "group x", "groups"):
        command = parse(text)
        assert period_of(command) == Period(Timeframe.LAST7), text
        assert getattr(command, "timeframe").is_default  # noqa: B009


@pytest.mark.parametrize("alias", sorted(REPORT_WORDS))
def test_every_report_alias(alias: str) -> None:
    command = parse(f"top {alias} last30")
    assert isinstance(command, Top)
    assert command.report is REPORT_WORDS[alias]
    assert parse(f"top {alias.upper()}") == Top(REPORT_WORDS[alias])


@pytest.mark.parametrize(
    ("alias", "report"),
    [
        ("country", TopReport.COUNTRIES),
        ("sources", TopReport.REFERRERS),
        ("browser-families", TopReport.BROWSERS_FAMILIES),
        ("browserfamilies", TopReport.BROWSERS_FAMILIES),
        ("devices", TopReport.PLATFORMS),
        ("os", TopReport.OSS),
        ("operating-systems", TopReport.OSS),
        ("os-families", TopReport.OSS_FAMILIES),
        ("urls", TopReport.DESTINATIONS),
        ("parameters", TopReport.PARAMS),
    ],
)
def test_report_aliases_map_to_api_values(alias: str, report: TopReport) -> None:
    assert parse(f"top {alias}") == Top(report)


def test_every_api_report_is_reachable() -> None:
    assert set(REPORT_WORDS.values()) == set(TopReport)


@pytest.mark.parametrize(
    ("word", "timeframe"),
    [
        ("today", Timeframe.TODAY),
        ("yesterday", Timeframe.YESTERDAY),
        ("7d", Timeframe.LAST7),
        ("last7", Timeframe.LAST7),
        ("30d", Timeframe.LAST30),
        ("last30", Timeframe.LAST30),
        ("90d", Timeframe.LAST90),
        ("last90", Timeframe.LAST90),
        ("this-month", Timeframe.CURRENT_MONTH),
        ("last-month", Timeframe.PREVIOUS_MONTH),
        ("this-year", Timeframe.CURRENT_YEAR),
        ("all", Timeframe.BEGINNING),
    ],
)
@pytest.mark.parametrize(
    "template", ["stats {}", "top countries {}", "links {}", "link x {}", "group x {}", "groups {}"]
)
def test_every_timeframe_in_every_subcommand(
    word: str, timeframe: Timeframe, template: str
) -> None:
    if template.startswith("top") and word in ("today", "this-year"):
        assert "TOP reports can't cover" in error_of(template.format(word)).message
        return
    command = parse(template.format(word))
    assert period_of(command) == Period(timeframe)
    assert getattr(command, "timeframe").typed == word  # noqa: B009


def test_custom_range_keeps_label() -> None:
    command = parse("stats 2026-11-01..2026-11-15")
    assert isinstance(command, Stats)
    assert command.timeframe.period == Period.custom(date(2026, 11, 1), date(2026, 11, 15))
    assert command.timeframe.label == "Nov 1 – Nov 15, 2026"


def test_name_ids() -> None:
    assert NameRef("2027499").id == 2027499
    assert NameRef("2027499", quoted=True).id is None
    assert NameRef("spring-sale").id is None
    assert NameRef("١٢").id is None  # Arabic-Indic digits are not an id


# --- tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("a  b\tc\nd\u00a0e", [Word("a"), Word("b"), Word("c"), Word("d"), Word("e")]),
        ("a\u200bb", [Word("ab")]),
        ("<#C123ABC|general>", [ChannelRef("C123ABC", "general")]),
        ("<#C123ABC>", [ChannelRef("C123ABC")]),
        ("<#C123ABC|>", [ChannelRef("C123ABC")]),
        ("<@U123>", [UserRef("U123")]),
        ("<@U123|ana>", [UserRef("U123", "ana")]),
        ("<!here>", [Word("@here")]),
        ("<!subteam^S1|@growth>", [Word("@growth")]),
        ("<https://example.com/sale|example.com/sale>", [Word("example.com/sale")]),
        ("<https://example.com>", [Word("https://example.com")]),
        ("&lt;b&gt; &amp;amp;", [Word("<b>"), Word("&amp;")]),
        ('"spring sale"', [Word("spring sale", quoted=True)]),
        ('"spring sale', [Word('"spring'), Word("sale")]),
        ('spring" sale"', [Word('spring"'), Word('sale"')]),
        ('""', [Word("", quoted=True)]),
        ('"', [Word('"')]),
        ("<", [Word("<")]),
        ("<>", [Word("<>")]),
        ('"a"b c"', [Word('a"b c', quoted=True)]),
    ],
)
def test_tokenize(text: str, tokens: list[object]) -> None:
    assert tokenize(text) == tokens


# --- errors ---------------------------------------------------------------------------------


def error_of(text: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("stat", "stats"),
        ("stat last30", "stats last30"),
        ("tpo countries", "top countries"),
        ("top contries", "top countries"),
        ("tpo contries", "top countries"),
        ("top Countrys 30d", "top country 30d"),
        ("top refferers", "top referrers"),
        ("stats last-7", "stats last7"),
        ("stats Last-30", "stats last30"),
        ("stats lastweek", "stats 7d"),
        ("stats thismonth", "stats this-month"),
        ("stats last_month", "stats last-month"),
        ("stats yesterdy", "stats yesterday"),
        ("top countries last-7", "top countries last7"),
        ("link spring-sale lastweek", "link spring-sale 7d"),
        ("lnks", "links"),
        ("grups", "groups"),
        ("hit spring-sale", "hits spring-sale"),
        ("countries", "top countries"),
        ("Countries 30d", "top Countries 30d"),
        ("last7", "stats last7"),
        ("help tpo", "help top"),
        ("/clickmeter stat", "stats"),
        ("help top countries", "help top"),
        ("help tpo countries", "help top"),
        ("hits spring-sale 60", "hits spring-sale 50"),
        ("hits spring-sale 0", "hits spring-sale 1"),
        ("stats 2026-11-15..2026-11-01", "stats 2026-11-01..2026-11-15"),
        ("top countries linc spring-sale", "top countries link spring-sale"),
        ("stats last 7", "stats last7"),
        ("stats Last 30", "stats last30"),
        ("stats last 7 days", "stats 7d"),
        ("stats last week", "stats 7d"),
        ("top countries this month", "top countries this-month"),
        ("link x last month", "link x last-month"),
        ("groups 7 d", "groups 7d"),
        ("tpo last 7 contries", "top last7 countries"),
        ("link &amp;co lastweek", "link &amp;co 7d"),
        ("link spring sale", 'link "spring sale"'),
        ("link spring sale last30", 'link "spring sale" last30'),
        ("link “spring sale", 'link "spring sale"'),
        ("top countries link spring sale", 'top countries link "spring sale"'),
        ("group Campaign #1 last30", 'group "Campaign #1" last30'),
        ("hits spring sale 20", 'hits "spring sale" 20'),
        ("link summer sale 2026", 'link "summer sale 2026"'),
        ("stats 2026-11-01 2026-11-15", "stats 2026-11-01..2026-11-15"),
        ("stats 2026-11-01 .. 2026-11-15", "stats 2026-11-01..2026-11-15"),
        ("stats 2026-11-15 to 2026-11-01", "stats 2026-11-01..2026-11-15"),
        ("link spring-sale last-7", "link spring-sale last7"),
    ],
)
def test_near_misses_suggest_a_command_that_parses(text: str, suggestion: str) -> None:
    error = error_of(text)
    assert error.suggestion == suggestion
    assert f"Did you mean `/clickmeter {html.unescape(suggestion)}`?" in html.unescape(
        error.message
    )
    parse(suggestion)


@pytest.mark.parametrize(
    ("text", "in_message"),
    [
        ("reports", ["Did you mean `top`?", "/clickmeter stats last7"]),
        ("frobnicate", ["`frobnicate`", "help, stats, top, links, link, group, groups, hits"]),
        ("top", ["needs a report", "countries, referrers"]),
        ("top last7", ["needs a report"]),
        ('top "countries"', ["needs a report"]),
        ("top foo", ["needs a report"]),
        ("top countries link", ["`link` needs a link id or name"]),
        ("top countries link today", ["`link` needs a link id or name"]),
        ("top countries group", ["`group` needs a group id or name"]),
        ("top countries link a group b", ["one link or one group"]),
        ("top countries link a link b", ["takes `link` once"]),
        ("top countries cities", ["`cities`"]),
        ("stats last7 today", ["one timeframe", "`last7` and `today`"]),
        ("stats foo bar", ["`foo bar`", "stats [timeframe]"]),
        ("stats <#C123ABC|general>", ["`#general`"]),
        ("stats <@U123|ana>", ["`@ana`"]),
        ("groups spring", ["`spring`"]),
        ("link", ["needs a link id or name"]),
        ("link today", ["needs a link id or name", '`/clickmeter link "today"`']),
        ('link ""', ["is empty"]),
        ("group", ["needs a group id or name"]),
        ("group spring this-month extra", ["`extra`"]),
        ("hits", ["needs a link id or name"]),
        ("hits spring-sale 51", ["1 to 50", "`51`"]),
        ("hits spring-sale -1", ["1 to 50"]),
        ("hits spring-sale ten", ["`ten`"]),
        ("hits spring-sale last7", ["`last7`"]),
        ("links tag", ["`tag` needs a tag name"]),
        ('links tag ""', ["`tag` needs a tag name"]),
        (
            "stats 2026-02-30..2026-03-01",
            ["Feb 2026 has no day 30", "stats 2026-11-01..2026-11-15"],
        ),
        ("stats 2026-13-01..2026-13-02", ["no month 13"]),
        ("stats 2026-11-01..", ["YYYY-MM-DD"]),
        ("top countries 2025-01-01..2026-06-01", ["at most 366"]),
        ("help me please", ["`me please`", "timeframes", "`/clickmeter help top`"]),
        ('"stats"', ["don't know the command"]),
        ("<#C1|general> stats", ["`#general`"]),
    ],
)
def test_errors_say_what_was_wrong(text: str, in_message: list[str]) -> None:
    error = error_of(text)
    for part in in_message:
        assert part in error.message


ERROR_TEXTS = [
    "frobnicate",
    "stat",
    "top",
    "top contries",
    "stats foo",
    "link",
    "hits x 99",
    "stats 2026-02-30..2026-03-01",
    "stats 2026-11-15..2026-11-01",
    "groups <#C1|x>",
    "x" * (MAX_TEXT + 1),
    "help nothing",
]


@pytest.mark.parametrize("text", ERROR_TEXTS)
def test_every_error_shows_an_example_command(text: str) -> None:
    message = error_of(text).message
    assert "`/clickmeter " in message
    assert message[0].isupper() or message[0] == "`"
    assert message.rstrip().endswith((".", "?"))


def test_unknown_subcommand_lists_them_all() -> None:
    message = error_of("frobnicate").message
    for name in SUBCOMMANDS:
        assert name in message


def test_too_long_text_is_refused_politely() -> None:
    error = error_of("links " + "a " * 600)
    assert "1,000" in error.message
    assert parse("links " + "a" * (MAX_TEXT - 6)) == Links(search="a" * (MAX_TEXT - 6))


def test_escaped_text_counts_as_the_user_typed_it() -> None:
    command = parse("links " + "&amp;" * (MAX_TEXT - 6))
    assert isinstance(command, Links)


def test_user_text_in_messages_is_escaped_and_short() -> None:
    message = error_of("stats &lt;!channel&gt;" + "z" * 500).message
    assert "<!channel>" not in message
    assert "&lt;!channel&gt;" in message
    assert "z" * 100 not in message


def test_help_topics_cover_subcommands() -> None:
    for topic in [*SUBCOMMANDS, *HELP_TOPICS]:
        assert parse(f"help {topic}") == Help(topic)


def test_subcommand_examples_parse() -> None:
    for sub in SUBCOMMANDS.values():
        parse(sub.example())
        parse(sub.example("2026-11-01..2026-11-15"))


def test_a_new_subcommand_plugs_in_without_touching_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What `alert ...` will look like: one decorated function reading its own clauses.
    monkeypatch.setattr("bot.grammar.grammar.SUBCOMMANDS", dict(SUBCOMMANDS))
    seen: list[ChannelRef | None] = []

    @subcommand("alert", usage="alert <link> [to #channel]", summary="s", example="alert x")
    def _alert(args: Arguments) -> Link:
        seen.append(args.channel("to"))
        name = args.name("a link id or name")
        args.finish()
        return Link(name)

    assert parse("alert spring-sale to <#C123ABC|growth>") == Link(NameRef("spring-sale"))
    assert seen == [ChannelRef("C123ABC", "growth")]
    assert "needs a channel" in error_of("alert spring-sale to growth").message
    assert parse("stats today") == Stats(at(Timeframe.TODAY))
    assert "alert" in error_of("alrt x").message
