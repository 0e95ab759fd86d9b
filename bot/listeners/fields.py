"""Reading the parts of a Slack body a listener needs, whatever the body holds.

Slack's bodies are objects of objects; a body that is not (a field missing, `null`, a list
where an object goes) reads as empty here rather than raising in a lazy listener, where the
error would only be logged and the click left unanswered.
"""

from __future__ import annotations

from typing import Any


def obj(value: object) -> dict[str, Any]:
    """`value` if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def first(value: object) -> dict[str, Any]:
    """The first item of a list (`actions`, `authorizations`) if it is an object, else {}."""
    return obj(value[0]) if isinstance(value, list) and value else {}


def user_and_team(body: dict[str, Any]) -> tuple[str, str]:
    """Who clicked, and in which workspace (`team.id`, else the user's `team_id`): "" if unsaid."""
    user = obj(body.get("user"))
    team = obj(body.get("team")).get("id") or user.get("team_id")
    return str(user.get("id") or ""), str(team or "")
