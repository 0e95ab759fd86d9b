"""The tables, as SQLAlchemy 2.0 declarative models.

Every table carries `team_id`, the Slack workspace id: one deployment serves several workspaces
and the repositories never return one team's rows to another. Ids are integer surrogates,
timestamps are aware UTC (`UTCDateTime`), free-form data is `JSON`. Kinds and states are short
strings checked by the database. The schema itself is created by the Alembic migrations in
`alembic/versions`, not by `create_all`; `tests/storage` checks the two agree.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import Any, ClassVar, Literal, get_args

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.subjects import Subject
from storage.types import UTCDateTime, utcnow

ScopeKind = Literal["account", "link", "group", "tag"]
Condition = Literal["threshold", "spike", "drop"]
Sensitivity = Literal["low", "medium", "high"]
EpisodeState = Literal["firing", "resolved"]
OutboxKind = Literal["slack.post", "slack.update", "slack.reply", "webhook", "slack.digest"]
OutboxStatus = Literal["pending", "sending", "sent", "failed", "dead"]

#: The windows a threshold rule may use: 15 minutes, an hour, a day.
THRESHOLD_WINDOWS = (900, 3600, 86400)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, literal: Any) -> str:
    values = ", ".join(f"'{value}'" for value in get_args(literal))
    return f"{column} IN ({values})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class TeamOwned:
    """Columns of a row a team owns and removes softly (removal keeps it, and its history)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    removed_at: Mapped[datetime | None]


class AlertRule(TeamOwned, Base):
    """A rule made in Slack. Removal sets `removed_at` and keeps the row (and its history)."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        CheckConstraint(_one_of("scope_kind", ScopeKind), name="scope_kind"),
        CheckConstraint(_one_of("condition", Condition), name="condition"),
        CheckConstraint(
            f"sensitivity IS NULL OR {_one_of('sensitivity', Sensitivity)}", name="sensitivity"
        ),
        Index("ix_alert_rules_team_active", "team_id", "removed_at"),
    )

    created_by: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    scope_kind: Mapped[ScopeKind] = mapped_column(String(16))
    scope_ref: Mapped[str] = mapped_column(Text)
    scope_label: Mapped[str] = mapped_column(Text)
    condition: Mapped[Condition] = mapped_column(String(16))
    threshold: Mapped[int | None] = mapped_column(Integer)
    window_seconds: Mapped[int | None] = mapped_column(Integer)
    sensitivity: Mapped[Sensitivity | None] = mapped_column(String(8))
    muted_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The detector's learnt baseline per subject; storage never looks inside.
    detector_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The last error the rule's creator was told about (e.g. 'not_in_channel'), to tell once.
    last_error_notified: Mapped[str | None] = mapped_column(Text)

    def is_muted(self, now: datetime) -> bool:
        """True while a mute is in force at `now`."""
        return self.muted_until is not None and self.muted_until > now

    # Cached: a rule's scope never changes once made, and a cycle asks for it many times.
    @cached_property
    def subject(self) -> Subject:
        """What the rule watches. Raises ValueError when its scope columns name no subject
        (a link or group scope that is not a numeric id)."""
        return Subject.of_scope(self.scope_kind, self.scope_ref)


class AlertEpisode(Base):
    """One firing of a rule for one subject, from first alert to resolution.

    At most one episode per (rule, subject) is 'firing' at a time (a partial unique index)."""

    __tablename__ = "alert_episodes"
    __table_args__ = (
        CheckConstraint(_one_of("kind", Condition), name="kind"),
        CheckConstraint(_one_of("state", EpisodeState), name="state"),
        Index(
            "uq_alert_episodes_open",
            "rule_id",
            "subject",
            unique=True,
            sqlite_where=text("state = 'firing'"),
            postgresql_where=text("state = 'firing'"),
        ),
        Index("ix_alert_episodes_team_started", "team_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id"), index=True)
    #: The watched subject's `Subject.key` ("datapoint:42").
    subject: Mapped[str] = mapped_column(Text)
    kind: Mapped[Condition] = mapped_column(String(16))
    state: Mapped[EpisodeState] = mapped_column(String(16), default="firing")
    started_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    last_update_at: Mapped[datetime]
    observed: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))


class Webhook(TeamOwned, Base):
    """An outgoing webhook; `secret` signs each delivery (HMAC) and is shown once at creation."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_team_active", "team_id", "removed_at"),)

    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxItem(Base):
    """A message to deliver, written in the same transaction as the change it announces."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_one_of("kind", OutboxKind), name="kind"),
        CheckConstraint(_one_of("status", OutboxStatus), name="status"),
        UniqueConstraint("team_id", "dedupe_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[OutboxKind] = mapped_column(String(16))
    #: A Slack channel id, or for 'webhook' the webhook's id as text.
    target: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_episodes.id", ondelete="SET NULL"), index=True
    )
    #: An item that must be 'sent' first (an update or reply needs the original post's ts).
    depends_on: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[OutboxStatus] = mapped_column(String(16), default="pending")
    #: How many times the item was claimed, the current claim included.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    #: While 'sending': when the claim lapses and another sender may take the item.
    lease_expires_at: Mapped[datetime | None]
    #: The fencing token: raised by every claim, so the result of a claim since taken over
    #: (its sender stalled past its lease) can be told apart and ignored.
    claim_token: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    #: What delivery produced, e.g. {"channel": "C1", "ts": "1700000000.000100"}.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class PollState(Base):
    """How polling ClickMeter goes for one team (one row per team)."""

    __tablename__ = "poll_state"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_cycle_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    outage_notified: Mapped[bool] = mapped_column(Boolean, default=False)


class CounterSnapshot(Base):
    """The last cumulative "today" click counter seen for a subject on a local day."""

    __tablename__ = "counter_snapshots"
    __table_args__ = (UniqueConstraint("team_id", "subject", "local_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    #: The watched subject's `Subject.key` ("datapoint:42").
    subject: Mapped[str] = mapped_column(Text)
    local_day: Mapped[date] = mapped_column(Date)
    total_clicks: Mapped[int] = mapped_column(BigInteger)
    observed_at: Mapped[datetime]


Cadence = Literal["daily", "weekdays", "weekly"]


class Digest(TeamOwned, Base):
    """A digest made in Slack: TOP-report summaries posted to a channel at a local time.

    `last_run_for` is the persistent record of the last run: the digest-local day whose digest
    was last enqueued (or skipped as too late). `next_run_at` is derived from the schedule and
    kept for display (App Home) and for the scheduler's wake-ups; `last_run_for` decides."""

    __tablename__ = "digests"
    __table_args__ = (
        CheckConstraint(_one_of("cadence", Cadence), name="cadence"),
        CheckConstraint(
            "(cadence = 'weekly' AND weekday BETWEEN 0 AND 6) "
            "OR (cadence <> 'weekly' AND weekday IS NULL)",
            name="weekday",
        ),
        Index("ix_digests_team_active", "team_id", "removed_at"),
    )

    created_by: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    cadence: Mapped[Cadence] = mapped_column(String(16))
    #: Monday 0 .. Sunday 6, for a weekly digest only.
    weekday: Mapped[int | None] = mapped_column(Integer)
    #: Local wall-clock time, 'HH:MM'.
    at_time: Mapped[str] = mapped_column(String(5))
    #: IANA zone name the schedule is in (the account's when the digest was made, unless given).
    timezone: Mapped[str] = mapped_column(String(64))
    #: `TopReport` values, in the order shown.
    reports: Mapped[list[str]] = mapped_column(JSON())
    #: None for the whole account, else a subject: "tag:email" or "group:9".
    links_filter: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_run_for: Mapped[date | None] = mapped_column(Date)
    next_run_at: Mapped[datetime | None]


