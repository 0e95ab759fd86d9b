"""The App Home tab's buttons: **Mute 1h**, **Unmute**, **Retry** (an alert's undelivered
notices), **Remove** (an alert or a digest).

Each is acknowledged at once; the change runs lazily, only ever on a rule or digest of the
workspace the click came from, and the home tab is then published again for the person who
clicked, with the outcome in a line under its header (home tab clicks have no response_url to
answer on). Removes are confirmed in Slack first (the buttons carry a confirm dialog).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.answers.alert_phrasing import summary, when
from bot.answers.base import account_zone
from bot.answers.digests import schedule_text
from bot.home import button_id
from bot.listeners.actions.alerts import mute_rule
from bot.listeners.events.app_home import publish_home
from bot.listeners.fields import first, user_and_team
from bot.permissions import NotAllowed
from bot.services import Services
from messages import plural
from storage import Transaction, as_utc

log = logging.getLogger(__name__)

#: What a home button does, in a transaction, at a moment shown in a zone: the notice to show.
Change = Callable[["Transaction", "HomeClick", datetime, tzinfo], Awaitable[str]]


@dataclass(frozen=True)
class HomeClick:
    """Who clicked which home button, about which rule or digest, in which workspace."""

    team_id: str
    user_id: str
    target: int | None


def read_home_click(body: dict[str, Any]) -> HomeClick:
    user, team = user_and_team(body)
    return HomeClick(team, user, button_id(first(body.get("actions")).get("value")))


def _gone_alert(click: HomeClick) -> str:
    return f":mag: Alert #{click.target} no longer exists in this workspace: nothing to change."


async def mute_1h(tx: Transaction, click: HomeClick, now: datetime, zone: tzinfo) -> str:
    assert click.target is not None
    until = now + timedelta(hours=1)
    rule, kept = await mute_rule(tx, click.team_id, click.target, until)
    if rule is None:
        return _gone_alert(click)
    if kept is not None:
        return (
            f":no_bell: Alert #{rule.id} is already muted until {when(kept, now, zone)}: "
            f"{summary(rule)}."
        )
    return f":no_bell: Alert #{rule.id} muted until {when(until, now, zone)}: {summary(rule)}."


async def unmute(tx: Transaction, click: HomeClick, now: datetime, zone: tzinfo) -> str:
    assert click.target is not None
    rule = await tx.rules.get(click.team_id, click.target)
    if rule is None:
        return _gone_alert(click)
    await tx.rules.unmute(click.team_id, rule.id)
    return f":bell: Alert #{rule.id} is on again: {summary(rule)}."


async def remove_alert(tx: Transaction, click: HomeClick, now: datetime, zone: tzinfo) -> str:
    assert click.target is not None
    rule = await tx.rules.get(click.team_id, click.target)
    if rule is None:
        return _gone_alert(click)
    await tx.rules.remove(click.team_id, rule.id, now=now)
    return f":wastebasket: Removed alert #{rule.id}: {summary(rule)}."


async def retry(tx: Transaction, click: HomeClick, now: datetime, zone: tzinfo) -> str:
    """Requeue the rule's dead notices (whatever stopped them: the person clicking says it
    is fixed); the worker delivers them, in order, on its next pass."""
    assert click.target is not None
    rule = await tx.rules.get(click.team_id, click.target)
    if rule is None:
        return _gone_alert(click)
    requeued = await tx.outbox.requeue_dead_in(click.team_id, rule_id=rule.id, now=now)
    if not requeued:
        return f":white_check_mark: Nothing of alert #{rule.id} is waiting to be delivered."
    return (
        f":repeat: Trying {plural(requeued, 'notice')} of alert #{rule.id} again: they go out to "
        f"<#{rule.channel_id}> shortly, unless what stopped them is still there."
    )


async def remove_digest(tx: Transaction, click: HomeClick, now: datetime, zone: tzinfo) -> str:
    assert click.target is not None
    digest = await tx.digests.get(click.team_id, click.target)
    if digest is None:
        return (
            f":mag: Digest #{click.target} no longer exists in this workspace: nothing to remove."
        )
    await tx.digests.remove(click.team_id, digest.id, now=now)
    return (
        f":wastebasket: Removed digest #{digest.id} ({schedule_text(digest)} to "
        f"<#{digest.channel_id}>)."
    )


async def _check(
    services: Services, client: AsyncWebClient, click: HomeClick, kind: str, verb: str
) -> None:
    """Raises NotAllowed unless the clicker may `verb` the clicked `kind` (alert or digest);
    an item already gone is left to `change` to report."""
    assert click.target is not None
    db = await services.storage()
    assert db is not None
    async with db.reading() as tx:
        found = await (tx.rules if kind == "alert" else tx.digests).get(click.team_id, click.target)
    if found is not None:
        gate = services.gate(client, click.team_id, click.user_id)
        await gate.change(f"{verb} {kind} #{found.id}", creator=found.created_by, kind=kind)


def home_button(
    services: Services, change: Change, *, kind: str = "alert", verb: str
) -> Callable[..., Awaitable[None]]:
    """The lazy listener of a home button: `change` the clicked item (when the policy lets the
    clicker `verb` it), then re-publish."""

    async def home_button(body: dict[str, Any], client: AsyncWebClient) -> None:
        click = read_home_click(body)
        if not click.user_id or not click.team_id:
            log.warning("a home tab click without a user or a team: ignored")
            return
        notice = None
        if services.db is None:
            notice = ":no_bell: Alerts and digests aren't set up on this clickbot."
        elif click.target is None:
            notice = ":thinking_face: That button didn't say what to change."
        else:
            now = as_utc(services.pinned_now())
            zone = await account_zone(
                await services.clickmeter_for(click.team_id)
            )  # (cached; never inside the tx)
            try:
                await _check(services, client, click, kind, verb)
                db = await services.storage()
                assert db is not None
                async with db.transaction() as tx:
                    notice = await change(tx, click, now, zone)
            except NotAllowed as refused:
                notice = refused.line
            except SQLAlchemyError:
                log.exception("a home tab click on #%s failed", click.target)
                notice = ":warning: I couldn't reach the alert database; try again soon."
        await publish_home(services, client, click.team_id, click.user_id, notice)

    return home_button
