"""The "New alert" modal end to end over signed HTTP against the sandbox and the local Slack."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.answers.alert_modal import ALERT_VIEW
from devtools.localslack import MockSlackServer
from devtools.localslack.models import RecordedCall
from devtools.localslack.signed import interaction_body, view_submission_payload
from storage import AlertRule
from tests.bot.home.conftest import HomeBot
from tests.bot.modals.conftest import ModalBot, options, values
from tests.bot.permissions.conftest import ADMIN, GROUP, GROUPIE, MEMBER
from tests.conftest import Sandbox

#: What a stored rule is, apart from its id and when it was made.
FIELDS = (
    "team_id",
    "created_by",
    "channel_id",
    "scope_kind",
    "scope_ref",
    "scope_label",
    "condition",
    "threshold",
    "window_seconds",
    "sensitivity",
    "detector_state",
)


def posted_since(slack: MockSlackServer, seen: int) -> list[RecordedCall]:
    return slack.slack.calls_to("chat.postMessage")[seen:]


def row(rule: AlertRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in FIELDS}


def sandbox_names(sandbox: Sandbox, path: str, typed: str) -> list[str]:
    """The names the sandbox's own API finds for `typed` (live links, or groups)."""
    params: dict[str, str | int] = {"textSearch": typed, "_expand": "true", "limit": 100}
    if path == "/datapoints":
        params["type"] = "tl"
    answer = sandbox.api.get(f"{sandbox.url}{path}", params=params)
    answer.raise_for_status()
    found = answer.json()["entities"]
    live = [
        e for e in found if str(e.get("status", "")).lower() != "deleted" and not e.get("deleted")
    ]
    return [e["name"] for e in live]


def test_the_home_offers_new_alert_to_those_who_may_add(home_bot: HomeBot) -> None:
    def has_button(user: str) -> bool:
        return any(b.get("block_id") == "home_new" for b in home_bot.open(user=user)["blocks"])

    assert has_button(ADMIN)
    home_bot.bot.ask(f"admins {GROUP}")
    assert has_button(GROUPIE)
    assert not has_button(MEMBER)


def test_the_shortcut_and_the_button_open_the_same_modal(modal_bot: ModalBot) -> None:
    by_shortcut = modal_bot.from_shortcut()
    by_button = modal_bot.from_home()
    for view in (by_shortcut, by_button):
        assert view["callback_id"] == ALERT_VIEW
        kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
        assert kinds["scope"] == "external_select"
        assert kinds["channel"] == "conversations_select"
    assert by_shortcut["blocks"] == by_button["blocks"]
    channel = next(b for b in by_shortcut["blocks"] if b["block_id"] == "channel")
    assert channel["element"]["default_to_current_conversation"] is True


def test_scope_options_are_the_sandboxs_names_as_typed(
    modal_bot: ModalBot, sandbox: Sandbox
) -> None:
    view = modal_bot.from_shortcut()
    everything = options(modal_bot.suggest(view, ""))
    assert everything["Account"] == [("account", "Whole account")]
    assert {"Links", "Groups", "Tags"} <= set(everything)
    for typed in ("spring", "SALE", "news"):
        found = options(modal_bot.suggest(view, typed))
        assert "Account" not in found
        links = [text for _, text in found.get("Links", [])]
        assert links == sandbox_names(sandbox, "/datapoints", typed)[: len(links)]
        assert len(links) == min(33, len(sandbox_names(sandbox, "/datapoints", typed)))
        groups = [text for _, text in found.get("Groups", [])]
        assert groups == sandbox_names(sandbox, "/groups", typed)[:33]
        assert all(typed.casefold() in text.casefold() for _, text in found.get("Tags", []))
    assert options(modal_bot.suggest(view, "zzzz-no-such-thing")) == {}


def test_what_is_wrong_shows_inline_and_nothing_is_made(modal_bot: ModalBot) -> None:
    view = modal_bot.from_shortcut()
    cases = [
        (values(None), "scope", "Pick a link, a group, a tag"),
        (values("account", "threshold", clicks="abc"), "clicks", "Write the number of clicks"),
        (values("account", "threshold", clicks="0"), "clicks", "out of range"),
        (values("account", "threshold", clicks=None), "clicks", "needs a number of clicks"),
        (values("account", channel="C0NOPE"), "channel", "can't find that channel"),
        (values("account", channel="D0DIRECT"), "channel", "not a direct message"),
        (values("link:999999999"), "scope", ""),
    ]
    for state, block, says in cases:
        body = modal_bot.submit(view, state).json()
        assert body["response_action"] == "errors", state
        assert says in body["errors"][block], body
        assert "`" not in body["errors"][block]
    assert modal_bot.home.bot.rules() == []


