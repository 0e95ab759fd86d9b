"""Who may change what, one policy for every surface (commands, App Home and message buttons).

- Everyone in the workspace may ask (stats, top, links, hits).
- Alerts and digests: workspace admins and owners, members of the user group an admin named
  (`/clickmeter admins @growth-leads`), and a rule's creator for their own rule.
- Webhooks, IP-level reports (`top ips`) and naming the group: admins, owners and that group.
- Making, pausing and resuming tracking links (they change the ClickMeter account, and a link
  has no creator here): admins, owners and that group.

Slack says who is an admin (`users.info`: `is_admin` / `is_owner`) and who is in the group
(`usergroups.users.list`); both are remembered for `LOOKUP_TTL_S` per workspace, so a burst of
clicks costs one look-up. When Slack cannot say, the change is refused (fail closed) with one
line saying so. A `Gate` is one person's view of the policy for one request: the answers and
listeners ask it, and it raises `NotAllowed` with the line to show instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cachetools import TTLCache
from slack_sdk.errors import SlackApiError, SlackClientError

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from storage import Database

log = logging.getLogger(__name__)

#: How long Slack's word on a person (admin or not) or a group's members is trusted: a demoted
#: admin or a member taken out of the group loses their rights within a minute.
LOOKUP_TTL_S = 60.0
#: People and groups remembered at most (every workspace together).
LOOKUP_CACHE_SIZE = 10_000

UNVERIFIABLE = (
    ":warning: I couldn't check with Slack who may change things here, so nothing was changed. "
    "Please try again in a minute."
)


class NotAllowed(Exception):
    """The person may not do this; `line` says who can (or that Slack could not say)."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


@dataclass(frozen=True, slots=True)
class AdminGroupRef:
    """The user group a workspace named: its id (`S…`) and handle (`growth-leads`)."""

    id: str
    handle: str


@dataclass(frozen=True, slots=True)
class Standing:
    """What the policy knows of one person: admin or owner, and in the admin group."""

    is_admin: bool
    in_group: bool
    group: AdminGroupRef | None


