"""The buttons on alert posts: **Mute 1h**, **Mute 1d** and **Show link stats**.

Each is acknowledged at once; the work runs lazily and answers the person who clicked, privately
(`respond` with an ephemeral message, leaving the alert post as it is). A button's value is JSON
`{"rule_id": <int|null>, "link_id": <int|null>}` (see `alerts.messages`); a mute only ever
touches a rule of the workspace the click came from.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.answers.alert_phrasing import summary, when
from bot.answers.base import account_zone
from bot.grammar.alert_clauses import MAX_ID
from bot.listeners.fields import first, obj, user_and_team
from bot.permissions import NotAllowed
from bot.reply import compute_answer
from bot.services import Services
from messages import context, section
from storage import as_utc

if TYPE_CHECKING:
    from storage import AlertRule, Transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Click:
    """Who clicked which alert's button, in which workspace."""

    team_id: str
    user_id: str
    rule_id: int | None
    link_id: int | None


def _int(value: object) -> int | None:
    """An id as the database holds them (1..MAX_ID), else None: a larger one never was ours,
    and would overflow the database's integer on the way in."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def read_click(body: dict[str, Any]) -> Click:
    """The click in a `block_actions` body (ids None when the value is not what we sent)."""
    try:
        value = obj(json.loads(str(first(body.get("actions")).get("value") or "{}")))
    except ValueError:
        value = {}
    user, team = user_and_team(body)
    return Click(team, user, _int(value.get("rule_id")), _int(value.get("link_id")))


async def _say(
    respond: AsyncRespond, text: str, blocks: list[dict[str, Any]] | None = None
) -> None:
    if blocks is None:
        blocks = [section(text).to_dict()]
    try:
        await respond(response_type="ephemeral", replace_original=False, text=text, blocks=blocks)
    except Exception as exc:  # the response_url expired, or Slack is down
        log.warning("could not answer a click on an alert button: %s", exc)


def _longer_mute(current: datetime | None, until: datetime) -> datetime | None:
    return current if current is not None and current >= until else None


async def mute_rule(
    tx: Transaction, team_id: str, rule_id: int, until: datetime
) -> tuple[AlertRule | None, datetime | None]:
    """Mute the team's rule until `until`: (the rule or None if it is gone, the end of a longer
    mute already in force, which is kept rather than shortened, else None). Also used by the
    App Home's Mute 1h button."""
    rule = await tx.rules.get(team_id, rule_id)
    # A longer mute in force (a teammate's Mute 1d) is kept, not shortened.
    kept = _longer_mute(rule.muted_until if rule else None, until)
    if rule is not None and kept is None:
        await tx.rules.mute(team_id, rule.id, until)
    return rule, kept


def mute_alert(services: Services, duration: timedelta) -> Callable[..., Awaitable[None]]:
    async def mute_alert(
        body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        click = read_click(body)
        if services.db is None:
            await _say(respond, ":no_bell: Alerts aren't set up on this clickbot: nothing to mute.")
            return
        if click.rule_id is None or not click.team_id:
            await _say(respond, ":thinking_face: This button doesn't say which alert to mute.")
            return
        now = as_utc(services.pinned_now())
        until = now + duration
        gate = services.gate(client, click.team_id, click.user_id)
        try:
            db = await services.storage()
            assert db is not None
            async with db.reading() as tx:
                found = await tx.rules.get(click.team_id, click.rule_id)
            if found is not None:  # (Slack is asked outside the write transaction)
                await gate.change(f"mute alert #{found.id}", creator=found.created_by, kind="alert")
            async with db.transaction() as tx:
                rule, kept = await mute_rule(tx, click.team_id, click.rule_id, until)
        except NotAllowed as refused:
            await _say(respond, refused.line)
            return
        except SQLAlchemyError:
            log.exception("could not mute rule %s from a button", click.rule_id)
            await _say(respond, ":warning: I couldn't reach the alert database; try again soon.")
            return
        if rule is None:
            await _say(
                respond,
                f":mag: Alert #{click.rule_id} no longer exists in this workspace: "
                "nothing to mute.",
            )
            return
        zone = await account_zone(await services.clickmeter_for(click.team_id))
        if kept is not None:
            text = (
                f":no_bell: Alert #{rule.id} is already muted until {when(kept, now, zone)}: "
                f"{summary(rule)}."
            )
        else:
            by = f" by <@{click.user_id}>" if click.user_id else ""
            muted = when(until, now, zone)
            text = f":no_bell: Alert #{rule.id} muted until {muted}{by}: {summary(rule)}."
        hint = f"Turn it back on with `/clickmeter alert unmute {rule.id}`."
        await _say(respond, text, [section(text).to_dict(), context(hint).to_dict()])

    return mute_alert


def show_link(services: Services) -> Callable[..., Awaitable[None]]:
    async def show_link(body: dict[str, Any], respond: AsyncRespond) -> None:
        click = read_click(body)
        if click.link_id is None:
            await _say(respond, ":thinking_face: This alert isn't about one link.")
            return
        result, _ = await compute_answer(f"link {click.link_id} today", services)
        await _say(respond, result.text, result.block_dicts())

    return show_link
