"""Two `clickbot worker` processes on one PostgreSQL database: each workspace polled by one of
them at a time (leases), shared out between both, and taken over when one is SIGKILLed.

The workers poll every POLL seconds (WORKER_POLL_SECONDS; leases last half of that). Polls are
counted from the workers' own log lines (`poll: ... teams=N`); who holds which workspace is read
from `workspace_leases`.
"""

from __future__ import annotations

import re
import signal
import time
from datetime import datetime

from sqlalchemy import select

from devtools.localslack.signed import TEAM_ID
from storage import AlertEpisode, Transaction, utcnow
from tests.faults.harness import Logged, Stack, wait_until

POLL = 4.0
TEAMS = [TEAM_ID, *(f"T0OTHER{n:02d}" for n in range(5))]
CHANNEL = "C0GENERAL"
#: Clicks in 15 minutes the watched link never gets by itself (the sandbox's busiest link gets
#: well under a hundred a day), and the spike brings in a fifth of a second.
THRESHOLD = 200


def _add_rules(stack: Stack, link: int) -> int:
    """A never-firing rule in each of TEAMS, plus a threshold on `link` in TEAM_ID: its id."""

    async def add(tx: Transaction) -> int:
        for team in TEAMS:
            await tx.rules.add(
                team,
                created_by="U1",
                channel_id=CHANNEL,
                scope_kind="account",
                scope_ref="account",
                scope_label="the account",
                condition="threshold",
                threshold=10**9,
                window_seconds=900,
            )
        rule = await tx.rules.add(
            TEAM_ID,
            created_by="U1",
            channel_id=CHANNEL,
            scope_kind="link",
            scope_ref=str(link),
            scope_label="the link",
            condition="threshold",
            threshold=THRESHOLD,
            window_seconds=900,
        )
        return rule.id

    return stack.run(add)


def _leases(stack: Stack) -> dict[str, tuple[str | None, int]]:
    async def read(tx: Transaction) -> dict[str, tuple[str | None, int]]:
        return await tx.leases.all()

    return stack.run(read)


def _holder_pid(holder: str | None) -> int:
    assert holder is not None
    return int(holder.split(":")[-2])


def _polled(output: str) -> int:
    """Workspaces polled, summed over the cycles in `output`."""
    return sum(int(n) for n in re.findall(r"poll: ok=True calls=\d+ teams=(\d+)", output))


def _episodes(stack: Stack, rule_id: int) -> list[AlertEpisode]:
    async def read(tx: Transaction) -> list[AlertEpisode]:
        query = select(AlertEpisode).where(AlertEpisode.rule_id == rule_id)
        return list(await tx.session.scalars(query))

    return stack.run(read)


def _spread(stack: Stack, pids: set[int]) -> bool:
    leases = _leases(stack)
    holders = [_holder_pid(holder) for holder, _ in leases.values() if holder]
    return len(leases) == len(TEAMS) and set(holders) == pids and len(holders) == len(TEAMS)


def test_two_workers_share_the_workspaces_and_one_takes_over_when_the_other_dies(
    stack: Stack,
) -> None:
    link = int(next(d["id"] for d in stack.sandbox.state()["datapoints"] if d["type"] == 0))
    rule_id = _add_rules(stack, link)
    workers = [stack.start("worker", WORKER_POLL_SECONDS=str(POLL)) for _ in range(2)]
    for worker in workers:
        worker.wait_for_output("worker started")
    by_pid: dict[int, Logged] = {w.process.pid: w for w in workers}
    wait_until(lambda: _spread(stack, set(by_pid)), 30, "the workspaces spread over both")

    # Every workspace is polled once per interval in total, not once per worker.
    seen = [len(w.output()) for w in workers]
    started = time.monotonic()
    time.sleep(4 * POLL)
    polled = sum(_polled(w.output()[at:]) for w, at in zip(workers, seen, strict=True))
    intervals = (time.monotonic() - started) / POLL
    assert (intervals - 1.5) * len(TEAMS) <= polled <= (intervals + 1.5) * len(TEAMS)
    assert _spread(stack, set(by_pid))

    # SIGKILL the worker polling TEAM_ID, then make its link spike.
    holder, fence = _leases(stack)[TEAM_ID]
    victim = by_pid.pop(_holder_pid(holder))
    survivor = next(iter(by_pid.values()))
    assert victim.stop(signal.SIGKILL) == -signal.SIGKILL
    killed_at = utcnow()
    spike = {"datapoint_id": link, "clicks_per_minute": 60_000, "minutes": 2}
    stack.sandbox.control("spike", spike)

    wait_until(lambda: _episodes(stack, rule_id), 10 * POLL, "the alert")
    wait_until(lambda: stack.posts(CHANNEL), 30, "the alert in Slack")
    (episode,) = _episodes(stack, rule_id)
    opened: datetime = episode.started_at
    assert (opened - killed_at).total_seconds() <= 2 * POLL
    new_holder, new_fence = _leases(stack)[TEAM_ID]
    assert _holder_pid(new_holder) == survivor.process.pid
    assert new_fence == fence + 1

    # A few intervals on: still one episode, firing, and one post.
    time.sleep(3 * POLL)
    assert [(e.state, e.resolved_at) for e in _episodes(stack, rule_id)] == [("firing", None)]
    assert len(stack.posts(CHANNEL)) == 1
    assert set(_holder_pid(h) for h, _ in _leases(stack).values()) == {survivor.process.pid}
