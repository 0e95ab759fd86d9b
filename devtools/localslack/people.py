"""User groups on the local Slack: `usergroups.list` and `usergroups.users.list` (users.info is
in `workspace`), and `add_usergroup` for tests to make one. Token checks are the app's, as for
every other method."""

from __future__ import annotations

from typing import Any

from devtools.localslack.args import as_bool
from devtools.localslack.models import ApiError, UserGroup
from devtools.localslack.workspace import Workspace, api


def add_usergroup(ws: Workspace, group_id: str, handle: str, users: list[str]) -> UserGroup:
    """Create (or replace) a user group with these members."""
    with ws.lock:
        group = UserGroup(group_id, handle, users=list(users))
        ws.usergroups[group.id] = group
        return group


@api("usergroups.list")
def usergroups_list(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    groups = []
    for group in ws.usergroups.values():
        info = group.info()
        if as_bool(args.get("include_users")):
            info["users"] = list(group.users)
        groups.append(info)
    return {"usergroups": groups}


@api("usergroups.users.list")
def usergroups_users_list(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    group = ws.usergroups.get(str(args.get("usergroup") or ""))
    if group is None:
        raise ApiError("no_such_subteam")
    return {"users": list(group.users)}
