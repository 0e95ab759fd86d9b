"""A sender that dies (SIGKILL) right after Slack accepted a post, before recording it.

Run as `python -m tests.alerts.deliver.crash_sender DATABASE_URL SLACK_API_URL TOKEN LEASE`:
one delivery pass, whose first successful send kills the process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta

from alerts.deliver import Delivery, Outcome, Sent, SlackPoster, SlackPostReceiver, deliver_once
from storage import Database


class DiesAfterSending(SlackPostReceiver):
    async def deliver(self, delivery: Delivery) -> Outcome:
        outcome = await super().deliver(delivery)
        if isinstance(outcome, Sent):
            os.kill(os.getpid(), signal.SIGKILL)
        return outcome


async def main(url: str, api_url: str, token: str, lease: float) -> None:
    async with Database(url) as db:
        receiver = DiesAfterSending(SlackPoster(token, base_url=api_url, per_channel_interval=0))
        await deliver_once(db, [receiver], lease=timedelta(seconds=lease))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
