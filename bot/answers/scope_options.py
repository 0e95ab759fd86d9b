"""The alert modal's scope options, searched in ClickMeter as the user types (`block_suggestion`).

Links and groups are ClickMeter's own text search; tags are those of the account's first
`MAX_TAG_SCAN` links (ClickMeter lists tags without their names), matched by substring. The
answer is option groups, "Whole account" first, within Slack's 100 options in all.
"""

from __future__ import annotations

from typing import Any

from bot.answers.alert_add import MAX_TAG_SCAN
from bot.answers.alert_modal import SCOPE_ACCOUNT
from clickmeter import ClickMeterClient, DatapointStatus, DatapointType
from messages import truncate

#: Slack shows at most 100 options; each kind gets a share so none crowds the others out.
PER_KIND = 33
#: Slack's limits on an option's text and value.
_TEXT_LIMIT = 75
_VALUE_LIMIT = 150


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": truncate(text, _TEXT_LIMIT)}, "value": value}


async def _links(client: ClickMeterClient, query: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    links = (
        client.iter_datapoints(expand=True, kind="tl", text=query)
        if query
        else client.iter_datapoints(expand=True, kind="tl")
    )
    async for link in links:
        if link.status is DatapointStatus.DELETED or link.type is DatapointType.TRACKING_PIXEL:
            continue
        found.append(_option(f"link:{link.id}", link.name or link.title or f"#{link.id}"))
        if len(found) >= PER_KIND:
            break
    return found


async def _groups(client: ClickMeterClient, query: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    groups = (
        client.iter_groups(expand=True, text=query) if query else client.iter_groups(expand=True)
    )
    async for group in groups:
        if not group.deleted:
            found.append(_option(f"group:{group.id}", group.name or f"#{group.id}"))
        if len(found) >= PER_KIND:
            break
    return found


async def _tags(client: ClickMeterClient, query: str) -> list[dict[str, Any]]:
    names: dict[str, str] = {}
    seen = 0
    async for link in client.iter_datapoints(expand=True, kind="tl"):
        for tag in link.tags:
            name = (tag.name or "").strip()
            if name and query.casefold() in name.casefold():
                names.setdefault(name.casefold(), name)
        seen += 1
        if seen >= MAX_TAG_SCAN:
            break
    fitting = [n for n in sorted(names.values(), key=str.casefold) if len(n) + 4 <= _VALUE_LIMIT]
    return [_option(f"tag:{name}", name) for name in fitting[:PER_KIND]]


#: What a select may offer: the whole account, links, groups, tags.
EVERY_KIND = frozenset({"account", "links", "groups", "tags"})


async def scope_options(
    client: ClickMeterClient, query: str, kinds: frozenset[str] = EVERY_KIND
) -> dict[str, Any]:
    """The `option_groups` answering a search for `query` (what the user typed so far), of
    the `kinds` asked for (a digest narrows to groups and tags)."""
    query = query.strip()
    groups: list[dict[str, Any]] = []
    if "account" in kinds and (not query or query.casefold() in "whole account"):
        groups.append(
            {"label": _label("Account"), "options": [_option(SCOPE_ACCOUNT, "Whole account")]}
        )
    for label, find in (("Links", _links), ("Groups", _groups), ("Tags", _tags)):
        if label.casefold() not in kinds:
            continue
        options = await find(client, query)
        if options:
            groups.append({"label": _label(label), "options": options})
    return {"option_groups": groups}


def _label(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}
