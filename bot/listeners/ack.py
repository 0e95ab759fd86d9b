"""The ack every listener of this app gives: at once and empty, within Slack's 3 s.

Each Slack surface is registered as `ack=acknowledge` with the real work in `lazy=[...]`
listeners, so no ack ever waits on ClickMeter, the database or the Slack Web API.
"""

from slack_bolt.context.ack.async_ack import AsyncAck


async def acknowledge(ack: AsyncAck) -> None:
    """Acknowledges the request with an empty 200 (the answer, if any, comes lazily)."""
    await ack()
