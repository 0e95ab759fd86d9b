"""What the alert engine tells the world: one `AlertNotice` per thing worth saying.

The engine puts notices in the outbox (in the same transaction as the episode change they
announce); the sender renders them for Slack (`alerts.messages`) or sends them as JSON to
webhooks (`alerts.wording.webhook_event`, with the same facts as fields). A notice carries
everything needed to render it, so rendering needs no database or ClickMeter call and a queued
notice renders the same after a restart.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class NoticeKind(StrEnum):
    FIRING = "firing"  # an episode started: the first and main post
    UPDATE = "update"  # the episode goes on (at most once per repeat interval)
    RESOLVED = "resolved"  # the episode ended: the post is edited and a reply is threaded
    TEST = "test"  # `/clickmeter alert test <id>`: a sample, marked as such
    OUTAGE = "outage"  # ClickMeter cannot be read for several cycles: said once
    RECOVERED = "recovered"  # ClickMeter can be read again: said once


Condition = Literal["threshold", "spike", "drop"]

#: `event_type` of the Slack message metadata on every alert post; its payload carries the
#: outbox id, so a post that reached Slack before a crash is found again instead of repeated.
METADATA_EVENT_TYPE = "clickbot_alert"


class AlertNotice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: NoticeKind
    team_id: str
    #: When the notice was produced (aware).
    at: AwareDatetime
    #: The account's IANA time zone, for showing times.
    timezone: str = "UTC"

    rule_id: int | None = None
    episode_id: int | None = None
    condition: Condition | None = None
    #: What is watched, as stored: "account", "datapoint:123", "group:9", "tag:email".
    subject: str = "account"
    #: The same in the user's words: "spring-sale", "group Campaign #1", "links tagged email".
    subject_label: str = "the account"
    #: The link behind **Show link stats**, when the subject is one link.
    link_id: int | None = None

    #: Clicks in the window, against what is normal for it (both per `window_seconds`).
    observed: float = 0.0
    expected: float = 0.0
    window_seconds: int = 300
    #: The detector's nominal interval (5 min to 1 day): how "normally ~40 an hour" is worded.
    interval_seconds: int | None = None
    threshold: int | None = None
    sensitivity: str | None = None

    #: A level shift (traffic that stepped up or down and stayed): its ratio to normal and its
    #: first interval's start; None for a spike, a drop or a threshold.
    shift_ratio: float | None = None
    shift_since: AwareDatetime | None = None

    started_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    #: Clicks per interval over the last hours, oldest first, for the sparkline.
    recent: list[int] = Field(default_factory=list)
    #: Free text for the kinds that are not about an episode (outage, recovered, test).
    message: str | None = None