class UninstalledTeam(Base):
    """A workspace that uninstalled the app (distribution mode): its rules, digests and
    webhooks are kept until `uninstalled_at` + UNINSTALLED_RETENTION_DAYS, for a re-install."""

    __tablename__ = "uninstalled_teams"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uninstalled_at: Mapped[datetime]


class ClickMeterAccount(Base):
    """A workspace's own ClickMeter account (distribution mode, `/clickmeter connect`): its API
    key encrypted with CLICKBOT_SECRET_KEY (`storage.accounts.KeyBox`), never stored in clear,
    and what `/me` said about the account when it was connected."""

    __tablename__ = "clickmeter_accounts"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: A Fernet token (URL-safe base64 text) of the API key.
    encrypted_key: Mapped[str] = mapped_column(Text)
    account_name: Mapped[str] = mapped_column(Text)
    #: The account's IANA zone, as `/me` gave it at connect time.
    time_zone: Mapped[str] = mapped_column(String(64))
    plan: Mapped[str | None] = mapped_column(Text)
    connected_by: Mapped[str | None] = mapped_column(String(32))
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)


class AdminGroup(Base):
    """The Slack user group whose members may change a workspace's alerts, digests and
    webhooks besides its admins and owners (`/clickmeter admins @group`); no row: none."""

    __tablename__ = "admin_groups"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The group's id (`S…`), which survives a rename; `handle` is how it is shown.
    group_id: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime]


class ClickMeterPacing(Base):
    """The state of the ClickMeter pacing one API key gets across every process, when they
    share it through PostgreSQL (`storage.pacing`): GCRA's theoretical arrival times, one per
    rate, in microseconds. `key` names the API key by a hash, never the key itself."""

    __tablename__ = "clickmeter_pacing"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: One theoretical arrival time (µs since the epoch, on the database's clock) per rate.
    state: Mapped[list[int]] = mapped_column(JSON)


class SharedAnswerRow(Base):
    """An answer kept for its "Share in channel" button (`bot.shares`): in the database, so
    the button works on whichever web replica Slack sends the click to, and after a restart."""

    __tablename__ = "shared_answers"
    __table_args__ = (Index("ix_shared_answers_expires_at", "expires_at"),)

    #: The random id the button carries.
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The workspace it was answered in ('' when unknown): only that workspace may share it.
    team_id: Mapped[str] = mapped_column(String(32))
    command_text: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    expires_at: Mapped[datetime]


class AnsweredMessage(Base):
    """A message asked in plain words that some process has taken on to answer: claimed once
    across every `clickbot web` replica, so Slack's retry landing elsewhere is not answered
    again. Kept a day (the worker's retention job), far past Slack's last retry."""

    __tablename__ = "answered_messages"
    __table_args__ = (Index("ix_answered_messages_claimed_at", "claimed_at"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The message's Slack timestamp (`1700000000.123456`), unique within its channel.
    message_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    claimed_at: Mapped[datetime]


class WorkspaceLease(Base):
    """Which worker polls a workspace (`storage.leases`): `holder` until `expires_at`; `fence`
    goes up by one at every change of holder, so a holder that lost the lease cannot commit."""

    __tablename__ = "workspace_leases"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    fence: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]


class WorkerHeartbeat(Base):
    """A worker process that is alive until `expires_at` (it renews it with its leases)."""

    __tablename__ = "worker_heartbeats"

    holder: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime]
