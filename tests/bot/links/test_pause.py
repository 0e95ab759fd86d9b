"""`/clickmeter link pause|resume <link>` end to end: the status read back from the sandbox,
and the pause felt in its traffic."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bot.links.conftest import LinkBot
from tests.bot.permissions.conftest import ADMIN, GROUPIE, MEMBER


def text(answer: dict[str, Any]) -> str:
    return str(answer["text"])


def live_link(bot: LinkBot) -> dict[str, Any]:
    return next(
        d
        for d in bot.sandbox.state()["datapoints"]
        if d["status"] == 0 and d["type"] == 0 and d["today_clicks"] > 0
    )


def test_pause_then_resume(link_bot: LinkBot) -> None:
    link = live_link(link_bot)
    answer = link_bot.ask(f"link pause {link['name']}")
    assert text(answer) == (
        f":double_vertical_bar: Paused *{link['name']}*: ClickMeter counts no clicks on it "
        f"until it is resumed (`/clickmeter link resume {link['name']}`)."
    )
    assert link_bot.served(link["id"])["status"] == 1
    assert "Paused" in str(link_bot.ask(f"link {link['name']}")["blocks"])

    again = link_bot.ask(f"link pause {link['id']}")
    assert text(again) == f":information_source: *{link['name']}* is paused already."

    resumed = link_bot.ask(f"link resume {link['name']}")
    assert text(resumed) == (
        f":arrow_forward: Resumed *{link['name']}*: ClickMeter counts its clicks again."
    )
    assert "status" not in link_bot.served(link["id"])  # Active is 0: omitted


def test_a_paused_link_gets_no_more_clicks(make_link_bot: Any) -> None:
    bot: LinkBot = make_link_bot()
    link = live_link(bot)
    bot.ask(f"link pause {link['name']}")
    before = bot.sandbox.api.get(
        f"/datapoints/{link['id']}/aggregated", params={"timeframe": "last7"}
    ).json()
    bot.sandbox.control("clock", {"advance_seconds": 3 * 3600})
    after = bot.sandbox.api.get(
        f"/datapoints/{link['id']}/aggregated", params={"timeframe": "last7"}
    ).json()
    assert after.get("totalClicks", 0) == before.get("totalClicks", 0)
    bot.ask(f"link resume {link['name']}")
    bot.sandbox.control("clock", {"advance_seconds": 6 * 3600})
    later = bot.sandbox.api.get(
        f"/datapoints/{link['id']}/aggregated", params={"timeframe": "last7"}
    ).json()
    assert later.get("totalClicks", 0) > after.get("totalClicks", 0)


def test_a_deleted_link_cannot_be_resumed(link_bot: LinkBot) -> None:
    deleted = next(d for d in link_bot.sandbox.state()["datapoints"] if d["status"] == 3)
    answer = link_bot.ask(f"link resume {deleted['id']}")
    assert (
        text(answer) == f":wastebasket: *{deleted['name']}* is deleted: there is nothing to resume."
    )


@pytest.mark.parametrize("verb", ["pause", "resume"])
def test_a_member_is_refused_in_one_line(link_bot: LinkBot, verb: str) -> None:
    link = live_link(link_bot)
    answer = link_bot.ask(f"link {verb} {link['name']}", user=MEMBER)
    assert text(answer) == (
        f":lock: Only workspace admins and @growth-leads can {verb} tracking links."
    )
    assert "status" not in link_bot.served(link["id"])


@pytest.mark.parametrize("user", [ADMIN, GROUPIE])
def test_admins_and_the_group_may_pause(link_bot: LinkBot, user: str) -> None:
    link = live_link(link_bot)
    assert text(link_bot.ask(f"link pause {link['name']}", user=user)).startswith(
        ":double_vertical_bar: Paused"
    )
    assert link_bot.served(link["id"])["status"] == 1


def test_an_unknown_link_says_so(link_bot: LinkBot) -> None:
    answer = link_bot.ask("link pause no-such-link")
    assert text(answer).startswith(":mag: There's no link named `no-such-link`")
