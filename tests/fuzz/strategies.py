"""Hypothesis strategies for what reaches the app: slash-command texts and interactions.

Command texts are built from the real grammar (`bot.grammar`'s tables of subcommands, actions,
reports, timeframes, sensitivities, windows, cadences, weekdays) and the seeded account's link
and group names, so most inputs go deep into a parser rather than stopping at "unknown
subcommand"; around them: numbers of every size, quoting (straight, curly, unbalanced), Slack's
escapes and mentions, unicode, control characters, injection-looking strings, very long texts,
and pure noise.

Interactions are what Slack POSTs at /slack/events besides commands: `block_actions` with every
action_id the app registers (and unknown ones) carrying garbage values, view submissions,
shortcuts, events, and the malformed: `payload=` that is not JSON or not an object, fields
missing or of the wrong type.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from alerts.messages import MUTE_1D_ACTION, MUTE_1H_ACTION, SHOW_LINK_ACTION
from bot.grammar import (
    ALERT_ACTIONS,
    DIGEST_ACTIONS,
    HELP_TOPICS,
    REPORT_WORDS,
    SENSITIVITIES,
    SUBCOMMANDS,
    WEBHOOK_ACTIONS,
    WINDOWS,
)
from bot.grammar.actions import ACTION_SYNONYMS
from bot.grammar.digests import CADENCES, WEEKDAYS
from bot.grammar.grammar import SUBCOMMAND_SYNONYMS
from bot.grammar.timeframes import TIMEFRAME_SYNONYMS, TIMEFRAME_WORDS
from bot.home import (
    HOME_MUTE_1H_ACTION,
    HOME_REMOVE_ALERT_ACTION,
    HOME_REMOVE_DIGEST_ACTION,
    HOME_RETRY_ACTION,
    HOME_UNMUTE_ACTION,
)
from bot.reply import SHARE_ACTION
from bot.unfurls import MORE_ACTION
from devtools.localslack.signed import block_actions_payload

#: Buttons on a message (they answer on the click's response_url).
MESSAGE_ACTIONS = (SHARE_ACTION, MUTE_1H_ACTION, MUTE_1D_ACTION, SHOW_LINK_ACTION, MORE_ACTION)
#: Buttons on the App Home tab (they re-publish the tab).
HOME_ACTIONS = (
    HOME_MUTE_1H_ACTION,
    HOME_UNMUTE_ACTION,
    HOME_REMOVE_ALERT_ACTION,
    HOME_REMOVE_DIGEST_ACTION,
    HOME_RETRY_ACTION,
)
ACTION_IDS = MESSAGE_ACTIONS + HOME_ACTIONS

# Words of clauses the tables above do not list (alert conditions, scopes, digest times).
_CLAUSE_WORDS = (
    "account", "link", "group", "tag", "to", "at", "on", "reports", "links", "clicks",
    "click", ">", ">=", "above", "over", "per", "/", "every", "spike", "drop", "for", "in",
    "a", "an", "9am", "17:30", "25:00", "12pm", "0h00", "15m", "1h", "1d", "2w", "30mins",
    "..", "…", "–", "through", "until",
)  # fmt: skip
KEYWORDS = tuple(
    dict.fromkeys(
        [
            *SUBCOMMANDS,
            *SUBCOMMAND_SYNONYMS,
            *ALERT_ACTIONS,
            *WEBHOOK_ACTIONS,
            *DIGEST_ACTIONS,
            *ACTION_SYNONYMS,
            *REPORT_WORDS,
            *TIMEFRAME_WORDS,
            *TIMEFRAME_SYNONYMS,
            *HELP_TOPICS,
            *SENSITIVITIES,
            *WINDOWS.values(),
            *CADENCES,
            *WEEKDAYS,
            *_CLAUSE_WORDS,
        ]
    )
)
INJECTIONS = (
    "'; DROP TABLE alert_rules; --",
    '" OR 1=1 --',
    "{{7*7}}",
    "${jndi:ldap://127.0.0.1/a}",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "%s%s%s%n",
    "{0.__class__}",
    "\r\nX-Injected: 1",
    "<!channel>",
    "<!here|here>",
    "<!subteam^S0123|@team>",
    "*bold* _it_ ~s~ `code` ```block```",
    "&amp;&lt;&gt;",
    "&amp;lt;script&amp;gt;",
    "javascript:alert(1)",
    "http://127.0.0.1:2375/containers/prune",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::ffff:10.0.0.5]/hook",
    "https://user:pw@hooks.example.com/x",
    "https://hooks.example.com/" + "a" * 3000,
    "<https://hooks.example.com/x|hooks.example.com/x>",
    "\x00\x01\x1b[31m",
    "\u202eevil\u202c",
    "\ufeff\u200b\u200d",
)
SLACK_ESCAPES = (
    "<#C0GENERAL|general>",
    "<#C0MARKETING>",
    "<#C0GENERAL|>",
    "<@U0BOB>",
    "<@W0BOB|bob>",
    "<mailto:a@b.c|a@b.c>",
    "<>",
    "<|>",
    "<#>",
    "&amp;",
)
_QUOTES = ('"', "“", "”", "„", "'", "‘", "’", "«", "»")


def _quoted(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pairs = st.sampled_from([('"', '"'), ("“", "”"), ("„", "“"), ("'", "'"), ('"', ""), ("", "”")])
    return st.tuples(pairs, inner).map(lambda p: p[0][0] + p[1] + p[0][1])


def numbers() -> st.SearchStrategy[str]:
    """Numbers as users (mis)type them: huge, negative, with commas, `#12`, floats."""
    ints = st.one_of(
        st.integers(-10, 2**31 + 10), st.integers(-(10**30), 10**30), st.just(2**31 - 1)
    )
    return st.one_of(
        ints.map(str),
        ints.map(lambda n: f"#{n}"),
        ints.map(lambda n: f"{n:,}"),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(["0", "00", "1e9", "0x10", "١٢", "½", "-0", "+5", "1,00", "９"]),
    )


def timeframes() -> st.SearchStrategy[str]:
    """Timeframe words and ranges: valid, reversed, impossible days, odd separators."""
    day = st.dates().map(lambda d: d.isoformat())
    odd_day = st.tuples(st.integers(0, 99999), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    )
    any_day = st.one_of(day, odd_day)
    separator = st.sampled_from(["..", "...", "…", "–", "—", "-", " .. ", " to "])
    return st.one_of(
        st.sampled_from(sorted(TIMEFRAME_WORDS) + sorted(TIMEFRAME_SYNONYMS)),
        st.tuples(any_day, separator, any_day).map("".join),
        any_day,
        st.sampled_from(
            ["2026-11", "2026-1-1", "2026-02-30..2026-03-01", "9999-12-31..0001-01-01"]
        ),
    )


def command_texts(names: list[str]) -> st.SearchStrategy[str]:
    """Texts for `/clickmeter`, mostly grammar-shaped; `names` are the account's link and
    group names."""
    word = st.one_of(
        st.sampled_from(KEYWORDS),
        st.sampled_from(KEYWORDS).map(str.upper),
        st.sampled_from(names),
        _quoted(st.sampled_from(names)),
        numbers(),
        timeframes(),
        st.sampled_from(SLACK_ESCAPES),
        st.sampled_from(INJECTIONS),
        _quoted(st.text(max_size=20)),
        st.sampled_from(_QUOTES),
        st.text(min_size=1, max_size=12),
        st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), min_size=1, max_size=4),
    )
    start = st.sampled_from([*SUBCOMMANDS, "alert add", "alert webhook add", "digest add", ""])
    spaced = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u3000"])
    shaped = st.tuples(start, st.lists(st.tuples(spaced, word), max_size=8)).map(
        lambda t: t[0] + "".join(s + w for s, w in t[1])
    )
    return st.one_of(
        shaped,
        shaped,
        shaped,
        st.text(max_size=200),
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
        st.tuples(st.text(min_size=1, max_size=40), st.integers(25, 100)).map(
            lambda t: (t[0] * t[1])[:4000]
        ),
        st.tuples(st.sampled_from(KEYWORDS), st.integers(50, 800)).map(
            lambda t: " ".join([t[0]] * t[1])
        ),
    )


# --- interactions -----------------------------------------------------------------------------

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
    st.text(max_size=30),
)  # fmt: skip
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def button_values(command_texts_: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Values a button may carry: what the app puts there (with ids of any size and type) and
    garbage."""
    ids = st.one_of(st.none(), st.integers(-(2**65), 2**65), JSON_VALUES)
    alert_value = st.fixed_dictionaries({"rule_id": ids, "link_id": ids}).map(json.dumps)
    share_value = st.fixed_dictionaries({"k": JSON_VALUES, "t": command_texts_}).map(json.dumps)
    return st.one_of(alert_value, share_value, JSON_VALUES.map(json.dumps), st.text(max_size=60))


