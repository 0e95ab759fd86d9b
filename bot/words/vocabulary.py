"""The words plain questions are made of, and what each means in the `/clickmeter` grammar.

Pure data. Every key is lower case, punctuation-free, and compared after `normalise` (so
`Last week?` and `last week` are the same phrase). Values are grammar words (`7d`,
`countries`) that `bot.grammar.parse` reads, never new meanings of their own.
"""

from __future__ import annotations

from bot.grammar import REPORT_WORDS

#: Phrases of up to four words naming a timeframe -> the grammar's timeframe word.
TIMEFRAME_PHRASES: dict[str, str] = {
    "today": "today",
    "so far today": "today",
    "yesterday": "yesterday",
    "last 7 days": "7d",
    "past 7 days": "7d",
    "last seven days": "7d",
    "past seven days": "7d",
    "7 days": "7d",
    "last week": "7d",
    "past week": "7d",
    "this week": "7d",
    "the week": "7d",
    "weekly": "7d",
    "last 30 days": "30d",
    "past 30 days": "30d",
    "last thirty days": "30d",
    "30 days": "30d",
    "past month": "30d",
    "last 4 weeks": "30d",
    "past 4 weeks": "30d",
    "monthly": "30d",
    "last 90 days": "90d",
    "past 90 days": "90d",
    "90 days": "90d",
    "last 3 months": "90d",
    "past 3 months": "90d",
    "last three months": "90d",
    "past three months": "90d",
    "last quarter": "90d",
    "past quarter": "90d",
    "this month": "this-month",
    "current month": "this-month",
    "month to date": "this-month",
    "so far this month": "this-month",
    "last month": "last-month",
    "previous month": "last-month",
    "this year": "this-year",
    "current year": "this-year",
    "year to date": "this-year",
    "so far this year": "this-year",
    "all time": "all",
    "ever": "all",
    "since the beginning": "all",
    "since forever": "all",
    "overall": "all",
    "in total": "all",
    # The grammar's own words, as typed by people who know it.
    "7d": "7d",
    "last7": "7d",
    "30d": "30d",
    "last30": "30d",
    "90d": "90d",
    "last90": "90d",
    "this-month": "this-month",
    "last-month": "last-month",
    "this-year": "this-year",
}

#: Words naming a TOP report -> the grammar's report word (the grammar's own words included).
REPORT_PHRASES: dict[str, str] = {
    **{word: report.value for word, report in REPORT_WORDS.items()},
    "locations": "countries",
    "location": "countries",
    "geography": "countries",
    "geo": "countries",
    "nations": "countries",
    "where from": "countries",
    "referers": "referrers",
    "referer": "referrers",
    "referrals": "referrers",
    "referral": "referrers",
    "referring sites": "referrers",
    "traffic sources": "referrers",
    "source": "referrers",
    "sites": "referrers",
    "domains": "referrers",
    "device": "platforms",
    "operating systems": "oss",
    "operating system": "oss",
    "towns": "cities",
    "isp": "isps",
    "internet providers": "isps",
    "ip addresses": "ips",
    "search terms": "keywords",
    "landing pages": "destinations",
    "langs": "languages",
}

#: Words that ask for one of the grammar's listings, with nothing more to read.
HELP_WORDS = frozenset(
    {"help", "commands", "usage", "what can you do", "how does this work", "how do i use you"}
)
ALERT_LIST_WORDS = frozenset({"alerts", "alert", "alert rules", "rules", "alarms"})
DIGEST_LIST_WORDS = frozenset({"digests", "digest", "reports by email", "daily reports"})
LINKS_WORDS = frozenset({"links", "tracking links", "datapoints", "urls we track"})
GROUPS_WORDS = frozenset({"groups", "campaigns", "folders"})
#: Asking for a link's latest clicks one by one (`hits`), rather than counts.
HITS_WORDS = frozenset(
    {
        "hits",
        "latest clicks",
        "recent clicks",
        "last clicks",
        "newest clicks",
        "click log",
        "click stream",
        "who clicked",
        "latest hits",
        "recent hits",
        "last hits",
    }
)
#: Asking for counts: the account's `stats`, or one link's or group's when a name is given.
STATS_WORDS = frozenset(
    {
        "stats",
        "statistics",
        "clicks",
        "click",
        "visits",
        "visitors",
        "views",
        "traffic",
        "numbers",
        "performance",
        "results",
        "totals",
        "total",
        "count",
        "how many",
        "how are we doing",
        "how is it going",
        "doing",
        "do",
        "did",
        "perform",
        "performed",
        "performing",
        "clicked",
        "happened",
        "happening",
        "going on",
    }
)
#: "top" and its friends: a TOP report (countries unless another is named).
TOP_WORDS = frozenset({"top", "best", "most", "biggest", "leading", "breakdown", "where"})
#: Nouns that say what the name next to them is.
LINK_NOUNS = frozenset({"link", "tracking link", "datapoint", "url"})
GROUP_NOUNS = frozenset({"group", "campaign", "folder"})
TAG_NOUNS = frozenset({"tag", "tagged", "labelled", "labeled", "with tag"})

#: Verbs that change something: answered with the slash command to type, never run from words.
CHANGING_WORDS: dict[str, str] = {
    "add": "alert",
    "create": "alert",
    "set up": "alert",
    "setup": "alert",
    "notify": "alert",
    "alert me": "alert",
    "warn me": "alert",
    "tell me when": "alert",
    "let me know when": "alert",
    "remove": "alert",
    "delete": "alert",
    "mute": "alert",
    "unmute": "alert",
    "snooze": "alert",
    "silence": "alert",
    "webhook": "webhook",
    "webhooks": "webhook",
    "connect": "connect",
    "disconnect": "disconnect",
    "api key": "connect",
    "admins": "admins",
    "admin group": "admins",
    "send me a digest": "digest",
    "every morning": "digest",
    "every day": "digest",
    "every monday": "digest",
    "schedule": "digest",
    "subscribe": "digest",
    "shorten": "shorten",
    "pause": "pause",
    "resume": "resume",
    "unpause": "resume",
}

#: Words that carry no meaning of their own in a question.
# One string split, not a list literal: a few lines of words are easier to read and extend.
FILLER = frozenset(
    """
    a about all an and any are as at be been by can could did do does doing done for from get
    give go going got had has have hey hi hello how i in is it its just let lets like list
    look many me much my of on or our over please pls plz quick quickly see share show since so
    tell thank thanks the their there these this those to up us view want was we were what
    whats which who with would you your yo ok okay now currently right hows im i'd id into
    across per bot clickbot check compare compared vs versus against busiest popular
    most-clicked come came coming mate cheers buddy folks team guys everyone know between
    people use used using during may
    """.split()  # noqa: SIM905
)

#: How many words the longest phrase of any table above has.
LONGEST_PHRASE = max(
    len(key.split())
    for table in (
        TIMEFRAME_PHRASES,
        REPORT_PHRASES,
        CHANGING_WORDS,
        HELP_WORDS,
        HITS_WORDS,
        STATS_WORDS,
        LINKS_WORDS,
    )
    for key in table
)
