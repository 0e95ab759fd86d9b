"""Where this process's ClickMeter clients keep their pacing, so ClickMeter's 10 requests/s per
key hold across every process of a deployment (web replicas and workers alike):

- REDIS_URL set: in Redis (`clickmeter.redis_pacers`, pyrate-limiter's `RedisStateStore`);
- else DATABASE_URL on PostgreSQL: in its `clickmeter_pacing` table (`storage.pacing`);
- else (SQLite, one process): in this process (the client's own default).

Either shared store names a key by a hash of it, never by the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from redis.asyncio import Redis

from clickmeter import PacerSource, SharedPacers, redis_pacers
from config import StorageSettings
from storage import Database
from storage.pacing import PostgresStateStore

PacingPlace = Literal["redis", "postgresql", "this process"]


@dataclass
class Pacing:
    """The pacers of this process's ClickMeter clients (`source`; None: each client's own,
    shared within this process only), and where they keep their state."""

    place: PacingPlace
    source: PacerSource | None = None
    redis: Redis | None = None

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def pacing_for(settings: StorageSettings, db: Database) -> Pacing:
    """The pacing the settings call for (connections are opened on first use)."""
    if settings.redis_url is not None:
        redis = Redis.from_url(settings.redis_url.get_secret_value())
        return Pacing("redis", redis_pacers(redis), redis)
    if db.dialect == "postgresql":
        engine = db.engine
        return Pacing("postgresql", SharedPacers(lambda name: PostgresStateStore(engine, name)))
    return Pacing("this process")