def test_the_threshold_range_is_the_typed_grammars(modal_bot: ModalBot) -> None:
    typed = modal_bot.home.bot.ask("alert add account clicks > 99999999 per 1h to <#C0MARKETING>")
    view = modal_bot.from_shortcut()
    inline = modal_bot.submit(view, values("account", "threshold", clicks="99999999")).json()
    assert "10,000,000" in typed["text"]
    assert "10,000,000" in inline["errors"]["clicks"]


def test_a_modal_rule_is_the_rule_the_grammar_makes(modal_bot: ModalBot) -> None:
    bot = modal_bot.home.bot
    view = modal_bot.from_shortcut()
    (spring,) = [
        v
        for v, text in options(modal_bot.suggest(view, "spring-sale-mobile"))["Links"]
        if text == "spring-sale-mobile"
    ]
    cases = [
        (
            "alert add link spring-sale-mobile spike high to <#C0MARKETING|marketing>",
            values(spring, "spike", sensitivity="high"),
        ),
        (
            "alert add account clicks > 1,000 per 1d to <#C0MARKETING|marketing>",
            values("account", "threshold", clicks="1,000", window="86400"),
        ),
        ("alert add tag email drop to <#C0MARKETING|marketing>", values("tag:email", "drop")),
    ]
    for text, state in cases:
        answer = bot.ask(text)
        assert "Alert #" in answer["text"], answer["text"]
        (typed,) = bot.rules()
        # The same again from the modal is refused inline, as typing it again is.
        again = modal_bot.submit(view, state).json()["errors"]["scope"]
        assert again.startswith(f"Alert #{typed.id}: ")  # plain text: no emoji code, no mrkdwn
        assert "already does exactly that" in again
        assert "<#" not in again
        assert "*" not in again
        bot.ask(f"alert remove {typed.id}")
        assert bot.rules() == []

        posts = len(bot.slack.slack.calls_to("chat.postMessage"))
        answer_ack = modal_bot.submit(view, state)
        assert answer_ack.text == ""  # closed
        told = bot.slack.slack.wait_for(partial(posted_since, bot.slack, posts))
        assert told[0].args["channel"] == ADMIN
        assert "Alert #" in told[0].args["text"]
        (made,) = bot.rules()
        assert made.id != typed.id
        assert row(made) == row(typed)
        bot.ask(f"alert remove {made.id}")


def test_a_member_without_rights_is_refused_at_submit(modal_bot: ModalBot) -> None:
    view = modal_bot.from_shortcut(user=MEMBER)
    body = modal_bot.submit(view, values("account"), user=MEMBER).json()
    assert body["response_action"] == "errors"
    assert "Only workspace admins" in body["errors"]["scope"]
    assert modal_bot.home.bot.rules() == []
    modal_bot.home.bot.ask(f"admins {GROUP}")
    allowed = modal_bot.submit(view, values("account"), user=GROUPIE)
    assert allowed.text == ""
    modal_bot.home.slack.slack.wait_for(lambda: modal_bot.home.bot.rules() or None)
    (rule,) = modal_bot.home.bot.rules()
    assert rule.created_by == GROUPIE


def test_a_made_alert_shows_in_the_makers_home(modal_bot: ModalBot) -> None:
    view = modal_bot.from_home()
    assert modal_bot.submit(view, values("account")).text == ""
    slack = modal_bot.home.slack.slack

    def shows() -> dict[str, Any] | None:
        home = modal_bot.home.published(ADMIN)
        return home if home and "the account" in str(home["blocks"]) else None

    home = slack.wait_for(shows)
    (rule,) = modal_bot.home.bot.rules()
    assert any(b.get("block_id") == f"alert_{rule.id}" for b in home["blocks"])


def test_a_mangled_submission_is_answered_not_raised(modal_bot: ModalBot) -> None:
    view = modal_bot.from_shortcut()
    mangled: list[object] = [[], {"values": "x"}, {"values": {"scope": []}}]
    for state in mangled:
        payload = view_submission_payload(view, {})
        payload["view"]["state"] = state
        answer = modal_bot.home.bot.driver.post(interaction_body(payload))
        assert answer.status_code == 200
        assert answer.json()["response_action"] == "errors"
    edit = {**view, "private_metadata": "not-an-id"}
    body = modal_bot.submit(edit, values("account")).json()
    assert "no longer exists" in body["errors"]["scope"]
