"""The message shortcut "ClickMeter stats for links in this message" over signed HTTP: the
tracking URLs and link names in a message found in the sandbox, each answered as `link` is."""

from __future__ import annotations

from typing import Any

from bot.listeners.views.link_stats import LINK_STATS_SHORTCUT
from devtools.localslack.interactions import message_shortcut_payload
from devtools.localslack.signed import interaction_body
from tests.bot.modals.conftest import ModalBot
from tests.bot.modals.test_alert_modal import sandbox_names
from tests.conftest import Sandbox


def sandbox_link(sandbox: Sandbox, name: str) -> dict[str, Any]:
    """The link named `name` as the sandbox's own API shows it."""
    params = {"textSearch": name, "_expand": "true", "type": "tl"}
    answer = sandbox.api.get(f"{sandbox.url}/datapoints", params=params)
    answer.raise_for_status()
    (link,) = [e for e in answer.json()["entities"] if e["name"] == name]
    return dict(link)


def run_on(modal_bot: ModalBot, text: str, count: int) -> list[dict[str, Any]]:
    """Run the shortcut on a message saying `text`: the `count` answers posted."""
    driver = modal_bot.home.bot.driver
    url = driver.slack.response_url()
    payload = message_shortcut_payload(
        LINK_STATS_SHORTCUT, {"text": text, "ts": "1700000000.000200"}, response_url=url
    )
    ack = driver.post(interaction_body(payload))
    assert ack.status_code == 200
    assert ack.text == ""
    return [post.body for post in driver.wait_posts(url, count)]


def test_tracking_urls_and_link_names_get_their_link_answers(
    modal_bot: ModalBot, sandbox: Sandbox
) -> None:
    first = sandbox_link(sandbox, "spring-sale-mobile")
    code = first["trackingCode"]
    other = next(n for n in sandbox_names(sandbox, "/datapoints", "-") if "spring" not in n)
    text = (
        f"Numbers for <{code}|this one>? And how about {other}, "
        "and <https://example.com/spring-sale-tablet|not ours>, see-you"
    )
    answers = run_on(modal_bot, text, 2)
    assert all(a["response_type"] == "ephemeral" for a in answers)
    assert answers[0]["text"].startswith("Link spring-sale-mobile · last 7 days")
    assert other in answers[1]["text"]
    # What `/clickmeter link <id>` answers, the same.
    typed = modal_bot.home.bot.ask(f"link {first['id']}")
    assert typed["blocks"][:2] == answers[0]["blocks"][:2]


def test_a_message_without_links_is_said_so(modal_bot: ModalBot) -> None:
    (answer,) = run_on(modal_bot, "no links here, just words and https://example.com/x", 1)
    assert "found no tracking link" in answer["text"]
