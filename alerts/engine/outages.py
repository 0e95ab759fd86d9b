"""ClickMeter outages, told to each team once, inside the caller's transaction.

After `outage_after` consecutive failed reads, ONE OUTAGE notice per team (to each channel its
active rules post to, and its webhooks), and ONE RECOVERED when a read works again; keyed by
the last good read so each outage is told once.
"""

from __future__ import annotations

from collections.abc import Sequence

from alerts.engine.telling import Context, Tally, enqueue_notice, enqueue_webhooks
from alerts.notice import AlertNotice, NoticeKind
from storage import AlertRule, Transaction


def _channels(rules: Sequence[AlertRule]) -> list[str]:
    return sorted({rule.channel_id for rule in rules})


async def _tell_team(
    tx: Transaction,
    team_id: str,
    rules: Sequence[AlertRule],
    kind: NoticeKind,
    key: str,
    message: str,
    ctx: Context,
    tally: Tally,
) -> None:
    notice = AlertNotice(
        kind=kind, team_id=team_id, at=ctx.now, timezone=ctx.timezone, message=message
    )
    for channel in _channels(rules):
        await enqueue_notice(
            tx,
            notice,
            kind="slack.post",
            channel=channel,
            key=f"{key}:{channel}",
            episode_id=None,
            depends_on=None,
            ctx=ctx,
            tally=tally,
        )
    await enqueue_webhooks(tx, notice, key, None, ctx, tally)


async def record_failure(
    tx: Transaction,
    team_id: str,
    rules: Sequence[AlertRule],
    ctx: Context,
    *,
    outage_after: int,
    error: str,
) -> Tally:
    """Count a failed read for the team; at the `outage_after`-th in a row, say OUTAGE once."""
    tally = Tally()
    state = await tx.polls.get(team_id)
    failures = (state.consecutive_failures if state else 0) + 1
    last_success = state.last_success_at if state else None
    notified = bool(state and state.outage_notified)
    if failures >= outage_after and not notified:
        since = last_success.isoformat() if last_success else "never"
        message = (
            f"clickbot can't read ClickMeter ({failures} reads in a row failed: {error}). "
            "Alerts are on hold until it answers again; nothing is lost meanwhile."
        )
        await _tell_team(
            tx, team_id, rules, NoticeKind.OUTAGE, f"outage:{since}", message, ctx, tally
        )
        notified = True
        tally.outages += 1
    await tx.polls.put(
        team_id,
        last_cycle_at=ctx.now,
        last_success_at=last_success,
        consecutive_failures=failures,
        outage_notified=notified,
    )
    return tally


async def record_success(
    tx: Transaction, team_id: str, rules: Sequence[AlertRule], ctx: Context
) -> Tally:
    """Note a good read for the team; say RECOVERED once if an OUTAGE was said."""
    tally = Tally()
    state = await tx.polls.get(team_id)
    if state is not None and state.outage_notified:
        since = state.last_success_at.isoformat() if state.last_success_at else "never"
        message = "clickbot can read ClickMeter again: alerts are back on."
        await _tell_team(
            tx, team_id, rules, NoticeKind.RECOVERED, f"recovered:{since}", message, ctx, tally
        )
        tally.recoveries += 1
    await tx.polls.put(
        team_id,
        last_cycle_at=ctx.now,
        last_success_at=ctx.now,
        consecutive_failures=0,
        outage_notified=False,
    )
    return tally
