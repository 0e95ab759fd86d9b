"""Links and groups as users name them -> ClickMeter objects.

A name resolves by, in order: its id (a bare number), its exact name or title (any case), a
unique prefix of one, then ClickMeter's own text search. Several equally good matches raise
`ResolveError` listing them with their ids; no match raises one with the closest names.
Deleted items only win when nothing live matches, so an old copy never makes a name ambiguous.
"""

from __future__ import annotations

import difflib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.grammar import NameRef
from clickmeter import ClickMeterClient, Datapoint, DatapointStatus, Group, NotFoundError
from messages.format import escape, safe_name

#: Candidates listed when a name is ambiguous.
MAX_CANDIDATES = 10
#: Names read to suggest the closest ones when nothing matched (10 pages of the list).
MAX_SCANNED = 1000
#: Search results read before judging (plenty for a name typed to find one item).
MAX_MATCHES = 300

E = TypeVar("E", Datapoint, Group)


class ResolveError(Exception):
    """A name that is not exactly one link or group; `message` is escaped mrkdwn to show."""

    def __init__(self, message: str, candidates: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(message)
        self.message = message
        #: (id, name) of the items the name could mean, at most MAX_CANDIDATES.
        self.candidates = list(candidates)


@dataclass(frozen=True, slots=True)
class _Kind:
    noun: str  # "link" / "group"
    command: str  # what picks one by id: "link", "hits", "top countries link"...


def _names(item: Datapoint | Group) -> list[str]:
    title = item.title if isinstance(item, Datapoint) else None
    return [n.casefold() for n in (item.name, title) if n]


def _deleted(item: Datapoint | Group) -> bool:
    if isinstance(item, Datapoint):
        return item.status is DatapointStatus.DELETED
    return item.deleted


def _label(item: Datapoint | Group) -> str:
    return item.name or (item.title if isinstance(item, Datapoint) else None) or f"#{item.id}"


def _pick(matches: list[E]) -> list[E]:
    live = [m for m in matches if not _deleted(m)]
    return live or matches


def _ambiguous(text: str, matches: Sequence[Datapoint | Group], kind: _Kind) -> ResolveError:
    shown = matches[:MAX_CANDIDATES]
    lines = [f"• {safe_name(_label(m), 80)} (`{m.id}`)" for m in shown]
    if len(matches) > len(shown):
        lines.append(f"• … and {len(matches) - len(shown):,} more")
    example = f"/clickmeter {kind.command} {shown[0].id}"
    message = (
        f"`{safe_name(text, 60)}` matches {len(matches):,} {kind.noun}s:\n"
        + "\n".join(lines)
        + f"\nPick one by id, e.g. `{escape(example)}`, or type more of its name."
    )
    return ResolveError(message, [(m.id, _label(m)) for m in shown])


async def _resolve(
    ref: NameRef,
    kind: _Kind,
    by_id: Callable[[int], Awaitable[E]],
    search: Callable[[str], AsyncIterator[E]],
    every: Callable[[], AsyncIterator[E]],
) -> E:
    if ref.id is not None:
        try:
            return await by_id(ref.id)
        except NotFoundError:
            pass  # a name may be all digits ("2026"): look it up as one before giving up
    wanted = ref.text.casefold().strip()
    matches: list[E] = []
    async for item in search(ref.text):
        matches.append(item)
        if len(matches) >= MAX_MATCHES:
            break
    exact = [m for m in matches if wanted in _names(m)]
    prefix = [m for m in matches if any(n.startswith(wanted) for n in _names(m))]
    for tier in (exact, prefix, matches):
        chosen = _pick(tier)
        if len(chosen) == 1:
            return chosen[0]
        if chosen:
            raise _ambiguous(ref.text, chosen, kind)
    raise await _none(ref, kind, every)


async def _none(ref: NameRef, kind: _Kind, every: Callable[[], AsyncIterator[E]]) -> ResolveError:
    names: list[str] = []
    async for item in every():
        names.extend(n for n in (item.name,) if n)
        if len(names) >= MAX_SCANNED:
            break
    close = difflib.get_close_matches(ref.text, names, n=5, cutoff=0.5)
    shown = safe_name(ref.text, 60)
    what = (
        f"no {kind.noun} with id `{shown}` or named that"
        if ref.id
        else f"no {kind.noun} named `{shown}`"
    )
    message = f"There's {what}."
    if close:
        message += " Closest: " + ", ".join(f"`{safe_name(n, 60)}`" for n in close) + "."
    listing = "links" if kind.noun == "link" else "groups"
    message += f" See `/clickmeter {listing}` for yours."
    return ResolveError(message)


async def resolve_link(client: ClickMeterClient, ref: NameRef, command: str = "link") -> Datapoint:
    """The datapoint `ref` names; `command` is what the user would type before an id to pick
    one (`link`, `hits`, `top countries link`), shown when the name is ambiguous."""

    async def by_id(datapoint_id: int) -> Datapoint:
        return await client.datapoint(datapoint_id)

    return await _resolve(
        ref,
        _Kind("link", command),
        by_id,
        lambda text: client.iter_datapoints(expand=True, text=text),
        lambda: client.iter_datapoints(expand=True),
    )


async def resolve_group(client: ClickMeterClient, ref: NameRef, command: str = "group") -> Group:
    """The group `ref` names (see `resolve_link`)."""

    async def by_id(group_id: int) -> Group:
        return await client.group(group_id)

    return await _resolve(
        ref,
        _Kind("group", command),
        by_id,
        lambda text: client.iter_groups(expand=True, text=text),
        lambda: client.iter_groups(expand=True),
    )
