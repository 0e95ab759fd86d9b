"""clickbot's storage: alert rules, episodes, webhooks, the outbox and poll state.

SQLAlchemy 2 async over `DATABASE_URL` (SQLite by default, PostgreSQL with the same code); the
schema is managed by the Alembic migrations shipped in `alembic/`. Every row belongs to a Slack
workspace (`team_id`). Start with `Database` (see `engine`), then work through
`Database.transaction()`, which groups every repository in one unit of work.
"""

from storage.engine import Database, Transaction, make_engine
from storage.episodes import EpisodeAlreadyOpen, Episodes
from storage.models import (
    AlertEpisode,
    AlertRule,
    Base,
    CounterSnapshot,
    OutboxItem,
    PollState,
    Webhook,
)
from storage.outbox import DEFAULT_LEASE, Outbox
from storage.polling import PollOverview, PollStates, Snapshot
from storage.rules import Rules
from storage.types import UTCDateTime, utcnow
from storage.webhooks import Webhooks

__all__ = [
    "DEFAULT_LEASE",
    "AlertEpisode",
    "AlertRule",
    "Base",
    "CounterSnapshot",
    "Database",
    "EpisodeAlreadyOpen",
    "Episodes",
    "Outbox",
    "OutboxItem",
    "PollOverview",
    "PollState",
    "PollStates",
    "Rules",
    "Snapshot",
    "Transaction",
    "UTCDateTime",
    "Webhook",
    "Webhooks",
    "make_engine",
    "utcnow",
]
