"""What the worker and the sender report as they run, for whoever watches (Prometheus).

The process that builds the worker hands it an `Observer` (`bot.metrics` implements one with
its counters); `NO_OBSERVER` ignores everything, for tests and tools. Calls are made from the
event loop and must not block.
"""

from __future__ import annotations

from typing import Literal, Protocol

#: What became of delivery attempts: delivered, to be tried again, or given up on; or left to
#: another sender that took the item's claim over (this one stalled past its lease).
DeliveryResult = Literal["sent", "retried", "dead", "stale"]


class Observer(Protocol):
    def poll_cycle(self, *, ok: bool, seconds: float | None) -> None:
        """A poll cycle ended; `seconds` it took, None when it failed before reporting."""
        ...

    def alerts_fired(self, count: int) -> None:
        """`count` alert episodes started in a cycle."""
        ...

    def deliveries(self, result: DeliveryResult, count: int) -> None:
        """One sender pass ended with `count` attempts of this `result` (called for each
        result after every pass, with 0 when there were none)."""
        ...

    def throttled(self, receiver: str, count: int) -> None:
        """In one sender pass, `count` attempts to deliver to `receiver` (the outbox kind:
        slack.post, slack.update, slack.digest...) were turned away by a rate limit (called
        only for receivers with some)."""
        ...


class _Ignore:
    def poll_cycle(self, *, ok: bool, seconds: float | None) -> None:
        return None

    def alerts_fired(self, count: int) -> None:
        return None

    def deliveries(self, result: DeliveryResult, count: int) -> None:
        return None

    def throttled(self, receiver: str, count: int) -> None:
        return None


NO_OBSERVER: Observer = _Ignore()
