"""An App Home row's Edit button: the alert modal filled in with the rule, saved in place."""

from __future__ import annotations

from typing import Any

from tests.bot.alerts.conftest import OTHER_TEAM
from tests.bot.modals.conftest import ModalBot, values
from tests.bot.modals.test_alert_modal import row
from tests.bot.permissions.conftest import ADMIN, MEMBER

MARKETING = "<#C0MARKETING|marketing>"


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    (found,) = [b["element"] for b in view["blocks"] if b["block_id"] == block_id]
    return dict(found)


def saved(
    modal_bot: ModalBot, view: dict[str, Any], state: dict[str, Any], user: str = ADMIN
) -> None:
    """Submit the edit and wait until the maker's App Home is published again."""
    before = (modal_bot.home.published(user) or {}).get("id")
    assert modal_bot.submit(view, state, user=user).text == ""
    modal_bot.home.slack.slack.wait_for(
        lambda: (modal_bot.home.published(user) or {}).get("id") != before or None
    )


def test_edit_opens_the_modal_filled_in(modal_bot: ModalBot) -> None:
    bot = modal_bot.home.bot
    bot.ask(f"alert add link spring-sale-mobile spike high to {MARKETING}")
    (rule,) = bot.rules()
    view = modal_bot.edit(rule.id)
    assert view["private_metadata"] == str(rule.id)
    assert view["title"]["text"] == f"Edit alert #{rule.id}"
    assert element(view, "scope")["initial_option"]["value"] == f"link:{rule.scope_ref}"
    assert element(view, "scope")["initial_option"]["text"]["text"] == "spring-sale-mobile"
    assert element(view, "condition")["initial_option"]["value"] == "spike"
    assert element(view, "sensitivity")["initial_option"]["value"] == "high"
    assert element(view, "channel")["initial_conversation"] == "C0MARKETING"
    assert "default_to_current_conversation" not in element(view, "channel")

    bot.ask(f"alert add account clicks > 500 per 15m to {MARKETING}")
    threshold = next(r for r in bot.rules() if r.condition == "threshold")
    filled = modal_bot.edit(threshold.id)
    assert element(filled, "clicks")["initial_value"] == "500"
    assert element(filled, "window")["initial_option"]["value"] == "900"
    assert element(filled, "scope")["initial_option"]["value"] == "account"


def test_an_edit_changes_the_rule_in_place_as_the_grammar_would_make_it(
    modal_bot: ModalBot,
) -> None:
    bot = modal_bot.home.bot
    bot.ask(f"alert add link spring-sale-mobile spike to {MARKETING}")
    (rule,) = bot.rules()
    view = modal_bot.edit(rule.id)
    saved(modal_bot, view, values("tag:email", "drop", sensitivity="low", channel="C0GENERAL"))
    (edited,) = bot.rules()
    assert edited.id == rule.id
    # What the typed grammar makes of the same inputs (in another workspace: no duplicate).
    bot.ask("alert add tag email drop low to <#C0GENERAL|general>", team=OTHER_TEAM)
    (typed,) = bot.rules(OTHER_TEAM)
    assert {**row(edited), "team_id": OTHER_TEAM} == row(typed)
    assert edited.detector_state != rule.detector_state  # reseeded for the new subject

    # Only the channel changes: what the detector learnt is kept.
    view = modal_bot.edit(rule.id)
    saved(modal_bot, view, values("tag:email", "drop", sensitivity="low"))
    (moved,) = bot.rules()
    assert moved.channel_id == "C0MARKETING"
    assert moved.detector_state == edited.detector_state


def test_an_edit_that_duplicates_another_rule_is_refused_inline(modal_bot: ModalBot) -> None:
    bot = modal_bot.home.bot
    bot.ask(f"alert add account spike to {MARKETING}")
    bot.ask(f"alert add account drop to {MARKETING}")
    _spike, drop = sorted(bot.rules(), key=lambda r: r.id)
    view = modal_bot.edit(drop.id)
    body = modal_bot.submit(view, values("account", "spike")).json()
    assert "already does exactly that" in body["errors"]["scope"]
    assert bot.rule(drop.id).condition == "drop"


def test_a_member_may_edit_their_own_rule_but_not_others(modal_bot: ModalBot) -> None:
    bot = modal_bot.home.bot
    bot.ask(f"alert add account spike to {MARKETING}")
    (alices,) = bot.rules()
    home = modal_bot.home.open(user=MEMBER)
    assert not [b for b in home["blocks"] if b.get("block_id") == f"alert_{alices.id}_actions"]
    # A modal made for Alice's rule, submitted by Bob (an old window, or a forged one).
    view = modal_bot.edit(alices.id)
    body = modal_bot.submit(view, values("account", "drop"), user=MEMBER).json()
    assert "can change alert" in body["errors"]["scope"]
    assert bot.rule(alices.id).condition == "spike"
    # Bob's own rule (stored directly: a member cannot add one).
    modal_bot.home.add_rule(by=MEMBER, label="bob's")
    bobs = next(r for r in bot.rules() if r.created_by == MEMBER)
    view = modal_bot.edit(bobs.id, user=MEMBER)
    saved(modal_bot, view, values("account", "drop"), user=MEMBER)
    assert bot.rule(bobs.id).condition == "drop"
    assert bot.rule(bobs.id).created_by == MEMBER