class Directory:
    """Slack's answers about people and groups, remembered for `ttl` seconds. One per
    process, shared by every request; keys carry the workspace, so workspaces never mix."""

    def __init__(
        self, ttl: float = LOOKUP_TTL_S, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._admins: TTLCache[tuple[str, str], bool] = TTLCache(LOOKUP_CACHE_SIZE, ttl, timer)
        self._members: TTLCache[tuple[str, str], frozenset[str]] = TTLCache(
            LOOKUP_CACHE_SIZE, ttl, timer
        )

    async def is_admin(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        """True for the workspace's admins and owners (`users.info`); raises SlackClientError."""
        key = (team_id, user_id)
        if (known := self._admins.get(key)) is not None:
            return known
        user = (await client.users_info(user=user_id)).get("user") or {}
        answer = bool(user.get("is_admin") or user.get("is_owner"))
        self._admins[key] = answer
        return answer

    async def members(self, client: AsyncWebClient, team_id: str, group_id: str) -> frozenset[str]:
        """The group's members' ids (`usergroups.users.list`); raises SlackClientError."""
        key = (team_id, group_id)
        if (known := self._members.get(key)) is not None:
            return known
        users = (await client.usergroups_users_list(usergroup=group_id)).get("users") or []
        answer = frozenset(str(u) for u in users)
        self._members[key] = answer
        return answer

    def forget(self, team_id: str) -> None:
        """Forget the workspace's group members (its admin group just changed)."""
        for key in [k for k in list(self._members.keys()) if k[0] == team_id]:
            self._members.pop(key, None)

    async def find_group(self, client: AsyncWebClient, handle: str) -> AdminGroupRef | None:
        """The workspace's user group with this handle (`usergroups.list`), or None."""
        wanted = handle.removeprefix("@").casefold()
        for group in (await client.usergroups_list()).get("usergroups") or []:
            if str(group.get("handle", "")).casefold() == wanted:
                return AdminGroupRef(str(group["id"]), str(group["handle"]))
        return None


async def admin_group(db: Database | None, team_id: str) -> AdminGroupRef | None:
    """The group the workspace named, or None (also when there is no database)."""
    if db is None:
        return None
    async with db.reading() as tx:
        row = await tx.admin_groups.get(team_id)
    return AdminGroupRef(row.group_id, row.handle) if row is not None else None


def _who(group: AdminGroupRef | None, creator: str | None) -> str:
    """`workspace admins, @growth-leads and the alert's creator` (as many as apply)."""
    names = ["workspace admins"]
    if group is not None:
        names.append(f"@{group.handle}")
    if creator is not None:
        names.append(creator)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass
class Gate:
    """The policy as it applies to one person in one workspace, for one request.

    `client` carries the workspace's bot token (Bolt's injected one); without a client or a
    team, nothing can be checked and every change is refused."""

    directory: Directory
    client: AsyncWebClient | None
    team_id: str | None
    user_id: str | None
    db: Database | None = None
    _standing: Standing | None = field(default=None, repr=False)

    @classmethod
    def known(cls, standing: Standing, user_id: str = "U0KNOWN") -> Gate:
        """A gate whose answer is already known (for answering without Slack)."""
        return cls(Directory(), None, "T0KNOWN", user_id, None, standing)

    async def standing(self) -> Standing:
        """What Slack says of this person now (cached); raises NotAllowed when it can't."""
        if self._standing is not None:
            return self._standing
        if self.client is None or not self.team_id or not self.user_id:
            raise NotAllowed(UNVERIFIABLE)
        try:
            group = await admin_group(self.db, self.team_id)
            is_admin = await self.directory.is_admin(self.client, self.team_id, self.user_id)
            in_group = False
            if not is_admin and group is not None:
                members = await self.directory.members(self.client, self.team_id, group.id)
                in_group = self.user_id in members
        except (SlackApiError, SlackClientError) as exc:
            log.warning("could not learn who may change things in %s: %s", self.team_id, exc)
            raise NotAllowed(UNVERIFIABLE) from None
        except (TypeError, ValueError) as exc:  # a request the HTTP client would not send
            log.warning("could not ask Slack who may change things in %s: %r", self.team_id, exc)
            raise NotAllowed(UNVERIFIABLE) from None
        self._standing = Standing(is_admin, in_group, group)
        return self._standing

    async def change(self, action: str, *, creator: str | None = None, kind: str = "") -> None:
        """May this person `action` ("remove alert #12", "add alerts")? `creator` is the user
        id that made the rule acted on (who may also), `kind` its kind ("alert", "digest")."""
        if creator is not None and creator == self.user_id:
            return  # their own rule: no need to ask Slack
        standing = await self.standing()
        if standing.is_admin or standing.in_group:
            return
        whose = f"the {kind}'s creator" if creator is not None and kind else None
        raise NotAllowed(f":lock: Only {_who(standing.group, whose)} can {action}.")

    async def admin(self, action: str) -> None:
        """May this person `action` ("add webhooks", "see visitors' IP addresses")? Only
        admins, owners and the admin group may."""
        await self.change(action)

    async def workspace_admin(self, action: str) -> None:
        """May this person `action` ("name the admin group")? Only admins and owners: the
        group's members may not hand the group's rights on."""
        if not (await self.standing()).is_admin:
            raise NotAllowed(f":lock: Only workspace admins can {action}.")

    async def viewer(self) -> tuple[Callable[[str], bool], str]:
        """Whose rules this person may change (creator's user id -> yes/no), as one predicate
        for a view drawn once per person, and the line that says who else can. Slack failing:
        only their own rules (the buttons a click would refuse are not offered)."""
        try:
            standing = await self.standing()
        except NotAllowed:
            standing = Standing(is_admin=False, in_group=False, group=None)
        me = self.user_id
        note = (
            f":lock: You can change the alerts and digests you made; "
            f"{_who(standing.group, None)} can change any."
        )
        if standing.is_admin or standing.in_group:
            return (lambda _creator: True), note
        return (lambda creator: creator == me), note

    async def may_change(self, creator: str | None = None) -> bool:
        """Whether `change` would allow this person (Slack failing: False)."""
        try:
            await self.change("", creator=creator)
        except NotAllowed:
            return False
        return True
