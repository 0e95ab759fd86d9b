"""Alert rules: what the Slack commands add, list, mute and remove, and what the poller reads.

Every team-facing method takes the team id and only ever sees that team's rules: asking for
another team's rule id behaves as if it did not exist. Removal is soft (`removed_at`), so
episodes keep pointing at their rule. Methods run inside the caller's transaction
(`Database.transaction()`) and flush, so ids are set when they return.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.models import (
    THRESHOLD_WINDOWS,
    AlertRule,
    Condition,
    ScopeKind,
    Sensitivity,
)
from storage.owned import TeamRows
from storage.types import utcnow


class Rules(TeamRows[AlertRule]):
    model = AlertRule

    async def add(
        self,
        team_id: str,
        *,
        created_by: str,
        channel_id: str,
        scope_kind: ScopeKind,
        scope_ref: str,
        scope_label: str,
        condition: Condition,
        threshold: int | None = None,
        window_seconds: int | None = None,
        sensitivity: Sensitivity | None = None,
        now: datetime | None = None,
    ) -> AlertRule:
        """Store a new active rule. A 'threshold' rule needs `threshold` and a `window_seconds`
        from `THRESHOLD_WINDOWS`; 'spike' and 'drop' need a `sensitivity`. Raises ValueError."""
        _check_condition(condition, threshold, window_seconds, sensitivity)
        rule = AlertRule(
            team_id=team_id,
            created_by=created_by,
            channel_id=channel_id,
            scope_kind=scope_kind,
            scope_ref=scope_ref,
            scope_label=scope_label,
            condition=condition,
            threshold=threshold,
            window_seconds=window_seconds,
            sensitivity=sensitivity,
            created_at=now or utcnow(),
            detector_state={},
        )
        self.session.add(rule)
        await self.session.flush()
        return rule

    async def update(
        self,
        team_id: str,
        rule_id: int,
        *,
        channel_id: str,
        scope_kind: ScopeKind,
        scope_ref: str,
        scope_label: str,
        condition: Condition,
        threshold: int | None = None,
        window_seconds: int | None = None,
        sensitivity: Sensitivity | None = None,
        detector_state: dict[str, Any] | None = None,
    ) -> AlertRule | None:
        """Change what an active rule watches, how and where it posts (as `add` checks it);
        `detector_state` replaces the detector's when given (what it learnt is of the old
        subject). None if there is no such rule; raises ValueError."""
        _check_condition(condition, threshold, window_seconds, sensitivity)
        rule = await self.get(team_id, rule_id)
        if rule is None:
            return None
        rule.channel_id, rule.condition = channel_id, condition
        rule.scope_kind, rule.scope_ref, rule.scope_label = scope_kind, scope_ref, scope_label
        rule.threshold, rule.window_seconds = threshold, window_seconds
        rule.sensitivity = sensitivity
        if detector_state is not None:
            rule.detector_state = detector_state
        await self.session.flush()
        return rule

    async def mute(self, team_id: str, rule_id: int, until: datetime) -> bool:
        """Silence the rule until `until` (replacing any earlier mute); False if no such rule."""
        return await self._set(team_id, rule_id, muted_until=until)

    async def unmute(self, team_id: str, rule_id: int) -> bool:
        """End a mute now; False if no such rule."""
        return await self._set(team_id, rule_id, muted_until=None)

    async def set_state(self, team_id: str, rule_id: int, state: dict[str, Any]) -> bool:
        """Replace the detector's state for the rule (stored as given, JSON-serialisable)."""
        return await self._set(team_id, rule_id, detector_state=state)

    async def set_error_notified(self, team_id: str, rule_id: int, error: str | None) -> bool:
        """Record which error the creator was last told about (None once it is fixed)."""
        return await self._set(team_id, rule_id, last_error_notified=error)

    async def _set(self, team_id: str, rule_id: int, **values: Any) -> bool:
        rule = await self.get(team_id, rule_id)
        if rule is None:
            return False
        for name, value in values.items():
            setattr(rule, name, value)
        await self.session.flush()
        return True


def _check_condition(
    condition: Condition,
    threshold: int | None,
    window_seconds: int | None,
    sensitivity: Sensitivity | None,
) -> None:
    if condition == "threshold":
        if threshold is None or threshold < 0:
            raise ValueError("a threshold rule needs a threshold of 0 or more")
        if window_seconds not in THRESHOLD_WINDOWS:
            raise ValueError(f"a threshold rule's window must be one of {THRESHOLD_WINDOWS}")
    elif sensitivity is None:
        raise ValueError(f"a {condition} rule needs a sensitivity")
