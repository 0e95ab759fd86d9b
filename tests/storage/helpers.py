"""Helpers shared by the storage tests: fixed instants and a rule factory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from storage import AlertRule, Transaction

TEAM = "T0001"
OTHER_TEAM = "T0002"
BASE = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def at(seconds: float = 0) -> datetime:
    """A fixed aware UTC instant, `seconds` after BASE."""
    return BASE + timedelta(seconds=seconds)


async def add_rule(tx: Transaction, team_id: str = TEAM, **overrides: Any) -> AlertRule:
    """A threshold rule on the whole account, with any field overridden."""
    fields: dict[str, Any] = {
        "created_by": "U0001",
        "channel_id": "C0001",
        "scope_kind": "account",
        "scope_ref": "account",
        "scope_label": "the account",
        "condition": "threshold",
        "threshold": 100,
        "window_seconds": 3600,
        "now": at(0),
    }
    fields.update(overrides)
    return await tx.rules.add(team_id, **fields)