def well_formed_clicks(command_texts_: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Clicks on a message button as Slack sends them, with any value: each is answered on
    its response_url (the caller sets it)."""
    return st.builds(
        lambda action_id, value: block_actions_payload(action_id, value=value, response_url=None),
        st.sampled_from(MESSAGE_ACTIONS),
        button_values(command_texts_),
    )


def _mangle(payload: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """`payload` with one field dropped, or set to a value of another type."""
    keys = sorted(payload)
    dropped = st.sampled_from(keys).map(lambda k: {n: v for n, v in payload.items() if n != k})
    retyped = st.tuples(st.sampled_from(keys), JSON_VALUES).map(
        lambda kv: {**payload, kv[0]: kv[1]}
    )
    return st.one_of(dropped, retyped)


def interactions(command_texts_: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Interaction payloads shaped as Slack's: every action (and unknown ones) with garbage
    values, selects, views, shortcuts, unknown types."""
    values = button_values(command_texts_)
    any_action = st.one_of(st.sampled_from(ACTION_IDS), st.text(max_size=20))
    click = st.builds(
        lambda action_id, value: block_actions_payload(action_id, value=value, response_url=None),
        any_action,
        values,
    )
    home_click = st.builds(
        lambda action_id, value: block_actions_payload(
            action_id, value=value, view={"id": "V0HOME", "type": "home"}, response_url=None
        ),
        st.sampled_from(HOME_ACTIONS),
        values,
    )
    select = st.builds(
        lambda action_id, value: block_actions_payload(
            action_id,
            action={"type": "static_select", "action_id": action_id, "selected_option": value},
            response_url=None,
        ),
        any_action,
        JSON_VALUES,
    )
    other = st.builds(
        lambda kind, extra: {"type": kind, **extra},
        st.sampled_from(
            [
                "view_submission",
                "view_closed",
                "shortcut",
                "message_action",
                "block_suggestion",
                "unknown_type",
            ]
        ),
        st.fixed_dictionaries(
            {
                "user": st.just({"id": "U0ALICE", "team_id": "T0CLICKBOT"}),
                "team": st.just({"id": "T0CLICKBOT"}),
                "callback_id": st.text(max_size=20),
                "trigger_id": st.just("1.2.abc"),
                "view": st.fixed_dictionaries(
                    {
                        "id": st.just("V1"),
                        "type": st.sampled_from(["modal", "home"]),
                        "callback_id": st.text(max_size=10),
                        "private_metadata": st.text(max_size=20),
                        "state": st.fixed_dictionaries({"values": JSON_VALUES}),
                    }
                ),
                "actions": st.lists(
                    st.fixed_dictionaries({"action_id": st.text(max_size=10)}), max_size=2
                ),
            }
        ),
    )
    return st.one_of(click, home_click, select, other)


def mangled_interactions(
    command_texts_: st.SearchStrategy[str],
) -> st.SearchStrategy[dict[str, Any]]:
    """`interactions` with a field missing or of another type."""
    return interactions(command_texts_).flatmap(_mangle)


def events() -> st.SearchStrategy[dict[str, Any]]:
    """Events API envelopes: the events the app listens to (with garbage fields) and others."""
    event = st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "app_home_opened",
                    "member_joined_channel",
                    "message",
                    "link_shared",
                    "reaction_added",
                    "x",
                ]
            ),
            "user": st.one_of(st.just("U0ALICE"), JSON_VALUES),
            "channel": st.one_of(st.just("C0GENERAL"), JSON_VALUES),
            "tab": st.one_of(st.just("home"), JSON_VALUES),
        },
        optional={
            "team": JSON_VALUES,
            "inviter": JSON_VALUES,
            "view": JSON_VALUES,
            # link_shared: its links (some the sandbox's, some not), the message and draft ids.
            "links": st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "url": st.one_of(
                                st.sampled_from(
                                    ["https://s87.eu/spring-sale-garden", "https://s87.eu/x"]
                                ),
                                JSON_VALUES,
                            ),
                            "domain": JSON_VALUES,
                        }
                    ),
                    max_size=4,
                ),
                JSON_VALUES,
            ),
            "message_ts": st.one_of(st.just("1700000000.000100"), JSON_VALUES),
            "unfurl_id": JSON_VALUES,
            "source": JSON_VALUES,
        },
    )
    envelope = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["event_callback", "url_verification", "app_rate_limited"]),
            "team_id": st.one_of(st.just("T0CLICKBOT"), JSON_VALUES),
            "api_app_id": st.just("A0CLICKBOT"),
            "event": st.one_of(event, JSON_VALUES),
            "event_id": st.text(max_size=12),
            "event_time": st.one_of(st.integers(), JSON_VALUES),
        },
        optional={"challenge": JSON_VALUES, "authorizations": JSON_VALUES},
    )
    return st.one_of(envelope, envelope.flatmap(_mangle))


def raw_bodies() -> st.SearchStrategy[tuple[str, str]]:
    """(content type, body) that no Slack sends: `payload=` not JSON or not an object, no
    payload, JSON that is not an object, form fields of a command with the wrong types."""
    form = "application/x-www-form-urlencoded"
    not_object = JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(json.dumps)
    return st.one_of(
        st.tuples(st.just(form), st.text(max_size=200).map(lambda t: urlencode({"payload": t}))),
        st.tuples(st.just(form), not_object.map(lambda t: urlencode({"payload": t}))),
        st.tuples(st.just(form), st.text(max_size=200)),
        st.tuples(
            st.just(form),
            st.dictionaries(
                st.sampled_from(["command", "text", "team_id", "user_id", "response_url", "ssl"]),
                st.text(max_size=30),
            ).map(urlencode),
        ),
        st.tuples(st.just("application/json"), st.text(max_size=200)),
        st.tuples(st.just("application/json"), not_object),
        st.tuples(st.sampled_from(["text/plain", "multipart/form-data", ""]), st.text(max_size=50)),
    )
