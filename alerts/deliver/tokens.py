"""Which bot token posts a workspace's outbox items, and a Slack poster per workspace.

A `TokenSource` answers the bot token of a workspace (`token_for`), or None when the app is not
installed there, and is told (`forget`) when Slack refused the token it gave, so the next
look-up reads it afresh. Two sources exist:

- `FixedToken`: single-workspace mode, the one SLACK_BOT_TOKEN from the environment;
- `storage.installations.InstalledBotTokens`: distribution mode, each workspace's bot token
  from the installation store (refreshed there when it rotates).

`SlackPosters` turns a source into `SlackPoster`s: one per workspace, so each workspace posts
with its own token and keeps its own per-channel pacing. The Slack receivers ask it for the
poster of each item's workspace (`use`): an item of a workspace without the app becomes
`Permanent(NOT_INSTALLED)`, which a re-install requeues (like a refused token's items).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from alerts.deliver.poster import AUTH_ERRORS, SlackPoster
from alerts.deliver.receiver import Outcome, Permanent, Retry

log = logging.getLogger(__name__)

#: Why an item of a workspace without the app installed is dead: a re-install fixes it.
NOT_INSTALLED = "not installed"
#: The dead reasons a new bot token (a re-install) fixes: the items are requeued then.
FIXED_BY_A_NEW_TOKEN = AUTH_ERRORS | {NOT_INSTALLED}

R = TypeVar("R", bound=Outcome | None)


class TokenSource(Protocol):
    async def token_for(self, team_id: str) -> str | None:
        """The bot token to post to `team_id` with; None when the app is not installed there.
        May raise when the token cannot be read now (e.g. the database is away)."""
        ...

    def forget(self, team_id: str) -> None:
        """Slack refused the token given for `team_id`: read it afresh next time."""
        ...


class FixedToken:
    """One bot token for every item (single-workspace mode: SLACK_BOT_TOKEN)."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def token_for(self, team_id: str) -> str | None:
        return self.token

    def forget(self, team_id: str) -> None:
        """Nothing to read again: the environment's token is the only one there is."""


class SlackPosters:
    """A `SlackPoster` per workspace, with the token `tokens` gives (see the module docstring).

    `single` is the poster every workspace shares when there is only one token (single mode);
    None in distribution mode."""

    def __init__(self, tokens: TokenSource, **poster_options: Any) -> None:
        self.tokens = tokens
        self._options = poster_options
        self._posters: dict[str, SlackPoster] = {}
        self.single: SlackPoster | None = None

    @classmethod
    def sharing(cls, poster: SlackPoster) -> SlackPosters:
        """Every workspace's items through `poster` and its token (single-workspace mode)."""
        token = poster.client.token
        assert token is not None, "a shared poster needs its bot token"
        posters = cls(FixedToken(token))
        posters.single = poster
        return posters

    async def poster_for(self, team_id: str) -> SlackPoster | None:
        """The poster of `team_id` with its current token; None when the app is not installed
        there. Raises what the token source raises."""
        if self.single is not None:
            return self.single
        token = await self.tokens.token_for(team_id)
        if token is None:
            self._posters.pop(team_id, None)
            return None
        poster = self._posters.get(team_id)
        if poster is None:
            poster = self._posters[team_id] = SlackPoster(token, **self._options)
        else:
            # A rotated or re-issued token: the same poster (its channels' pacing kept).
            poster.client.token = token
        return poster

    async def use(self, team_id: str, send: Callable[[SlackPoster], Awaitable[R]]) -> R | Outcome:
        """`send` through the poster of `team_id`; `Permanent(NOT_INSTALLED)` when the app is
        not installed there, `Retry` when its token cannot be read now. A refused token is
        forgotten, so the next item reads the token afresh (a re-install's, or none)."""
        try:
            poster = await self.poster_for(team_id)
        except Exception as error:  # the store is unreachable, say: the item waits
            log.warning("cannot read the bot token of %s: %s", team_id, type(error).__name__)
            return Retry(f"cannot read the workspace's bot token ({type(error).__name__})")
        if poster is None:
            log.info("workspace %s has not installed the app: its item is kept as dead", team_id)
            return Permanent(NOT_INSTALLED)
        outcome = await send(poster)
        if isinstance(outcome, Permanent) and outcome.reason in AUTH_ERRORS:
            self.tokens.forget(team_id)
        return outcome

    async def tell(
        self, team_id: str, user_id: str, text: str, blocks: list[dict[str, Any]]
    ) -> bool:
        """A direct message to `user_id` of `team_id`; True if it arrived."""
        try:
            poster = await self.poster_for(team_id)
        except Exception as error:
            log.warning("cannot read the bot token of %s: %s", team_id, type(error).__name__)
            return False
        return poster is not None and await poster.tell(user_id, text, blocks)


def posters_of(slack: SlackPoster | SlackPosters) -> SlackPosters:
    """Receivers take either: a single poster is shared by every workspace."""
    return slack if isinstance(slack, SlackPosters) else SlackPosters.sharing(slack)
