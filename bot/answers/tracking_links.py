"""`shorten <url> ...` and `link pause|resume <link>`: tracking links made and changed from
Slack, with the account's own ClickMeter client (in distribution mode, the workspace's).

Both change the ClickMeter account, so they follow the rule of every changing action
(`bot.permissions`): workspace admins and owners, and the admin group. Each refusal (a name
already used, an unknown group, a URL ClickMeter will not take, a full plan) is one line saying
what to do; the new link's tracking URL gets a code block of its own, so it copies cleanly.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import string

from slack_sdk.models.blocks import Block

from bot.answers.base import AnswerContext, gate
from bot.answers.stored import one_line
from bot.grammar import LinkStatus, Shorten
from bot.resolve import resolve_group, resolve_link
from clickmeter import (
    ClickMeterClient,
    Datapoint,
    DatapointStatus,
    Domain,
    ForbiddenError,
    Group,
    InvalidUrlError,
    NameTakenError,
    QuotaExceededError,
    UnknownGroupError,
)
from messages import Message, context, escape, fields, make, safe_name, section

#: Letters of the names the bot picks when none is given: lower case and digits, no look-alikes.
_NAME_LETTERS = "".join(c for c in string.ascii_lowercase + string.digits if c not in "l1o0")
NAME_LENGTH = 7
_STATE = {DatapointStatus.ACTIVE: "active", DatapointStatus.PAUSED: "paused"}
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")
#: A 403 on a write that is no full plan: the key reads but may not change the account.
READ_ONLY = (
    ":no_entry: ClickMeter refused: this workspace's API key may not {what}. Ask whoever "
    "manages the ClickMeter account for a key with write rights."
)


def new_name() -> str:
    """A name for a link the user did not name (short, as a shortened URL's path should be)."""
    return "".join(secrets.choice(_NAME_LETTERS) for _ in range(NAME_LENGTH))


def _title(url: str) -> str:
    # ClickMeter's lists show the title: the destination says most about an unnamed link.
    return url.split("://", 1)[-1][:200]


def tracking_url(dp: Datapoint, domain: Domain) -> str | None:
    """The URL people click: ClickMeter's `trackingCode`, else the domain and the name."""
    if dp.tracking_code:
        return dp.tracking_code
    return f"https://{domain.name}/{dp.name}" if domain.name and dp.name else None


def _ref(dp: Datapoint) -> str:
    """How to name `dp` in a command to type: its name when that needs no quotes, else its id."""
    return dp.name if dp.name and _PLAIN.fullmatch(dp.name) else str(dp.id)


async def _create(
    ctx: AnswerContext, command: Shorten, domain: Domain, group: int | None
) -> Datapoint:
    client: ClickMeterClient = ctx.client

    async def make(name: str) -> Datapoint:
        return await client.create_datapoint(
            command.url,
            name=name,
            title=command.name or _title(command.url),
            domain_id=domain.id,
            group_id=group,
            tags=command.tags,
        )

    if command.name is not None:
        return await make(command.name)
    try:
        return await make(new_name())
    except NameTakenError:
        # A name the bot picked was taken (1 in 10^10 per link): one more try with another.
        return await make(new_name())


async def shorten_answer(command: Shorten, ctx: AnswerContext) -> Message:
    """The new link with its tracking URL, or the one line saying why there is none."""
    await gate(ctx).admin("create tracking links")
    client = ctx.client

    async def chosen_group() -> Group | None:
        if command.group is None:
            return None
        return await resolve_group(client, command.group, "shorten <url> group")

    # Independent look-ups: asked at once, a shorten waits on ClickMeter for the slower only.
    domain, group = await asyncio.gather(client.default_domain(), chosen_group())
    try:
        dp = await _create(ctx, command, domain, group.id if group else None)
    except NameTakenError:
        name = safe_name(command.name or "", 100)
        return one_line(
            f":no_entry: The name `{name}` is already used by another link on "
            f"{safe_name(domain.name or 'your tracking domain', 60)}: pick another one with "
            f"`name &lt;new-name&gt;`, or see it with `/clickmeter link {name}`."
        )
    except InvalidUrlError as refused:
        said = refused.errors[0].error_message if refused.errors else None
        why = f" ({safe_name(said, 120)})" if said else ""
        return one_line(
            f":no_entry: ClickMeter won't send clicks to `{safe_name(command.url, 200)}`{why}: "
            "give a whole `https://` address."
        )
    except UnknownGroupError:
        wanted = safe_name(command.group.text if command.group else "", 60)
        return one_line(
            f":mag: ClickMeter has no group `{wanted}` (any more): see `/clickmeter groups` "
            "for yours, or leave `group` out for the default one."
        )
    except QuotaExceededError as full:
        return _full(full)
    except ForbiddenError:
        return one_line(READ_ONLY.format(what="make tracking links"))
    return _made(dp, domain)


def _full(full: QuotaExceededError) -> Message:
    numbers = (
        f" ({full.used:,} of {full.maximum:,} used)"
        if full.used is not None and full.maximum is not None
        else ""
    )
    return one_line(
        f":no_entry: The ClickMeter plan has no tracking links left{numbers}: delete "
        "links you no longer need in ClickMeter, or upgrade the plan, then try again."
    )


def _made(dp: Datapoint, domain: Domain) -> Message:
    url = tracking_url(dp, domain)
    name = dp.name or str(dp.id)
    ref = safe_name(_ref(dp), 100)
    destination = dp.type_tl.url if dp.type_tl is not None and dp.type_tl.url else None
    pairs = [
        ("Name", safe_name(name, 100)),
        ("Group", safe_name(dp.group_name or "—", 100)),
    ]
    if dp.tags:
        pairs.append(("Tags", ", ".join(safe_name(t.name or str(t.id), 40) for t in dp.tags)))
    if destination:
        pairs.append(("Goes to", safe_name(destination, 500)))
    # Its own code block: copied with a triple click, no link preview, nothing around it.
    shown = (
        section(f"```{escape(url.replace('`', '%60'))}```")
        if url
        else section(f"_ClickMeter gave no tracking URL yet: `/clickmeter link {ref}` shows it._")
    )
    blocks: list[Block] = [
        section(f":link: New tracking link *{safe_name(name, 100)}*, ready to share:"),
        shown,
        *fields(pairs),
        context(
            f"Link {dp.id}",
            f"Its clicks: `/clickmeter link {ref}`",
            f"Stop counting: `/clickmeter link pause {ref}`",
        ),
    ]
    return make(f"New tracking link {name}: {url or dp.id}", blocks)


async def link_status_answer(command: LinkStatus, ctx: AnswerContext) -> Message:
    """Pauses or resumes the link: what it is now, in one line."""
    verb = "pause" if command.pause else "resume"
    await gate(ctx).admin(f"{verb} tracking links")
    dp = await resolve_link(ctx.client, command.link, f"link {verb}")
    name = safe_name(dp.name or dp.title or f"#{dp.id}", 100)
    wanted = DatapointStatus.PAUSED if command.pause else DatapointStatus.ACTIVE
    if dp.status is DatapointStatus.DELETED:
        return one_line(f":wastebasket: *{name}* is deleted: there is nothing to {verb}.")
    if dp.status is DatapointStatus.ABUSE:
        return one_line(
            f":no_entry: ClickMeter blocked *{name}* as spam; only ClickMeter's support can "
            "release it."
        )
    if dp.status is wanted:
        return one_line(f":information_source: *{name}* is {_STATE[wanted]} already.")
    try:
        changed = await ctx.client.set_datapoint_status(dp.id, wanted)
    except ForbiddenError:
        return one_line(READ_ONLY.format(what=f"{verb} links"))
    if command.pause:
        line = (
            f":double_vertical_bar: Paused *{name}*: ClickMeter counts no clicks on it until "
            f"it is resumed (`/clickmeter link resume {safe_name(_ref(dp), 100)}`)."
        )
    else:
        line = f":arrow_forward: Resumed *{name}*: ClickMeter counts its clicks again."
    if changed.status is not wanted:
        shown = _STATE.get(changed.status, changed.status.name.lower())
        line = f":warning: ClickMeter still shows *{name}* as {shown}; try again in a minute."
    return one_line(line)
