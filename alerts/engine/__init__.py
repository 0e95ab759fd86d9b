"""The alert engine: poll ClickMeter, turn counters into intervals, run the detectors, keep
alert episodes and put what must be said in the outbox (the sender in `alerts.deliver` delivers).

    poller = Poller(db, client, EngineConfig(poll_seconds=settings.alert_poll_seconds))
    report = await poller.run_cycle()          # once per ALERT_POLL_SECONDS (alerts.worker)

    rule.detector_state = await seed_rule(client, rule)   # when a rule is created
    notice = await test_notice(rule)                       # `/clickmeter alert test <id>`

Modules, in the order a cycle uses them: `counts` (one batched read), `intervals` (pure
counter arithmetic), `evaluate` (detectors per rule and subject, seeding), `episodes` (firing,
updates, resolution), `outages` (ClickMeter unreadable, then back), `telling` (what those two
put in the outbox), `cycle` (the whole cycle).
"""

from alerts.engine.counts import Reading, read_counts
from alerts.engine.cycle import OUTAGE_AFTER, CycleReport, EngineConfig, Poller, WorkspaceReport
from alerts.engine.episodes import apply_decision
from alerts.engine.evaluate import detector_for, seed_rule, step_subject, test_notice
from alerts.engine.intervals import Interval, Previous, interval_since
from alerts.engine.telling import REPEAT_INTERVAL, Context, Tally

__all__ = [
    "OUTAGE_AFTER",
    "REPEAT_INTERVAL",
    "Context",
    "CycleReport",
    "EngineConfig",
    "Interval",
    "Poller",
    "Previous",
    "Reading",
    "Tally",
    "WorkspaceReport",
    "apply_decision",
    "detector_for",
    "interval_since",
    "read_counts",
    "seed_rule",
    "step_subject",
    "test_notice",
]
