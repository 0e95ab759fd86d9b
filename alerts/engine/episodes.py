"""Alert episodes and what is said about them, Alertmanager style, written to the outbox.

Everything here runs inside the caller's transaction, so an episode change and the outbox items
announcing it commit together or not at all. Every enqueue has a dedupe key, so running the same
step twice (a retried cycle) never adds an item:

- an episode **fires once**: a `slack.post` FIRING notice to the rule's channel
  (`ep{id}:firing`) and one `webhook` item per active webhook of the team
  (`ep{id}:firing:wh{webhook}`);
- while it lasts, **at most one UPDATE per repeat interval** (default 1 h): a `slack.update` that
  edits the original post (it depends on the post item, so it waits for its ts) and the webhooks
  (`ep{id}:update:{n}`, `...:wh{webhook}`); no new channel message;
- when it **ends**: a `slack.update` RESOLVED edit of the post and a threaded `slack.reply`, both
  depending on the post (`ep{id}:resolved`, `ep{id}:resolved:reply`), and the webhooks.

Mute (`muted_until > now`): detectors keep learning and episodes are still recorded, but nothing
new is said: no FIRING, no UPDATE, no reply, no webhook. Two exceptions, so no message is left
lying: an episode that started while muted and **is still going on at unmute** is announced then
(FIRING, at the first cycle after the mute); and an episode announced before a mute that ends
during it gets its RESOLVED edit of the original post (the edit only: no reply, no webhook).

A removed rule's open episode is resolved at the next cycle (`close_orphan`): the RESOLVED
edit of its post if it was announced, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from alerts.detect import Decision
from alerts.engine.telling import Context, Tally, enqueue_notice, enqueue_webhooks
from alerts.notice import AlertNotice, NoticeKind
from storage import AlertEpisode, AlertRule, Transaction
from storage.subjects import Subject


def level_shift(decision: Decision, interval_seconds: float) -> dict[str, Any]:
    """A level shift in `decision.details` as notice fields: `shift_ratio` (to normal) and
    `shift_since` (the start of the shift's first interval); empty when the decision saw none.
    Read defensively: the detectors own their details, and a key may be missing."""
    ratio = decision.details.get("sustained_ratio")
    intervals = decision.details.get("sustained_intervals")
    if not ratio or not intervals or ratio <= 0 or intervals < 1:
        return {}
    since = decision.at - timedelta(seconds=(int(intervals) - 1) * interval_seconds)
    return {"shift_ratio": round(float(ratio), 3), "shift_since": since}


def decision_figures(decision: Decision, interval_seconds: float) -> dict[str, Any]:
    """What a notice says about `decision`: its counts, spans and any level shift."""
    return {
        "observed": decision.observed,
        "expected": decision.expected,
        "seconds": decision.seconds,
        "interval_seconds": interval_seconds,
        **level_shift(decision, interval_seconds),
    }


def stored_shift(details: Mapping[str, Any]) -> dict[str, Any]:
    """The level shift an episode's stored details remember (see `apply_decision`), as notice
    fields; empty when there is none."""
    ratio, since = details.get("shift_ratio"), details.get("shift_since")
    if not isinstance(ratio, int | float) or not isinstance(since, str):
        return {}
    return {"shift_ratio": float(ratio), "shift_since": datetime.fromisoformat(since)}


def notice_for(
    kind: NoticeKind,
    rule: AlertRule,
    episode: AlertEpisode,
    *,
    observed: float,
    expected: float,
    seconds: float,
    recent: list[int],
    ctx: Context,
    interval_seconds: float | None = None,
    shift_ratio: float | None = None,
    shift_since: datetime | None = None,
) -> AlertNotice:
    """The notice about `episode` of `rule` (everything the sender needs to render it)."""
    return AlertNotice(
        kind=kind,
        team_id=rule.team_id,
        at=ctx.now,
        timezone=ctx.timezone,
        rule_id=rule.id,
        episode_id=episode.id,
        condition=rule.condition,
        subject=episode.subject,
        subject_label=rule.scope_label,
        link_id=rule.subject.link_id,
        observed=round(observed, 2),
        expected=round(expected, 2),
        window_seconds=max(1, round(seconds)),
        interval_seconds=round(interval_seconds) if interval_seconds else None,
        shift_ratio=shift_ratio,
        shift_since=shift_since,
        threshold=rule.threshold,
        sensitivity=rule.sensitivity,
        started_at=episode.started_at,
        resolved_at=episode.resolved_at,
        recent=recent,
    )


def _decided(
    kind: NoticeKind,
    rule: AlertRule,
    episode: AlertEpisode,
    decision: Decision,
    recent: list[int],
    ctx: Context,
) -> AlertNotice:
    # A shift seen once is still what the episode is about when it is updated or resolved.
    figures = {
        **stored_shift(episode.details or {}),
        **decision_figures(decision, ctx.interval_seconds),
    }
    return notice_for(kind, rule, episode, recent=recent, ctx=ctx, **figures)


async def apply_decision(
    tx: Transaction,
    rule: AlertRule,
    subject: Subject,
    decision: Decision,
    recent: list[int],
    ctx: Context,
    episode: AlertEpisode | None,
) -> Tally:
    """Bring the rule's stored episode for `subject` (`episode`: the open one, as loaded in
    this transaction, or None) in line with the detector's `decision` and enqueue what must be
    said (see the module docstring). Returns what it did."""
    tally = Tally()
    now, muted = ctx.now, rule.is_muted(ctx.now)
    figures = {"observed": decision.observed, "expected": decision.expected}
    if decision.episode_open:
        if episode is None:
            details: dict[str, Any] = {"announced": False, "updates": 0}
            details["peak"] = decision.observed
            episode = await tx.episodes.open(
                rule.team_id,
                rule.id,
                subject=subject.key,
                kind=rule.condition,
                details=details,
                now=now,
                **figures,
            )
            tally.fired += 1
            tally.events.append(f"fired rule {rule.id} {subject}")
        details = dict(episode.details)  # a copy: the JSON column must see a new value
        details["peak"] = max(float(details.get("peak", 0.0)), decision.observed)
        shift = level_shift(decision, ctx.interval_seconds)
        if shift:  # the first interval of the shift stays; its size follows the latest reading
            details["shift_ratio"] = shift["shift_ratio"]
            details.setdefault("shift_since", shift["shift_since"].isoformat())
        if not muted and not details.get("announced"):
            details["post_item"] = await _announce(tx, rule, episode, decision, recent, ctx, tally)
            details["announced"], details["notified_at"] = True, now.isoformat()
        elif not muted and _due(details, ctx):
            details["updates"] = int(details.get("updates", 0)) + 1
            details["notified_at"] = now.isoformat()
            notice = _decided(NoticeKind.UPDATE, rule, episode, decision, recent, ctx)
            key = f"ep{episode.id}:update:{details['updates']}"
            await enqueue_notice(
                tx,
                notice,
                kind="slack.update",
                channel=rule.channel_id,
                key=key,
                episode_id=episode.id,
                depends_on=details.get("post_item"),
                ctx=ctx,
                tally=tally,
            )
            await enqueue_webhooks(tx, notice, key, episode.id, ctx, tally)
            tally.updated += 1
        await tx.episodes.update(rule.team_id, episode.id, details=details, now=now, **figures)
    elif episode is not None:
        resolved = await tx.episodes.resolve(
            rule.team_id, episode.id, observed=decision.observed, now=now
        )
        tally.resolved += 1
        tally.events.append(f"resolved rule {rule.id} {subject}")
        if resolved is not None and episode.details.get("announced"):
            notice = _decided(NoticeKind.RESOLVED, rule, resolved, decision, recent, ctx)
            await _announce_end(tx, rule, resolved, notice, ctx, tally, edit_only=muted)
    return tally


def _due(details: dict[str, Any], ctx: Context) -> bool:
    last = details.get("notified_at")
    if not details.get("announced") or not last:
        return False
    return ctx.now - datetime.fromisoformat(str(last)) >= ctx.repeat_interval


async def _announce(
    tx: Transaction,
    rule: AlertRule,
    episode: AlertEpisode,
    decision: Decision,
    recent: list[int],
    ctx: Context,
    tally: Tally,
) -> int:
    notice = _decided(NoticeKind.FIRING, rule, episode, decision, recent, ctx)
    key = f"ep{episode.id}:firing"
    post = await enqueue_notice(
        tx,
        notice,
        kind="slack.post",
        channel=rule.channel_id,
        key=key,
        episode_id=episode.id,
        depends_on=None,
        ctx=ctx,
        tally=tally,
    )
    await enqueue_webhooks(tx, notice, key, episode.id, ctx, tally)
    tally.announced += 1
    tally.events.append(f"announced episode {episode.id}")
    return post.id


async def _announce_end(
    tx: Transaction,
    rule: AlertRule,
    episode: AlertEpisode,
    notice: AlertNotice,
    ctx: Context,
    tally: Tally,
    *,
    edit_only: bool,
) -> None:
    post = episode.details.get("post_item")
    key = f"ep{episode.id}:resolved"
    common: dict[str, Any] = {
        "channel": rule.channel_id,
        "episode_id": episode.id,
        "depends_on": post,
        "ctx": ctx,
        "tally": tally,
    }
    await enqueue_notice(tx, notice, kind="slack.update", key=key, **common)
    if not edit_only:
        await enqueue_notice(tx, notice, kind="slack.reply", key=f"{key}:reply", **common)
        await enqueue_webhooks(tx, notice, key, episode.id, ctx, tally)


async def close_orphan(
    tx: Transaction, rule: AlertRule, episode: AlertEpisode, ctx: Context
) -> Tally:
    """Resolve an episode whose rule was removed (or can no longer be evaluated), so it does
    not stay 'firing' forever: an announced one gets its RESOLVED edit of the post, no reply
    and no webhook (nobody watches that rule any more)."""
    tally = Tally()
    resolved = await tx.episodes.resolve(rule.team_id, episode.id, now=ctx.now)
    if resolved is None:
        return tally
    tally.resolved += 1
    tally.events.append(f"closed episode {episode.id} of removed rule {rule.id}")
    if episode.details.get("announced"):
        notice = notice_for(
            NoticeKind.RESOLVED,
            rule,
            resolved,
            observed=resolved.observed,
            expected=resolved.expected,
            seconds=300,
            recent=[],
            ctx=ctx,
        )
        await _announce_end(tx, rule, resolved, notice, ctx, tally, edit_only=True)
    return tally
