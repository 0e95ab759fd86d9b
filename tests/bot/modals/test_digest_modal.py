"""The "New digest" modal end to end over signed HTTP: the App Home's button, the links select
searched in the sandbox, inline errors, and the digest `digest add` would make."""

from __future__ import annotations

from typing import Any

from bot.answers.digest_modal import DIGEST_VIEW, LINKS_ACTION, NEW_DIGEST_ACTION
from storage import Transaction
from storage.models import Digest
from tests.bot.alerts.conftest import OTHER_TEAM
from tests.bot.modals.conftest import ModalBot, options, selected
from tests.bot.permissions.conftest import ADMIN, MEMBER

FIELDS = (
    "created_by", "channel_id", "cadence", "weekday", "at_time", "timezone", "reports",
    "links_filter", "next_run_at",
)  # fmt: skip


def digest_values(
    *,
    at: str | None = "08:30",
    cadence: str = "weekly",
    weekday: str | None = "0",
    zone: str = "Europe/Rome",
    channel: str = "C0MARKETING",
    reports: tuple[str, ...] = ("countries", "browsers"),
    links: str | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    day = selected(weekday) if weekday is not None else {"selected_option": None}
    return {
        "time": {"time": {"type": "timepicker", "selected_time": at}},
        "cadence": {"cadence": selected(cadence)},
        "weekday": {"weekday": day},
        "zone": {"zone": selected(zone)},
        "channel": {"channel": {"type": "conversations_select", "selected_conversation": channel}},
        "reports": {
            "reports": {
                "type": "multi_static_select",
                "selected_options": [{"value": r} for r in reports],
            }
        },
        "links": {
            LINKS_ACTION: {
                "type": "external_select",
                "selected_option": {"value": links} if links else None,
            }
        },
    }


def digests(modal_bot: ModalBot, team: str) -> list[Digest]:
    async def active(tx: Transaction) -> list[Digest]:
        return list(await tx.digests.list_active(team))

    return modal_bot.home.bot.run(active)


def row(digest: Digest) -> dict[str, Any]:
    return {name: getattr(digest, name) for name in FIELDS}


def test_the_home_button_opens_the_digest_modal(modal_bot: ModalBot) -> None:
    home = modal_bot.home.open(user=ADMIN)
    (new,) = [b for b in home["blocks"] if b.get("block_id") == "home_new"]
    assert NEW_DIGEST_ACTION in [e["action_id"] for e in new["elements"]]
    view = modal_bot.from_home_button(NEW_DIGEST_ACTION)
    assert view["callback_id"] == DIGEST_VIEW
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert kinds["reports"] == "multi_static_select"
    assert kinds["links"] == "external_select"
    found = options(modal_bot.suggest(view, "", "links", LINKS_ACTION))
    assert set(found) == {"Groups", "Tags"}  # no single links, no "whole account"


def test_a_modal_digest_is_the_digest_the_grammar_makes(modal_bot: ModalBot) -> None:
    view = modal_bot.from_home_button(NEW_DIGEST_ACTION)
    group_value, _ = options(modal_bot.suggest(view, "", "links", LINKS_ACTION))["Groups"][0]
    group_id = group_value.split(":")[1]
    closed = modal_bot.submit(view, digest_values(links=group_value))
    assert closed.text == ""
    typed = modal_bot.home.bot.ask(
        "digest add weekly monday at 08:30 Europe/Rome to <#C0MARKETING|marketing> "
        f"reports countries,browsers links group {group_id}",
        team=OTHER_TEAM,
    )
    assert "New digest" in typed["text"]
    (made,) = digests(modal_bot, "T0CLICKBOT")
    (other,) = digests(modal_bot, OTHER_TEAM)
    assert row(made) == row(other)
    assert made.links_filter == f"group:{group_id}"


def test_what_is_wrong_with_a_digest_shows_inline(modal_bot: ModalBot) -> None:
    view = modal_bot.from_home_button(NEW_DIGEST_ACTION)
    cases = [
        (digest_values(weekday=None), "weekday", "needs the day"),
        (digest_values(cadence="daily"), "weekday", "goes with"),
        (digest_values(at=None), "time", "Pick the time"),
        (digest_values(zone="Mars/Olympus"), "zone", "time zone"),
        (digest_values(channel="C0NOPE"), "channel", "can't find that channel"),
        (digest_values(links="group:999999999"), "links", ""),
    ]
    for state, block, says in cases:
        body = modal_bot.submit(view, state).json()
        assert body["response_action"] == "errors", state
        assert says in body["errors"][block], body
    assert digests(modal_bot, "T0CLICKBOT") == []


def test_a_member_without_rights_gets_no_button_and_a_refusal(modal_bot: ModalBot) -> None:
    home = modal_bot.home.open(user=MEMBER)
    assert not [b for b in home["blocks"] if b.get("block_id") == "home_new"]
    view = modal_bot.from_home_button(NEW_DIGEST_ACTION)
    body = modal_bot.submit(view, digest_values(), user=MEMBER).json()
    assert "Only workspace admins" in body["errors"]["time"]
    assert digests(modal_bot, "T0CLICKBOT") == []
