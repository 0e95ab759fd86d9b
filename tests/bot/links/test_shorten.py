"""`/clickmeter shorten` end to end: signed slash commands in, the answer on the response_url,
and the link it made read back from the sandbox's own API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from devtools.localslack import validate_blocks
from tests.bot.links.conftest import LinkBot
from tests.bot.permissions.conftest import ADMIN, GROUPIE, MEMBER
from tests.conftest import Sandbox


def text(answer: dict[str, Any]) -> str:
    return str(answer["text"])


def code_block(answer: dict[str, Any]) -> str:
    """The one code block of the answer: the tracking URL, alone."""
    (found,) = [
        b["text"]["text"]
        for b in answer["blocks"]
        if b.get("text", {}).get("text", "")[:3] == "```"
    ]
    return str(found).strip("`")


def fields(answer: dict[str, Any]) -> dict[str, str]:
    out = {}
    for block in answer["blocks"]:
        for field in block.get("fields", []):
            label, _, value = field["text"].partition("\n")
            out[label.strip("*")] = value
    return out


def test_a_named_link_in_a_group_with_tags(link_bot: LinkBot) -> None:
    group = link_bot.sandbox.state()["groups"][2]
    before = link_bot.count()
    answer = link_bot.ask(
        f"shorten https://shop.example.com/spring?utm_source=slack name spring-slack "
        f'group "{group["name"]}" tag email tag slack-made'
    )
    assert validate_blocks(answer["blocks"]) == []
    made = link_bot.find("spring-slack")
    served = link_bot.served(made["id"])
    # The URL to copy is ClickMeter's own tracking code, alone in its block.
    assert code_block(answer) == served["trackingCode"] == "https://s87.eu/spring-slack"
    assert served["trackingCode"] in text(answer)
    assert served["groupId"] == group["id"]
    assert served["typeTL"]["url"] == "https://shop.example.com/spring?utm_source=slack"
    assert sorted(t["name"] for t in served["tags"]) == ["email", "slack-made"]
    shown = fields(answer)
    assert shown["Name"] == "spring-slack"
    assert shown["Group"] == group["name"]
    assert shown["Tags"] == "email, slack-made"
    assert f"Link {made['id']}" in str(answer["blocks"][-1])
    assert link_bot.count() == before + 1


def test_an_unnamed_link_gets_a_short_name_and_the_default_group(link_bot: LinkBot) -> None:
    answer = link_bot.ask("shorten <http://example.com/sale|example.com/sale>")
    url = code_block(answer)
    match = re.fullmatch(r"https://s87\.eu/([a-z0-9]{7})", url)
    assert match, url
    served = link_bot.find(match.group(1))
    # Typed without a scheme: the https page, not the http:// Slack put in front.
    assert served["typeTL"]["url"] == "https://example.com/sale"
    assert served["groupName"] == fields(answer)["Group"] == "Default"
    assert served["title"] == "example.com/sale"


def test_the_new_link_answers_like_every_other(link_bot: LinkBot) -> None:
    link_bot.ask("shorten https://example.com/x name fresh-one")
    answer = link_bot.ask("link fresh-one")
    assert "fresh-one" in text(answer)
    assert "https://s87.eu/fresh-one" in str(answer["blocks"])


@pytest.mark.parametrize("user", [ADMIN, GROUPIE])
def test_admins_and_the_admin_group_may_make_links(link_bot: LinkBot, user: str) -> None:
    answer = link_bot.ask(f"shorten https://example.com/{user} name by-{user.lower()}", user=user)
    assert text(answer).startswith("New tracking link"), text(answer)
    assert link_bot.find(f"by-{user.lower()}")


def test_a_member_is_refused_in_one_line_and_nothing_is_made(link_bot: LinkBot) -> None:
    before = link_bot.count()
    answer = link_bot.ask("shorten https://example.com/x name nope", user=MEMBER)
    assert text(answer) == (
        ":lock: Only workspace admins and @growth-leads can create tracking links."
    )
    assert len(answer["blocks"]) == 1
    assert link_bot.count() == before


def test_a_taken_name_says_so_in_one_line(link_bot: LinkBot) -> None:
    taken = link_bot.sandbox.state()["datapoints"][0]["name"]
    before = link_bot.count()
    answer = link_bot.ask(f"shorten https://example.com/x name {taken}")
    assert text(answer).startswith(f":no_entry: The name `{taken}` is already used")
    assert "`name &lt;new-name&gt;`" in text(answer)
    assert len(answer["blocks"]) == 1
    assert link_bot.count() == before


def test_an_unknown_group_says_so(link_bot: LinkBot) -> None:
    before = link_bot.count()
    answer = link_bot.ask("shorten https://example.com/x group no-such-group")
    assert text(answer).startswith(":mag: There's no group named `no-such-group`")
    assert link_bot.count() == before


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/file", "isn't a web address"),
        ("https://", "has no host"),
        ("https://intranet/page", "isn't a public web address"),
        ("https://example.com/" + "a" * 1200, "a URL this long can't be shortened from Slack"),
        ("mailto:someone@example.com", "isn't a web address"),
    ],
)
def test_a_bad_url_is_said_before_clickmeter_is_asked(
    link_bot: LinkBot, url: str, says: str
) -> None:
    before = link_bot.count()
    answer = link_bot.ask(f"shorten {url}")
    assert says in text(answer)
    assert "Traceback" not in str(answer)
    assert link_bot.count() == before


def test_a_full_plan_says_so_with_its_numbers(make_link_bot: Callable[..., LinkBot]) -> None:
    bot = make_link_bot(datapoints=12, max_datapoints=11)  # 11 live links: the plan is full
    plan = bot.sandbox.api.get("/me/plan").json()
    answer = bot.ask("shorten https://example.com/x name one-more")
    assert text(answer) == (
        f":no_entry: The ClickMeter plan has no tracking links left "
        f"({plan['usedDatapoints']} of {plan['maximumDatapoints']} used): delete links you "
        "no longer need in ClickMeter, or upgrade the plan, then try again."
    )
    assert bot.count() == 12


def test_help_lists_the_new_commands_and_who_may(link_bot: LinkBot) -> None:
    overview = str(link_bot.ask("help")["blocks"])
    assert "/clickmeter shorten &lt;url&gt; [name &lt;name&gt;]" in overview
    assert "link pause|resume" in overview
    assert "workspace admins and the admin group" in overview
    assert "shorten" in text(link_bot.ask("help shorten"))


def test_a_key_without_write_rights_says_so_in_one_line(bot: Any, sandbox: Sandbox) -> None:
    # The shared sandbox refuses writes, as ClickMeter does for a read-only key.
    answer = bot.ask("shorten https://example.com/x name read-only")
    assert text(answer) == (
        ":no_entry: ClickMeter refused: this workspace's API key may not make tracking links. "
        "Ask whoever manages the ClickMeter account for a key with write rights."
    )
    live = next(d for d in sandbox.state()["datapoints"] if d["status"] == 0)
    paused = bot.ask(f"link pause {live['id']}")
    assert text(paused).startswith(
        ":no_entry: ClickMeter refused: this workspace's API key may not pause links."
    )
    assert "status" not in sandbox.api.get(f"/datapoints/{live['id']}").json()
