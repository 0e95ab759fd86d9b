"""`app_home_opened`: publish the App Home tab (`bot.home`) for the user who opened it.

The tab shows the workspace's alerts and digests (and what of each alert could not be
delivered) as they are when it is opened (and after each
click on its buttons, see `bot.listeners.actions.home`): it is read in one short transaction,
then the account's zone is asked of ClickMeter (outside the transaction), then the view goes to
`views.publish`. A clickbot without a database shows a friendly explanation instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from alerts.deliver.poster import error_code
from bot.answers.base import account_zone
from bot.home import home_view, no_database_view, unavailable_view, undelivered_by_rule
from bot.listeners.fields import first
from bot.permissions import Gate
from bot.services import Services
from storage import as_utc

log = logging.getLogger(__name__)

#: The newest dead outbox items read for the tab (what they count per alert, and why).
DEAD_SHOWN = 200


async def build_home(
    services: Services,
    team_id: str,
    notice: str | None = None,
    viewer: Gate | None = None,
) -> View:
    """The home tab of workspace `team_id` as of now (`notice`: the outcome of a click), drawn
    for `viewer` (buttons only on the rows they may change; None: on every row)."""
    now = as_utc(services.pinned_now())
    if services.db is None:
        return no_database_view(now, await account_zone(await services.clickmeter_for(team_id)))
    try:
        db = await services.storage()
        assert db is not None
        # Only reads: on SQLite it takes no write lock, so opening the tab never queues
        # behind (or fails on) the clicks and commands writing at the same time.
        async with db.reading() as tx:
            rules = list(await tx.rules.list_active(team_id))
            episodes = list(await tx.episodes.list_open(team_id))
            digests = list(await tx.digests.list_active(team_id))
            dead = await tx.outbox.dead(team_id, limit=DEAD_SHOWN)
    except SQLAlchemyError:
        log.exception("could not read the home tab of team %s", team_id)
        return unavailable_view(now, await account_zone(await services.clickmeter_for(team_id)))
    zone = await account_zone(await services.clickmeter_for(team_id))
    undelivered = undelivered_by_rule((item.last_error, rule_id) for item, rule_id in dead)
    may_change, note = await viewer.viewer() if viewer is not None else (None, None)
    return home_view(
        rules,
        episodes,
        digests,
        now,
        zone,
        notice=notice,
        undelivered=undelivered,
        may_change=may_change,
        viewer_note=note,
        may_add=viewer is not None and await viewer.may_change(),
    )


async def publish_home(
    services: Services,
    client: AsyncWebClient,
    team_id: str,
    user_id: str,
    notice: str | None = None,
) -> None:
    """Build the home tab of `team_id` and publish it for `user_id` (failures are logged)."""
    view = await build_home(services, team_id, notice, services.gate(client, team_id, user_id))
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("could not publish the home tab for %s: %s", user_id, error_code(exc))
    except Exception as exc:  # Slack unreachable: the next opening tries again
        log.warning("could not publish the home tab for %s: %r", user_id, exc)


def event_team(body: dict[str, Any]) -> str:
    """The workspace an Events API callback came from."""
    team = body.get("team_id") or first(body.get("authorizations")).get("team_id")
    return str(team or "")


def home_opened(services: Services) -> Callable[..., Awaitable[None]]:
    async def home_opened(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab: questions there arrive as message.im
        user, team = str(event.get("user") or ""), event_team(body)
        if not user or not team:
            log.warning("app_home_opened without a user or a team: ignored")
            return
        await publish_home(services, client, team, user)

    return home_opened
